import { IMAGE_LIMITS, thumbnailWidthsProblem } from '../../../src/contract/image-limits';
import {
  bytesPerPixel,
  headerRejectionReason,
  InvalidImageSettingsError,
  memoryRejectionReason,
  parseImageSettings,
  sizeRejectionReason,
  thumbnailContentType,
  thumbnailBox,
  thumbnailExtension,
  THUMBNAIL_MAX_DIMENSION,
  thumbnailKey,
} from '../../../src/images/runtime/settings';
import { InvalidIntegerEnvironmentError, MissingEnvironmentError } from '../../../src/runtime/env';
import { decodeKeyPath } from '../../../src/runtime/output-key';

const ENV_OK = {
  TAP_THUMBNAIL_WIDTHS: '128,512',
  TAP_THUMBNAIL_FORMAT: 'webp',
  TAP_MAX_IMAGE_BYTES: '52428800',
  TAP_MAX_IMAGE_PIXELS: '100000000',
};

describe('thumbnailKey', () => {
  test('is <thumbnailsPrefix><key without imagesPrefix>/<width>.<ext>', () => {
    expect(thumbnailKey('images/cats/tabby.png', 'images/', 'thumbnails/', 128, 'webp')).toBe('thumbnails/cats/tabby.png/128.webp');
    expect(thumbnailKey('images/a.gif', 'images/', 'thumbnails/', 512, 'jpeg')).toBe('thumbnails/a.gif/512.jpg');
    expect(thumbnailKey('in/img/x.tif', 'in/img/', 'out/thumbs/', 64, 'avif')).toBe('out/thumbs/x.tif/64.avif');
  });

  test('keeps spaces, plus signs and unicode as they are in the decoded key (case 1)', () => {
    expect(thumbnailKey('images/My Photo été+1.jpg', 'images/', 'thumbnails/', 128, 'png')).toBe('thumbnails/My Photo été+1.jpg/128.png');
  });

  test.each([
    ['a ".." segment', 'images/../x.png', 'thumbnails/%2E%2E/x.png/128.webp'],
    ['a "." segment', 'images/./x.png', 'thumbnails/%2E/x.png/128.webp'],
    ['an empty segment', 'images/a//x.png', 'thumbnails/a/%/x.png/128.webp'],
    ['an empty first segment', 'images//x.png', 'thumbnails/%/x.png/128.webp'],
    ['a control character', 'images/x\n.png', 'thumbnails/x%0A.png/128.webp'],
    ['a percent sign', 'images/100%.png', 'thumbnails/100%25.png/128.webp'],
  ])('maps a key with %s to a safe, reversible key path', (_name, key, expected) => {
    // WHEN
    const thumbnail = thumbnailKey(key, 'images/', 'thumbnails/', 128, 'webp');

    // THEN
    expect(thumbnail).toBe(expected);
    expect(thumbnail.split('/').filter((s) => s === '' || s === '.' || s === '..')).toEqual([]);
    expect(`images/${decodeKeyPath(thumbnail.slice('thumbnails/'.length, -'/128.webp'.length))}`).toBe(key);
  });

  test('different widths and different source keys never share a key', () => {
    const keys = ['images/a.jpg', 'images/a.jpg/128.webp', 'images/b.jpg'].flatMap((k) =>
      [128, 512].map((w) => thumbnailKey(k, 'images/', 'thumbnails/', w, 'webp')));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('thumbnailBox: the dimension rule', () => {
  test('every format\'s largest dimension, as sharp 0.35 / libvips 8.18 encode it', () => {
    expect(THUMBNAIL_MAX_DIMENSION).toEqual({ webp: 16383, avif: 16384, jpeg: 65500, png: 100_000_000 });
  });

  test('a thumbnail of width w fits inside w × the format\'s largest dimension', () => {
    expect(thumbnailBox(128, 'webp')).toEqual({ width: 128, height: 16383 });
    expect(thumbnailBox(512, 'jpeg')).toEqual({ width: 512, height: 65500 });
    expect(thumbnailBox(64, 'avif')).toEqual({ width: 64, height: 16384 });
    expect(thumbnailBox(16383, 'png')).toEqual({ width: 16383, height: 100_000_000 });
  });

  test('the widest allowed width fits every format', () => {
    for (const format of ['webp', 'jpeg', 'png', 'avif'] as const) {
      expect(thumbnailBox(IMAGE_LIMITS.MAX_WIDTH, format).width).toBe(IMAGE_LIMITS.MAX_WIDTH);
      expect(IMAGE_LIMITS.MAX_WIDTH).toBeLessThanOrEqual(THUMBNAIL_MAX_DIMENSION[format]);
    }
  });
});

describe('format helpers', () => {
  test('extensions and content types', () => {
    expect([thumbnailExtension('webp'), thumbnailExtension('jpeg'), thumbnailExtension('png'), thumbnailExtension('avif')])
      .toEqual(['webp', 'jpg', 'png', 'avif']);
    expect(thumbnailContentType('jpeg')).toBe('image/jpeg');
    expect(thumbnailContentType('webp')).toBe('image/webp');
  });
});

describe('thumbnailWidthsProblem', () => {
  test('accepts distinct positive integers within the limits', () => {
    expect(thumbnailWidthsProblem([128, 512])).toBeUndefined();
    expect(thumbnailWidthsProblem([1, IMAGE_LIMITS.MAX_WIDTH])).toBeUndefined();
  });

  test.each([
    [[], /at least one width/],
    [[0], /integer from 1 to 16383.*got 0/],
    [[-5], /got -5/],
    [[12.5], /got 12.5/],
    [[16384], /got 16384/],
    [[NaN], /got NaN/],
    [[128, 256, 128], /width 128 is listed twice/],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], /at most 10 widths/],
  ])('rejects %p', (widths, problem) => {
    expect(thumbnailWidthsProblem(widths)).toMatch(problem);
  });
});

describe('parseImageSettings', () => {
  test('reads the settings the construct sets', () => {
    expect(parseImageSettings(ENV_OK)).toEqual({ widths: [128, 512], format: 'webp', maxBytes: 52428800, maxPixels: 100000000 });
  });

  test.each([
    [{ TAP_THUMBNAIL_WIDTHS: '128,abc' }, /TAP_THUMBNAIL_WIDTHS is "128,abc".*got NaN/],
    [{ TAP_THUMBNAIL_WIDTHS: '128,128' }, /listed twice/],
    [{ TAP_THUMBNAIL_FORMAT: 'bmp' }, /TAP_THUMBNAIL_FORMAT is "bmp": expected one of webp, jpeg, png, avif/],
  ])('fails clearly on %p', (override, message) => {
    expect(() => parseImageSettings({ ...ENV_OK, ...override })).toThrow(InvalidImageSettingsError);
    expect(() => parseImageSettings({ ...ENV_OK, ...override })).toThrow(message);
  });

  test.each([
    [{ TAP_MAX_IMAGE_BYTES: '-1' }, /TAP_MAX_IMAGE_BYTES is "-1"; it must be a whole number from 1 to 1073741824/],
    [{ TAP_MAX_IMAGE_PIXELS: '1e6' }, /TAP_MAX_IMAGE_PIXELS is "1e6"/],
    [{ TAP_MAX_IMAGE_PIXELS: String(IMAGE_LIMITS.MAX_PIXELS + 1) }, /TAP_MAX_IMAGE_PIXELS/],
  ])('fails clearly on the limit %p', (override, message) => {
    expect(() => parseImageSettings({ ...ENV_OK, ...override })).toThrow(InvalidIntegerEnvironmentError);
    expect(() => parseImageSettings({ ...ENV_OK, ...override })).toThrow(message);
  });

  test('fails clearly when a variable is missing', () => {
    const { TAP_THUMBNAIL_FORMAT: _, ...rest } = ENV_OK;
    expect(() => parseImageSettings(rest)).toThrow(MissingEnvironmentError);
  });
});

describe('headerRejectionReason: the decision made from the header alone', () => {
  test.each(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'])('accepts %s within the pixel limit', (format) => {
    expect(headerRejectionReason({ format, width: 4000, height: 3000 }, 100_000_000)).toBeUndefined();
  });

  test.each([
    ['svg', /content is SVG, which is not an accepted image format.*not by file extension/],
    ['pdf', /content is PDF/],
    ['magick', /only ImageMagick/],
    [undefined, /content is unknown/],
  ])('rejects the %s format by content', (format, reason) => {
    expect(headerRejectionReason({ format, width: 10, height: 10 }, 100_000_000)).toMatch(reason);
  });

  test('rejects a header declaring more pixels than the limit (decompression bomb, case 6)', () => {
    expect(headerRejectionReason({ format: 'png', width: 30000, height: 30000 }, 100_000_000)).toBe(
      'The PNG header declares 30000×30000 = 900,000,000 pixels, more than the limit of 100,000,000 (imageMaxPixels); ' +
      'the image was not decoded (possible decompression bomb)');
    expect(headerRejectionReason({ format: 'png', width: 10000, height: 10000 }, 100_000_000)).toBeUndefined();
    expect(headerRejectionReason({ format: 'png', width: 10000, height: 10001 }, 100_000_000)).toMatch(/more than the limit/);
  });

  test('rejects a header without usable dimensions', () => {
    expect(headerRejectionReason({ format: 'jpeg', width: 0, height: 10 }, 100)).toMatch(/no usable dimensions/);
  });
});

describe('sizeRejectionReason', () => {
  test('rejects only a known size above the limit (case 8)', () => {
    expect(sizeRejectionReason(undefined, 10)).toBeUndefined();
    expect(sizeRejectionReason(10, 10)).toBeUndefined();
    expect(sizeRejectionReason(60_000_000, 52_428_800)).toBe(
      'The object is 60,000,000 bytes, more than the limit of 52,428,800 bytes (imageMaxSize); it was not downloaded');
  });
});

describe('memory by bit depth', () => {
  test('bytes per pixel follow the bands and the sample size (8-bit RGBA 5.2, 16-bit RGBA 10.4: the measured 4.6 and 9.4 with a margin)', () => {
    expect(bytesPerPixel({ channels: 4, depth: 'uchar' })).toBeCloseTo(5.2);
    expect(bytesPerPixel({ channels: 4, depth: 'ushort' })).toBeCloseTo(10.4);
    expect(bytesPerPixel({ channels: 1, depth: 'uchar' })).toBeCloseTo(1.3);
    expect(bytesPerPixel({})).toBeCloseTo(5.2); // unknown: as RGBA 8-bit
  });

  test('an image is rejected exactly when its estimate exceeds the memory; without a known memory, never', () => {
    const header = { format: 'png', width: 10_000, height: 10_000, channels: 4, depth: 'ushort' };
    // 100 MP × 10.4 bytes = 992 MiB (rounded up) + 128 MiB = 1,120 MiB, the input not counted
    expect(memoryRejectionReason(header, 0, 1120)).toBeUndefined();
    expect(memoryRejectionReason(header, 0, 1119)).toBe('The 10000×10000 16-bit 4-band PNG image needs about 1120 MiB to decode, ' +
      'more than this function\'s 1119 MiB (imageProcessor.memorySize); the image was not decoded');
    expect(memoryRejectionReason(header, 0, undefined)).toBeUndefined();
  });

  test('the function\'s memory comes from Lambda\'s AWS_LAMBDA_FUNCTION_MEMORY_SIZE', () => {
    const env = { TAP_THUMBNAIL_WIDTHS: '128', TAP_THUMBNAIL_FORMAT: 'webp', TAP_MAX_IMAGE_BYTES: '1000', TAP_MAX_IMAGE_PIXELS: '1000' };
    expect(parseImageSettings({ ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024' }).memoryMiB).toBe(1024);
    expect(parseImageSettings(env).memoryMiB).toBeUndefined();
  });
});
