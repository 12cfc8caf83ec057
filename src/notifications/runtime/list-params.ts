import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './http';
import { decodePageToken, InvalidPageTokenError } from './page-token';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, TYPE_PATTERN } from '../../contract/notifications-model';

/** The validated query of GET /notifications. */
export interface ListQuery {
  readonly limit: number;
  readonly type?: string;
  /** Where the previous page stopped: the decoded `nextToken`. */
  readonly before?: string;
}

const TYPE_REGEXP = new RegExp(TYPE_PATTERN);
const MAX_TYPE_LENGTH = 64;
const LIMIT = /^[1-9][0-9]{0,2}$/;

/**
 * Parses `limit`: absent → {@link DEFAULT_PAGE_SIZE}; otherwise a plain decimal integer from 1 to
 * {@link MAX_PAGE_SIZE} (no sign, no leading zero, no fraction, no exponent).
 *
 * @throws HttpError 400
 */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  const limit = LIMIT.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    throw new HttpError(400, `Invalid limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`, { parameter: 'limit' });
  }
  return limit;
}

/**
 * Parses the `type` filter: absent → no filter; otherwise a notification type (`TYPE_PATTERN`, at most 64 characters).
 *
 * @throws HttpError 400
 */
export function parseTypeFilter(raw: string | undefined): string | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (raw.length > MAX_TYPE_LENGTH || !TYPE_REGEXP.test(raw)) {
    throw new HttpError(400, 'Invalid type: must be dotted lower-case words, e.g. image.processed', { parameter: 'type' });
  }
  return raw;
}

/**
 * Parses and validates the query string of GET /notifications (`limit`, `type`, `nextToken`;
 * other parameters are ignored). A parameter given more than once is a 400.
 *
 * @throws HttpError 400
 */
export function parseListQuery(event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>): ListQuery {
  const params = event.queryStringParameters ?? {};
  const multi = event.multiValueQueryStringParameters ?? {};
  for (const name of ['limit', 'type', 'nextToken']) {
    if ((multi[name]?.length ?? 0) > 1) {
      throw new HttpError(400, `Invalid ${name}: given more than once`, { parameter: name });
    }
  }
  const limit = parseLimit(params.limit);
  const type = parseTypeFilter(params.type);
  if (params.nextToken === undefined) {
    return { limit, ...(type !== undefined ? { type } : {}) };
  }
  try {
    const { before } = decodePageToken(params.nextToken, { type });
    return { limit, ...(type !== undefined ? { type } : {}), before };
  } catch (err) {
    if (err instanceof InvalidPageTokenError) {
      throw new HttpError(400, err.message, { parameter: 'nextToken' });
    }
    throw err;
  }
}
