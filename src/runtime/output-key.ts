import { RejectionError } from './errors';

/**
 * The keys of the objects the functions write (thumbnails, reports) are derived from the key of
 * the object they were made from, through ONE reversible mapping of its path: ordinary keys keep
 * their names, and no output key has a path segment that S3 tools, SDK path handling, sync tools
 * or file systems could misread.
 *
 * The path is split at `/` and each segment is mapped on its own:
 *
 * | segment | becomes | |
 * |---|---|---|
 * | `.` | `%2E` | a "current directory" segment |
 * | `..` | `%2E%2E` | a "parent directory" segment (`images/../x.png` would escape the prefix) |
 * | empty (`a//b`, a leading `/`) | `%` | a lone `%` (the mapping never writes one otherwise: a literal `%` is `%25`) |
 * | any other | itself, with `%` → `%25` and each control character U+0000–U+001F, U+007F → `%XX` (uppercase hex) | |
 *
 * Everything else (spaces, `+`, unicode, `...`, dots inside a name) is unchanged, so
 * `cats/tabby.png` maps to itself. {@link decodeKeyPath} is the exact inverse.
 *
 * @example encodeKeyPath('cats/My Photo été+1.jpg') === 'cats/My Photo été+1.jpg'
 * @example encodeKeyPath('../x.png') === '%2E%2E/x.png'
 * @example encodeKeyPath('a//b\u0007/100%.png') === 'a/%/b%07/100%25.png'
 */
export function encodeKeyPath(path: string): string {
  return path.split('/').map(encodeSegment).join('/');
}

/** The segment an empty segment becomes: a lone `%`, which no other segment can map to. */
export const EMPTY_SEGMENT = '%';

// eslint-disable-next-line no-control-regex
const ESCAPED_CHARACTERS = /[%\u0000-\u001f\u007f]/g;

function encodeSegment(segment: string): string {
  if (segment === '') return EMPTY_SEGMENT;
  if (segment === '.') return '%2E';
  if (segment === '..') return '%2E%2E';
  return segment.replace(ESCAPED_CHARACTERS, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The inverse of {@link encodeKeyPath}: the source path of an output key path (a lone `%` segment is
 * the empty segment; every other segment is percent-decoded).
 *
 * @throws URIError when a segment is not valid percent-encoding (it was not made by encodeKeyPath).
 */
export function decodeKeyPath(encoded: string): string {
  return encoded.split('/').map((segment) => (segment === EMPTY_SEGMENT ? '' : decodeURIComponent(segment))).join('/');
}

/** S3's limit on the length of a key: 1,024 bytes of UTF-8. */
export const MAX_S3_KEY_BYTES = 1024;

/** The length of a key as S3 counts it: bytes of UTF-8. */
export function keyBytes(key: string): number {
  return Buffer.byteLength(key, 'utf8');
}

/**
 * `<prefix><encodeKeyPath(path)><suffix>`: the key of an output made from the object at `path`.
 *
 * @example outputKey('thumbnails/', 'cats/tabby.png', '/128.webp') === 'thumbnails/cats/tabby.png/128.webp'
 * @example outputKey('reports/', 'data/../orders.csv', '.report.json') === 'reports/data/%2E%2E/orders.csv.report.json'
 */
export function outputKey(prefix: string, path: string, suffix: string): string {
  return `${prefix}${encodeKeyPath(path)}${suffix}`;
}

/**
 * Rejects an object whose output keys S3 could not store (longer than {@link MAX_S3_KEY_BYTES}):
 * call it before anything is read or written, so that no partial output is ever left behind.
 *
 * @param what what the keys are, for the reason, e.g. `thumbnail`, `report`.
 * @throws RejectionError naming the longest key's length, with `outputKey`, `outputKeyBytes` and `maxKeyBytes` as details.
 */
export function rejectTooLongOutputKeys(keys: readonly string[], what: string): void {
  let longest: { key: string; bytes: number } | undefined;
  for (const key of keys) {
    const bytes = keyBytes(key);
    if (longest === undefined || bytes > longest.bytes) longest = { key, bytes };
  }
  if (longest !== undefined && longest.bytes > MAX_S3_KEY_BYTES) {
    throw new RejectionError(
      `The ${what} key of this object would be ${longest.bytes.toLocaleString('en-US')} bytes (UTF-8), more than S3's limit of ` +
      `${MAX_S3_KEY_BYTES.toLocaleString('en-US')} bytes; nothing was read or written (use a shorter key)`,
      { outputKey: longest.key, outputKeyBytes: longest.bytes, maxKeyBytes: MAX_S3_KEY_BYTES },
    );
  }
}
