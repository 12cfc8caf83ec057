import sharp from 'sharp';
import { ImageSettings, THUMBNAIL_MAX_DIMENSION, ThumbnailFormatName } from '../../../src/images/runtime/settings';
import { decodeOptions, encoderOptions, makeThumbnails, overBudget, readHeader } from '../../../src/images/runtime/thumbnails';
import { RejectionError } from '../../../src/runtime/errors';
import * as images from '../../support/images';

// The image core in-process (host sharp). The bundled function runs the same code with the
// asset's own sharp in emulator.image-processor.test.ts.
const SETTINGS: ImageSettings = { widths: [128, 512], format: 'webp', maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };

async function rejection(promise: Promise<unknown>): Promise<RejectionError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RejectionError);
  return err as RejectionError;
}

describe('option building', () => {
  test('the decode is limited, sequential, auto-oriented and fails on corrupt data', () => {
    expect(decodeOptions(1234)).toEqual({ limitInputPixels: 1234, sequentialRead: true, failOn: 'error', autoOrient: true });
  });

  test('every thumbnail format has encoder options', () => {
    expect(encoderOptions('webp')).toEqual({ quality: 80, effort: 4 });
    expect(encoderOptions('jpeg')).toMatchObject({ quality: 80, mozjpeg: true });
    expect(encoderOptions('png')).toMatchObject({ compressionLevel: 9 });
    expect(encoderOptions('avif')).toMatchObject({ quality: 50 });
  });
});

