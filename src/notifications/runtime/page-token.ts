import { ATTR, FEED_ALL, INDEX_BY_TIME, INDEX_BY_TYPE, MAX_PAGE_TOKEN_LENGTH } from '../../contract/notifications-model';

/** A `nextToken` that is not one this API issued for the same listing. */
export class InvalidPageTokenError extends Error {
  constructor(reason: string) {
    super(`Invalid nextToken: ${reason}`);
    this.name = 'InvalidPageTokenError';
  }
}

/** The listing a token must belong to. */
export interface PageTokenScope {
  /** Index read by the listing. */
  readonly index: typeof INDEX_BY_TIME | typeof INDEX_BY_TYPE;
  /** The `type` filter of a `byType` listing. */
  readonly type?: string;
}

/** The exact attributes of a `LastEvaluatedKey` of each index: the table key plus the index key. */
const KEY_ATTRIBUTES: Readonly<Record<PageTokenScope['index'], readonly string[]>> = {
  [INDEX_BY_TIME]: [ATTR.FEED, ATTR.ID, ATTR.SORT_KEY].sort(),
  [INDEX_BY_TYPE]: [ATTR.ID, ATTR.SORT_KEY, ATTR.TYPE].sort(),
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** `<ISO-8601 UTC with milliseconds>#<id>`, as written by `sortKeyOf`. */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#(.+)$/s;
const MAX_VALUE_LENGTH = 512;

/** Encodes a `LastEvaluatedKey` as an opaque `nextToken`: base64url (no padding) of its JSON, keys sorted. */
export function encodePageToken(lastEvaluatedKey: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(lastEvaluatedKey).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return Buffer.from(JSON.stringify(sorted), 'utf8').toString('base64url');
}

/**
 * Decodes and checks a `nextToken` against the listing it is used with, and returns the
 * `ExclusiveStartKey` to pass to DynamoDB.
 *
 * Rejected (forged, garbled or tampered): not canonical base64url, not UTF-8 JSON of an object,
 * a key set other than the index's, non-string or oversized values, `feed` other than `ALL`,
 * `type` other than the requested type, a `sortKey` that is not `<createdAt>#<id>` of the same id.
 *
 * @throws InvalidPageTokenError
 */
export function decodePageToken(token: string, scope: PageTokenScope): Record<string, string> {
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
  const key = parsed as Record<string, unknown>;
  const expected = KEY_ATTRIBUTES[scope.index];
  const actual = Object.keys(key).sort();
  if (actual.length !== expected.length || actual.some((name, i) => name !== expected[i])) {
    throw new InvalidPageTokenError('not a token of this listing');
  }
  for (const name of actual) {
    const value = key[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE_LENGTH) {
      throw new InvalidPageTokenError(`attribute ${name} is not a valid string`);
    }
  }
  const values = key as Record<string, string>;
  if (scope.index === INDEX_BY_TIME && values[ATTR.FEED] !== FEED_ALL) {
    throw new InvalidPageTokenError('not a token of this listing');
  }
  if (scope.index === INDEX_BY_TYPE && values[ATTR.TYPE] !== scope.type) {
    throw new InvalidPageTokenError('issued for another type filter');
  }
  const sortKey = SORT_KEY.exec(values[ATTR.SORT_KEY]);
  if (sortKey === null || sortKey[1] !== values[ATTR.ID]) {
    throw new InvalidPageTokenError('inconsistent position');
  }
  return values;
}
