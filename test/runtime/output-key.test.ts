import { RejectionError } from '../../src/runtime/errors';
import {
  decodeKeyPath, EMPTY_SEGMENT, encodeKeyPath, keyBytes, MAX_S3_KEY_BYTES, outputKey, rejectTooLongOutputKeys,
} from '../../src/runtime/output-key';

describe('encodeKeyPath', () => {
  test.each([
    'cats/tabby.png',
    'My Photo été+1.jpg',
    'a b/c+d/✓ ünïcødé 日本語.png',
    '.hidden/x..y/.../...png',
    'dir.v2/file.name.with.dots',
    "quotes ' \" and (brackets) [x] {y} & = ? # ~ @ ! $ *",
  ])('leaves the ordinary key %j unchanged (existing outputs keep their keys)', (path) => {
    // WHEN / THEN
    expect(encodeKeyPath(path)).toBe(path);
  });

  test.each([
    ['a "." segment', 'a/./b.png', 'a/%2E/b.png'],
    ['a ".." segment', '../x.png', '%2E%2E/x.png'],
    ['".." segments anywhere', 'a/../../b/..', 'a/%2E%2E/%2E%2E/b/%2E%2E'],
    ['an empty segment', 'a//b.png', 'a/%/b.png'],
    ['a leading slash', '/x.png', '%/x.png'],
    ['a trailing slash', 'dir/', 'dir/%'],
    ['a percent sign', '100%.png', '100%25.png'],
    ['something that looks percent-encoded', 'a%2Fb%2E%2E.png', 'a%252Fb%252E%252E.png'],
    ['a NUL', 'a\u0000b', 'a%00b'],
    ['a tab, a line feed and a carriage return', 'a\tb\nc\r.png', 'a%09b%0Ac%0D.png'],
    ['U+001F and DEL (U+007F)', '\u001f\u007f', '%1F%7F'],
  ])('percent-encodes %s', (_name, path, expected) => {
    // WHEN
    const encoded = encodeKeyPath(path);

    // THEN
    expect(encoded).toBe(expected);
    expect(decodeKeyPath(encoded)).toBe(path);
  });

  test('never yields ".", ".." or empty segments, nor control characters', () => {
    // GIVEN every combination of hostile segments
    const hostile = ['', '.', '..', '%', '%2E', '\u0000', '\u007f', 'x'];
    const paths = hostile.flatMap((a) => hostile.flatMap((b) => hostile.map((c) => [a, b, c].join('/'))));

    for (const path of paths) {
      // WHEN
      const encoded = encodeKeyPath(path);

      // THEN
      const segments = encoded.split('/');
      expect(segments.filter((s) => s === '' || s === '.' || s === '..')).toEqual([]);
      // eslint-disable-next-line no-control-regex
      expect(encoded).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(decodeKeyPath(encoded)).toBe(path);
    }
    // AND distinct paths never share an output path (the mapping is reversible)
    expect(new Set(paths.map(encodeKeyPath)).size).toBe(new Set(paths).size);
  });

  test('round-trips every character of the Basic Multilingual Plane but the surrogates, alone and around a "/"', () => {
    for (let code = 0; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const c = String.fromCharCode(code);
      for (const path of [c, `${c}/${c}`, `${c}${c}`]) {
        expect(decodeKeyPath(encodeKeyPath(path))).toBe(path);
      }
    }
  });

  test('the empty-segment marker is a lone "%", which no other segment maps to', () => {
    expect(EMPTY_SEGMENT).toBe('%');
    expect(encodeKeyPath('%')).toBe('%25');
    expect(decodeKeyPath('%')).toBe('');
    expect(decodeKeyPath('%25')).toBe('%');
  });
});

describe('outputKey and the key length limit', () => {
  test('joins the prefix, the mapped path and the suffix', () => {
    expect(outputKey('thumbnails/', 'cats/tabby.png', '/128.webp')).toBe('thumbnails/cats/tabby.png/128.webp');
    expect(outputKey('thumbnails/', '../x.png', '/128.webp')).toBe('thumbnails/%2E%2E/x.png/128.webp');
    expect(outputKey('reports/', 'data/a//b.csv', '.report.json')).toBe('reports/data/a/%/b.csv.report.json');
  });

  test('counts UTF-8 bytes, not characters', () => {
    expect(keyBytes('été')).toBe(5);
    expect(keyBytes('日本')).toBe(6);
    expect(MAX_S3_KEY_BYTES).toBe(1024);
  });

  test('keys of exactly 1,024 bytes are accepted', () => {
    // GIVEN a key of 1,024 bytes, made of 2-byte characters and one ASCII one
    const key = `${'é'.repeat(511)}ab`;
    expect(keyBytes(key)).toBe(1024);

    // WHEN / THEN
    expect(() => rejectTooLongOutputKeys(['short', key], 'thumbnail')).not.toThrow();
  });

  test('a key of 1,025 bytes is rejected, naming its length and the longest key', () => {
    // GIVEN 513 two-byte characters: 513 characters, 1,026 bytes
    const key = 'é'.repeat(513);

    // WHEN
    let thrown: unknown;
    try {
      rejectTooLongOutputKeys(['short', key, 'other'], 'report');
    } catch (err) {
      thrown = err;
    }

    // THEN
    expect(thrown).toBeInstanceOf(RejectionError);
    const rejection = thrown as RejectionError;
    expect(rejection.message).toBe("The report key of this object would be 1,026 bytes (UTF-8), more than S3's limit of 1,024 bytes; " +
      'nothing was read or written (use a shorter key)');
    expect(rejection.details).toEqual({ outputKey: key, outputKeyBytes: 1026, maxKeyBytes: 1024 });
  });
});
