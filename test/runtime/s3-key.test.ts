import { RejectionError } from '../../src/runtime/errors';
import { decodeS3Key, encodeS3KeyForEvent, MalformedKeyError } from '../../src/runtime/s3-key';

describe('decodeS3Key', () => {
  test('decodes + as a space, then percent-encoded UTF-8 (case 1)', () => {
    // GIVEN a key as S3 writes it in an event notification
    const raw = 'images/My+Photo+%C3%A9t%C3%A9%2B1.jpg';

    // WHEN
    const key = decodeS3Key(raw);

    // THEN a literal plus survives as %2B and spaces come from +
    expect(key).toBe('images/My Photo été+1.jpg');
  });

  test.each([
    ['images/plain.jpg', 'images/plain.jpg'],
    ['images/a%2Fb.png', 'images/a/b.png'],
    ['images/100%25.png', 'images/100%.png'],
    ['images/%E2%9C%93+ok.gif', 'images/✓ ok.gif'],
    ['images/++.jpg', 'images/  .jpg'],
  ])('decodes %s to %s', (raw, expected) => {
    expect(decodeS3Key(raw)).toBe(expected);
  });

  test.each(['images/%E0%A4%A', 'images/100%.png', 'images/%ZZ.jpg', 'images/%C3.jpg'])(
    'throws a MalformedKeyError (a RejectionError) for malformed percent-encoding %s (case 2)',
    (raw) => {
      // WHEN
      let thrown: unknown;
      try {
        decodeS3Key(raw);
      } catch (err) {
        thrown = err;
      }

      // THEN the error is typed, carries the raw key and names it in its message
      expect(thrown).toBeInstanceOf(MalformedKeyError);
      expect(thrown).toBeInstanceOf(RejectionError);
      expect((thrown as MalformedKeyError).rawKey).toBe(raw);
      expect((thrown as MalformedKeyError).message).toContain(JSON.stringify(raw));
    },
  );
});

describe('encodeS3KeyForEvent', () => {
  test('is the inverse of decodeS3Key for keys with spaces, plus signs and unicode', () => {
    const key = 'images/My Photo été+1.jpg';
    const encoded = encodeS3KeyForEvent(key);
    expect(encoded).toBe('images/My+Photo+%C3%A9t%C3%A9%2B1.jpg');
    expect(decodeS3Key(encoded)).toBe(key);
  });
});
