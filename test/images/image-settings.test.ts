import { Size, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { ThumbnailFormat } from '../../src';
import { IMAGE_DEFAULTS, imageProcessorFingerprint, resolveImageSettings } from '../../src/images/image-settings';

// The image processor's options resolved alone, as TapServerless does before it creates anything.

describe('resolveImageSettings', () => {
  test('applies the defaults: two WebP widths, 50 MiB, 100 megapixels', () => {
    expect(resolveImageSettings(new Stack(), {}, 1024)).toEqual({
      thumbnailWidths: [128, 512], thumbnailFormat: ThumbnailFormat.WEBP, maxImageBytes: 50 * 1024 ** 2, maxImagePixels: 100_000_000,
    });
  });

  test('keeps what it is given, sizes in bytes', () => {
    const options = { imageThumbnailWidths: [64], imageThumbnailFormat: ThumbnailFormat.PNG, imageMaxSize: Size.mebibytes(2), imageMaxPixels: 1000 };
    expect(resolveImageSettings(new Stack(), options, 1024)).toEqual({
      thumbnailWidths: [64], thumbnailFormat: ThumbnailFormat.PNG, maxImageBytes: 2 * 1024 ** 2, maxImagePixels: 1000,
    });
  });

  test.each([
    [{ imageThumbnailWidths: [] }, /invalid imageThumbnailWidths \(\[\]\)/],
    [{ imageThumbnailWidths: [128, 128] }, /invalid imageThumbnailWidths/],
    [{ imageThumbnailWidths: [Token.asNumber({ Ref: 'Width' })] }, /widths must be literal numbers, not tokens/],
    [{ imageMaxSize: Size.bytes(0) }, /invalid imageMaxSize \("0 bytes"\)/],
    [{ imageMaxSize: Size.gibibytes(2) }, /from 1 byte to 1 GiB/],
    [{ imageMaxPixels: 0 }, /invalid imageMaxPixels \(0\)/],
    [{ imageMaxPixels: 1.5 }, /whole number of pixels/],
  ])('fails on %j, naming the option and the value', (options, message) => {
    expect(() => resolveImageSettings(new Stack(), options, 1024)).toThrow(message);
  });

  test('warns, without failing, when a worst-case image within the limits may not fit the memory', () => {
    const fits = new Stack();
    resolveImageSettings(fits, {}, 1024);
    Annotations.fromStack(fits).hasNoWarning('*', Match.anyValue());

    const tight = new Stack();
    resolveImageSettings(tight, { imageMaxPixels: 400_000_000 }, 1024);
    Annotations.fromStack(tight).hasWarning('*', Match.stringLikeRegexp('imageMaxPixels \\(400000000\\).*more than imageProcessor.memorySize \\(1024 MiB\\)'));
  });

  test('the defaults object is what an empty set of options resolves to', () => {
    const resolved = resolveImageSettings(new Stack(), {}, 1024);
    expect(resolved.thumbnailWidths).toEqual(IMAGE_DEFAULTS.imageThumbnailWidths);
    expect(resolved.maxImageBytes).toBe(IMAGE_DEFAULTS.imageMaxSize.toBytes());
  });
});

describe('imageProcessorFingerprint', () => {
  const base = resolveImageSettings(new Stack(), {}, 1024);

  test('is 16 hex digits, the same for the same settings', () => {
    expect(imageProcessorFingerprint(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(imageProcessorFingerprint({ ...base })).toBe(imageProcessorFingerprint(base));
  });

  test.each([
    ['thumbnailWidths', { thumbnailWidths: [128] }],
    ['thumbnailFormat', { thumbnailFormat: ThumbnailFormat.JPEG }],
    ['maxImageBytes', { maxImageBytes: 1 }],
    ['maxImagePixels', { maxImagePixels: 1 }],
  ])('changes with %s', (_, change) => {
    expect(imageProcessorFingerprint({ ...base, ...change })).not.toBe(imageProcessorFingerprint(base));
  });
});
