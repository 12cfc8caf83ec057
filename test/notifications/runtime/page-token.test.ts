import { decodePageToken, encodePageToken, InvalidPageTokenError } from '../../../src/notifications/runtime/page-token';

const position = { before: '2026-11-28T17:02:11.532Z#obj-1' };
const tokenOf = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('page tokens', () => {
  test('round-trip a position of the unfiltered listing', () => {
    const token = encodePageToken(position, {});
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token, {})).toEqual(position);
  });

  test('round-trip a position of a type-filtered listing, for the same type', () => {
    expect(decodePageToken(encodePageToken(position, { type: 'image.received' }), { type: 'image.received' })).toEqual(position);
  });

  test('a token is bound to its type filter: another filter, or none, is refused', () => {
    const filtered = encodePageToken(position, { type: 'image.received' });
    const unfiltered = encodePageToken(position, {});
    expect(() => decodePageToken(filtered, { type: 'data.valid' })).toThrow(/another type filter/);
    expect(() => decodePageToken(filtered, {})).toThrow(/another type filter/);
    expect(() => decodePageToken(unfiltered, { type: 'image.received' })).toThrow(/another type filter/);
  });

  test.each([
    ['empty', ''],
    ['not base64url', 'abc+/=='],
    ['base64url of non-JSON', Buffer.from('not json').toString('base64url')],
    ['base64url of invalid UTF-8', Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')],
    ['a JSON array', tokenOf([position.before])],
    ['a JSON string', tokenOf(position.before)],
    ['JSON null', tokenOf(null)],
    ['a DynamoDB key instead of a position', tokenOf({ id: 'obj-1', feedShard: 'ALL#03', sortKey: position.before })],
    ['an extra field', tokenOf({ b: position.before, admin: 'true' })],
    ['no position', tokenOf({})],
    ['a non-string position', tokenOf({ b: 1 })],
    ['an object position (DynamoDB-typed)', tokenOf({ b: { S: position.before } })],
    ['a position that is not <time>#<id>', tokenOf({ b: 'zzz#obj-1' })],
    ['a position without an id', tokenOf({ b: '2026-11-28T17:02:11.532Z#' })],
    ['a position whose id the API could not have issued', tokenOf({ b: '2026-11-28T17:02:11.532Z#a b' })],
    ['a position with an oversized id', tokenOf({ b: `2026-11-28T17:02:11.532Z#${'x'.repeat(600)}` })],
    ['a position with a trailing newline', tokenOf({ b: `${position.before}\n` })],
    ['an oversized token', 'A'.repeat(3000)],
  ])('reject a forged token: %s', (_name, token) => {
    expect(() => decodePageToken(token, {})).toThrow(InvalidPageTokenError);
  });

  test('accept a well-formed position written by hand, as the README says (a position, not a credential)', () => {
    const handMade = tokenOf({ b: '2026-01-01T00:00:00.000Z#obj-anything' });
    expect(decodePageToken(handMade, {})).toEqual({ before: '2026-01-01T00:00:00.000Z#obj-anything' });
  });

  test('reject a non-canonical base64url spelling of a valid token (same bytes, altered unused bits)', () => {
    // GIVEN a valid position whose JSON length leaves unused bits in the token's last character
    let before = position.before;
    while (JSON.stringify({ b: before }).length % 3 !== 1) before += 'x';
    const token = encodePageToken({ before }, {});
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token[token.length - 1]);
    const tampered = token.slice(0, -1) + alphabet[last % 2 === 0 ? last + 1 : last - 1];
    expect(Buffer.from(tampered, 'base64url')).toEqual(Buffer.from(token, 'base64url'));

    // WHEN / THEN the original is accepted, the other spelling refused
    expect(decodePageToken(token, {})).toEqual({ before });
    expect(() => decodePageToken(tampered, {})).toThrow(/not base64url/);
  });
});
