import { MAX_PAGE_TOKEN_LENGTH, NOTIFICATION_ID_PATTERN } from '../../contract/notifications-model';

/** A `nextToken` that is not one this API issued for the same listing. */
export class InvalidPageTokenError extends Error {
  constructor(reason: string) {
    super(`Invalid nextToken: ${reason}`);
    this.name = 'InvalidPageTokenError';
  }
}

/** The listing a token belongs to: its `type` filter, if any. */
export interface PageTokenScope {
  readonly type?: string;
}

/**
 * Where a listing stopped: the sort key (`<createdAt>#<id>`) of the last notification of the
 * previous page. The index is sharded, so a position in one shard's key space (a DynamoDB
 * `LastEvaluatedKey`) would not do: the next page reads every shard below this sort key.
 */
export interface PagePosition {
  readonly before: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** `<ISO-8601 UTC with milliseconds>#<id>`, as written by `sortKeyOf`; ids are what the API accepts. */
const SORT_KEY = new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z#${NOTIFICATION_ID_PATTERN}$`);

/** The token's fields: `b` the position, `t` the type filter it was issued for (absent without one). */
interface TokenBody {
  readonly b: string;
  readonly t?: string;
}

/** Encodes a position as an opaque `nextToken`: base64url (no padding) of a small JSON object, bound to the type filter. */
export function encodePageToken(position: PagePosition, scope: PageTokenScope): string {
  const body: TokenBody = scope.type === undefined ? { b: position.before } : { b: position.before, t: scope.type };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * Decodes and checks a `nextToken` against the listing it is used with.
 *
 * Rejected (forged, garbled or tampered): not canonical base64url, not UTF-8 JSON of an object,
 * fields other than the position and the type filter, a position that is not `<createdAt>#<id>`,
 * a token issued for another type filter (or for none, or without one for a filtered listing).
 *
 * @throws InvalidPageTokenError
 */
export function decodePageToken(token: string, scope: PageTokenScope): PagePosition {
  if (token.length === 0 || token.length > MAX_PAGE_TOKEN_LENGTH) {
    throw new InvalidPageTokenError(`must be 1 to ${MAX_PAGE_TOKEN_LENGTH} characters`);
  }
  if (!BASE64URL.test(token)) {
    throw new InvalidPageTokenError('not base64url');
  }
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.toString('base64url') !== token) {
    // Node's decoder ignores trailing bits; only the canonical form of the bytes is one we issued.
    throw new InvalidPageTokenError('not base64url');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidPageTokenError('not a JSON document');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidPageTokenError('not a JSON object');
  }
  const body = parsed as Record<string, unknown>;
  const fields = Object.keys(body).sort().join(',');
  if (fields !== 'b' && fields !== 'b,t') {
    throw new InvalidPageTokenError('not a token of this listing');
  }
  if (body.t !== scope.type) {
    throw new InvalidPageTokenError('issued for another type filter');
  }
  if (typeof body.b !== 'string' || !SORT_KEY.test(body.b)) {
    throw new InvalidPageTokenError('invalid position');
  }
  return { before: body.b };
}