describe('makeThumbnails', () => {
  test.each([
    ['jpeg', images.jpeg],
    ['png', images.png],
    ['webp', images.webp],
    ['gif', images.gif],
  ] as const)('turns a %s into one thumbnail per width, without metadata', async (format, make) => {
    const result = await makeThumbnails(await make(1024, 768), SETTINGS);
    expect(result).toMatchObject({ format, width: 1024, height: 768 });
    expect(result.thumbnails.map((t) => [t.requestedWidth, t.width, t.height])).toEqual([[128, 128, 96], [512, 512, 384]]);
    for (const t of result.thumbnails) {
      const meta = await sharp(t.data).metadata();
      expect(meta).toMatchObject({ format: 'webp', width: t.width, height: t.height });
      expect(meta.exif).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
    }
  });

  test('applies EXIF orientation 6 (90°) before resizing', async () => {
    const input = await images.jpegRotated90(300, 200);
    expect((await sharp(input).metadata()).orientation).toBe(6);
    const result = await makeThumbnails(input, SETTINGS);
    expect(result).toMatchObject({ width: 200, height: 300 });
    expect(result.thumbnails.map((t) => [t.width, t.height])).toEqual([[128, 192], [200, 300]]);
  });

  test('never enlarges: a narrower image gives thumbnails of its own width', async () => {
    const result = await makeThumbnails(await images.png(100, 50), SETTINGS);
    expect(result.thumbnails.map((t) => [t.requestedWidth, t.width, t.height])).toEqual([[128, 100, 50], [512, 100, 50]]);
  });

  test('writes JPEG, PNG and AVIF thumbnails too (JPEG flattens transparency)', async () => {
    const input = await images.png(64, 64);
    for (const [format, expected] of [['jpeg', 'jpeg'], ['png', 'png'], ['avif', 'heif']] as const) {
      const result = await makeThumbnails(input, { ...SETTINGS, widths: [32], format });
      const meta = await sharp(result.thumbnails[0].data).metadata();
      expect(meta.format).toBe(expected);
      if (format === 'jpeg') expect(meta.hasAlpha).toBe(false);
    }
  });

  test('decodes the image once, whatever the number of widths', async () => {
    const input = await images.jpeg(800, 600);
    const seen: unknown[] = [];
    const original = sharp.prototype.raw;
    const spy = jest.spyOn(sharp.prototype, 'raw').mockImplementation(function (this: sharp.Sharp, ...args) {
      seen.push(args);
      return original.apply(this, args);
    });
    try {
      const result = await makeThumbnails(input, { ...SETTINGS, widths: [16, 32, 64, 128, 256] });
      expect(result.thumbnails).toHaveLength(5);
      expect(seen).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  describe('tall images: thumbnails stay within their format\'s dimension limits', () => {
    test.each([
      // [width, height, format, expected [width, height] per requested width 128 and 512]
      [130, 17000, 'webp', [[125, 16383], [125, 16383]]],
      [2, 20000, 'webp', [[2, 16383], [2, 16383]]],
      [2, 20000, 'avif', [[2, 16384], [2, 16384]]],
      [2, 20000, 'jpeg', [[2, 20000], [2, 20000]]],
      [2, 70000, 'jpeg', [[2, 65500], [2, 65500]]],
      [2, 70000, 'png', [[2, 70000], [2, 70000]]],
    ] as const)('a %i×%i PNG gives %s thumbnails fitted inside width × the format\'s largest dimension', async (w, h, format, expected) => {
      // GIVEN a PNG taller than the format allows at its own width (generated with sharp create)
      const input = await images.png(w, h);

      // WHEN
      const result = await makeThumbnails(input, { ...SETTINGS, format });

      // THEN every thumbnail is within the limits, and says what was produced
      expect(result).toMatchObject({ format: 'png', width: w, height: h });
      expect(result.thumbnails.map((t) => [t.width, t.height])).toEqual(expected);
      for (const t of result.thumbnails) {
        expect(Math.max(t.width, t.height)).toBeLessThanOrEqual(THUMBNAIL_MAX_DIMENSION[format]);
        expect(await sharp(t.data, { limitInputPixels: false }).metadata()).toMatchObject({ width: t.width, height: t.height });
      }
    });

    test.each([
      ['webp', 16383, /too large for the WebP format/],
      ['avif', 16384, /too large for the HEIF format/],
      ['jpeg', 65500, /Maximum supported image dimension is 65500 pixels|too large for the JPEG format/],
    ] as const)('%s: sharp encodes %i pixels and refuses one more (the limit in THUMBNAIL_MAX_DIMENSION)', async (format, max, error) => {
      // GIVEN
      expect(THUMBNAIL_MAX_DIMENSION[format]).toBe(max);
      const encode = (height: number) => sharp(Buffer.alloc(height * 3, 128), { raw: { width: 1, height, channels: 3 } })
        .toFormat(format as ThumbnailFormatName).toBuffer({ resolveWithObject: true });

      // WHEN / THEN
      expect((await encode(max)).info).toMatchObject({ width: 1, height: max });
      await expect(encode(max + 1)).rejects.toThrow(error);
    });

    test('png: sharp resizes to at most 100,000,000 pixels (the limit in THUMBNAIL_MAX_DIMENSION)', () => {
      expect(THUMBNAIL_MAX_DIMENSION.png).toBe(100_000_000);
      const box = (height: number) => () => sharp().resize({ width: 1, height, fit: 'inside' });
      expect(box(100_000_000)).not.toThrow();
      expect(box(100_000_001)).toThrow(/between 1 and 100000000/);
    });
  });

  describe('bad input is rejected, never thrown as a transient error (cases 6 and 7)', () => {
    test('an error of libvips while encoding a thumbnail is a rejection with the reason', async () => {
      // GIVEN an image, and libvips failing to encode its second thumbnail
      const input = await images.png(640, 480);
      const original = sharp.prototype.toBuffer;
      let calls = 0;
      const spy = jest.spyOn(sharp.prototype, 'toBuffer').mockImplementation(function (this: sharp.Sharp, ...args: any[]) {
        calls += 1;
        if (calls === 3) return Promise.reject(new Error('VipsForeignSave: webpsave_buffer: encode failed')) as any;
        return (original as any).apply(this, args);
      });
      try {
        // WHEN
        const err = await rejection(makeThumbnails(input, SETTINGS));

        // THEN
        expect(err.message).toBe('The 640×480 PNG image could not be made into a 512-pixel-wide WEBP thumbnail: ' +
          'VipsForeignSave: webpsave_buffer: encode failed');
        expect(err.details).toEqual({ format: 'png', width: 640, height: 480, requestedWidth: 512, thumbnailFormat: 'webp' });
        expect(err.cause).toBeInstanceOf(Error);
      } finally {
        spy.mockRestore();
      }
    });

    test('a 30000×30000 PNG header bomb is rejected from its header, without decoding a pixel', async () => {
      const bomb = images.pngHeaderBomb(30000, 30000);
      expect(bomb.length).toBeLessThan(1000);
      // The header alone says 900 MP ...
      expect(await readHeader(bomb)).toMatchObject({ format: 'png', width: 30000, height: 30000 });
      // ... and no pixel pipeline is ever run on it
      const toBuffer = jest.spyOn(sharp.prototype, 'toBuffer');
      try {
        const err = await rejection(makeThumbnails(bomb, SETTINGS));
        expect(err.message).toMatch(/30000×30000 = 900,000,000 pixels, more than the limit of 100,000,000.*not decoded/);
        expect(toBuffer).not.toHaveBeenCalled();
      } finally {
        toBuffer.mockRestore();
      }
    });

    test('libvips enforces the pixel limit again during the decode', async () => {
      // A bomb under the header check's limit but over the decoder's proves the second line of defence.
      const err = await sharp(images.pngHeaderBomb(2000, 2000), decodeOptions(1000)).raw().toBuffer().catch((e: Error) => e);
      expect(String(err)).toMatch(/pixel limit/i);
    });

    test('a text file named .jpg is rejected by content', async () => {
      const err = await rejection(makeThumbnails(images.textPretendingToBeJpeg(), SETTINGS));
      expect(err.message).toMatch(/^The content is not a recognised image format .*not by file extension/);
    });

    test('a truncated JPEG is rejected although its header reads fine', async () => {
      const input = await images.truncatedJpeg(640, 480);
      expect(await readHeader(input)).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
      const err = await rejection(makeThumbnails(input, SETTINGS));
      expect(err.message).toMatch(/^The JPEG image could not be decoded: .+/);
    });

    test('a PNG whose header chunk has a bad CRC is rejected naming the chunk, not "Unknown error" (finding: vague reasons)', async () => {
      const input = Buffer.from(await images.png(64, 48));
      input[29] = 0xff - input[29]; // the IHDR chunk's CRC (libvips reads the header, then fails with "Unknown error")
      const err = await rejection(makeThumbnails(input, SETTINGS));
      expect(err.message).toMatch(/^The PNG image could not be decoded: the IHDR chunk at byte 8 has a bad CRC \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\): the file is corrupt$/);
    });

    test('a PNG cut inside its pixel data is rejected naming where it ends', async () => {
      const full = await images.png(640, 480);
      const idat = full.indexOf('IDAT') - 4;
      const err = await rejection(makeThumbnails(full.subarray(0, idat + 100), SETTINGS));
      expect(err.message).toContain(`the file ends inside the IDAT chunk at byte ${idat}`);
    });

    test('a 16-bit RGBA PNG that would not fit in the function\'s memory is rejected before decoding; an 8-bit one of the same size fits (finding: memory by bit depth)', async () => {
      // 2000×2000 16-bit RGBA: 4 MP × 10.4 bytes ≈ 40 MiB + 128 MiB > 150 MiB; 8-bit RGB: 4 MP × 3.9 bytes ≈ 15 MiB + 128 MiB fits.
      const create = { width: 2000, height: 2000, channels: 4 as const, background: { r: 10, g: 20, b: 30, alpha: 0.5 } };
      const png16 = await sharp({ create }).toColourspace('rgb16').png({ compressionLevel: 1 }).toBuffer();
      const png8 = await sharp({ create: { ...create, channels: 3 as const } }).png({ compressionLevel: 1 }).toBuffer();
      const toBuffer = jest.spyOn(sharp.prototype, 'toBuffer');
      try {
        const err = await rejection(makeThumbnails(png16, { ...SETTINGS, memoryMiB: 150 }));
        expect(err.message).toMatch(/^The 2000×2000 16-bit 4-band PNG image needs about 1\d\d MiB to decode, more than this function's 150 MiB \(imageProcessor.memorySize\); the image was not decoded$/);
        expect(toBuffer).not.toHaveBeenCalled();
      } finally {
        toBuffer.mockRestore();
      }
      expect((await makeThumbnails(png8, { ...SETTINGS, memoryMiB: 150 })).thumbnails).toHaveLength(2);
    });

    test('an SVG is rejected', async () => {
      const err = await rejection(makeThumbnails(images.svg(), SETTINGS));
      expect(err.message).toMatch(/content is SVG, which is not an accepted image format/);
    });

    test('a JPEG with appended bytes is re-encoded cleanly (the junk is not carried over)', async () => {
      const input = await images.jpegWithAppendedBytes(640, 480);
      const result = await makeThumbnails(input, SETTINGS);
      expect(result.thumbnails.map((t) => [t.width, t.height])).toEqual([[128, 96], [512, 384]]);
      for (const t of result.thumbnails) {
        expect(t.data.includes(Buffer.from('appended payload'))).toBe(false);
        expect((await sharp(t.data, { failOn: 'warning' }).stats()).channels).toHaveLength(3);
      }
    });
  });
});

describe('the time budget', () => {
  test('libvips stopping at the budget\'s deadline is a rejection naming the budget; other errors are not', () => {
    const budget = { deadline: Date.now(), milliseconds: 41_250 };
    const stopped = overBudget(new Error('timeout: 37% complete'), budget);
    expect(stopped).toBeInstanceOf(RejectionError);
    expect(stopped).toMatchObject({
      message: 'The image was not made into thumbnails within its time budget of 41.3 s (its share of the invocation\'s time, less what recording '
        + 'its outcome takes): libvips stopped at timeout: 37% complete. Raise the image processor\'s timeout, or lower imageMaxPixels',
      details: { timeBudgetMs: 41_250 },
    });
    expect(overBudget(new Error('Input buffer contains unsupported image format'), budget)).toBeUndefined();
    expect(overBudget(new Error('timeout: 37% complete'), undefined)).toBeUndefined();
  });

  test('within its budget an image gets the thumbnails it gets without one', async () => {
    const input = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#336699' } }).png().toBuffer();
    const withBudget = await makeThumbnails(input, SETTINGS, { deadline: Date.now() + 60_000, milliseconds: 60_000 });
    const without = await makeThumbnails(input, SETTINGS);
    const shapes = (set: typeof without) => set.thumbnails.map((t) => [t.width, t.height, t.data.length]);
    expect(shapes(withBudget)).toEqual(shapes(without));
  });
});
