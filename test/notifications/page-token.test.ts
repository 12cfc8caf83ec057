import { decodePageToken, encodePageToken, InvalidPageTokenError } from '../../src/notifications/runtime/page-token';

const byTimeKey = { id: 'obj-1', feed: 'ALL', sortKey: '2026-11-28T17:02:11.532Z#obj-1' };
const byTypeKey = { id: 'obj-1', type: 'image.received', sortKey: '2026-11-28T17:02:11.532Z#obj-1' };
const tokenOf = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('page tokens', () => {
  test('round-trip a byTime LastEvaluatedKey', () => {
    const token = encodePageToken(byTimeKey);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, { index: 'byTime' })).toEqual(byTimeKey);
  });

  test('round-trip a byType LastEvaluatedKey for the same type', () => {
    expect(decodePageToken(encodePageToken(byTypeKey), { index: 'byType', type: 'image.received' })).toEqual(byTypeKey);
  });

  test('encode canonically, whatever the key order', () => {
    expect(encodePageToken({ sortKey: byTimeKey.sortKey, feed: 'ALL', id: 'obj-1' })).toBe(encodePageToken(byTimeKey));
  });

  test.each([
    ['empty', ''],
    ['not base64url', 'abc+/=='],
    ['base64url of non-JSON', Buffer.from('not json').toString('base64url')],
    ['base64url of invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')],
    ['a JSON array', tokenOf([byTimeKey])],
    ['a JSON string', tokenOf('ALL')],
    ['JSON null', tokenOf(null)],
    ['a key set of the other index', tokenOf(byTypeKey)],
    ['an extra attribute', tokenOf({ ...byTimeKey, admin: 'true' })],
    ['a missing attribute', tokenOf({ id: 'obj-1', feed: 'ALL' })],
    ['a non-string value', tokenOf({ ...byTimeKey, id: 1 })],
    ['an object value (DynamoDB-typed)', tokenOf({ ...byTimeKey, id: { S: 'obj-1' } })],
    ['a feed other than ALL', tokenOf({ ...byTimeKey, feed: 'OTHER' })],
    ['a sort key of another id', tokenOf({ ...byTimeKey, sortKey: '2026-11-28T17:02:11.532Z#obj-2' })],
    ['a sort key that is not <time>#<id>', tokenOf({ ...byTimeKey, sortKey: 'zzz#obj-1' })],
    ['an oversized value', tokenOf({ ...byTimeKey, id: 'x'.repeat(600) })],
    ['an oversized token', 'A'.repeat(3000)],
  ])('reject a forged token: %s', (_name, token) => {
    expect(() => decodePageToken(token, { index: 'byTime' })).toThrow(InvalidPageTokenError);
  });

  test('reject a non-canonical base64url spelling of a valid token (same bytes, altered unused bits)', () => {
    // GIVEN a valid key whose JSON length leaves unused bits in the token's last character
    let key = byTimeKey;
    while (JSON.stringify(key).length % 3 !== 1) {
      key = { ...key, id: `${key.id}x`, sortKey: `${key.sortKey}x` };
    }
    const token = encodePageToken(key);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token[token.length - 1]);
    const tampered = token.slice(0, -1) + alphabet[last % 2 === 0 ? last + 1 : last - 1];
    expect(Buffer.from(tampered, 'base64url')).toEqual(Buffer.from(token, 'base64url'));

    // WHEN / THEN the original is accepted, the other spelling refused
    expect(decodePageToken(token, { index: 'byTime' })).toEqual(key);
    expect(() => decodePageToken(tampered, { index: 'byTime' })).toThrow(/not base64url/);
  });

  test('reject a byType token used with another type filter', () => {
    const token = encodePageToken(byTypeKey);
    expect(() => decodePageToken(token, { index: 'byType', type: 'data.valid' })).toThrow(/another type filter/);
    expect(() => decodePageToken(token, { index: 'byTime' })).toThrow(InvalidPageTokenError);
  });
});
