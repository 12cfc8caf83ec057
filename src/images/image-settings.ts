import { Annotations, Size, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { ImageProcessingOptions } from './image-processing-options';
import { ThumbnailFormat } from './thumbnail-format';
import { configFingerprint } from '../construct/fingerprint';
import { fail, sizeInBytes } from '../construct/validation';
import { IMAGE_LIMITS, thumbnailWidthsProblem } from '../contract/image-limits';

/** The image processor's defaults; the `@default` of each option in its TSDoc says the same. */
export const IMAGE_DEFAULTS = {
  imageThumbnailWidths: [128, 512],
  imageThumbnailFormat: ThumbnailFormat.WEBP,
  imageMaxSize: Size.mebibytes(50),
  imageMaxPixels: 100_000_000,
} as const;

/** {@link ImageProcessingOptions} resolved: every default applied, every value checked. */
export interface ImageSettings {
  readonly thumbnailWidths: readonly number[];
  readonly thumbnailFormat: ThumbnailFormat;
  readonly maxImageBytes: number;
  readonly maxImagePixels: number;
}

/**
 * Memory of the image processor per image pixel, worst case measured by bench/measure-image-rss.ts:
 * a 100 MP interlaced RGBA PNG (which libvips must decode whole) took the function process from
 * 105 MB idle to a 563 MB peak, about 4.6 bytes per pixel; 5.2 leaves a margin.
 */
const IMAGE_BYTES_PER_PIXEL = 5.2;

/**
 * Applies the defaults and checks every image option; warns on `scope` when a worst-case image
 * within the limits may not fit the image processor's `memorySize` (MiB).
 */
export function resolveImageSettings(scope: Construct, options: ImageProcessingOptions, memorySize: number): ImageSettings {
  const thumbnailWidths = options.imageThumbnailWidths ?? IMAGE_DEFAULTS.imageThumbnailWidths;
  validateThumbnailWidths(thumbnailWidths);
  const maxImageBytes = sizeInBytes('imageMaxSize', options.imageMaxSize ?? IMAGE_DEFAULTS.imageMaxSize);
  validateMaxImageSize(maxImageBytes);
  const maxImagePixels = options.imageMaxPixels ?? IMAGE_DEFAULTS.imageMaxPixels;
  validateMaxImagePixels(maxImagePixels);
  const thumbnailFormat = options.imageThumbnailFormat ?? IMAGE_DEFAULTS.imageThumbnailFormat;
  const images = { thumbnailWidths, thumbnailFormat, maxImageBytes, maxImagePixels };
  warnAboutImageMemory(scope, images, memorySize);
  return images;
}

/**
 * The configuration fingerprint of the image processor: the settings that shape its output
 * (thumbnail widths and format, size and pixel limits). Memory, timeout and alarms are left out,
 * so changing them does not make every object "older configuration".
 */
export function imageProcessorFingerprint(images: ImageSettings): string {
  return configFingerprint('image', {
    thumbnailWidths: [...images.thumbnailWidths],
    thumbnailFormat: images.thumbnailFormat,
    maxImageBytes: images.maxImageBytes,
    maxImagePixels: images.maxImagePixels,
  });
}

/** Thumbnail widths: positive integers within sharp's (WebP's) limit, no duplicates, a sane count. */
export function validateThumbnailWidths(widths: readonly number[]): void {
  if (widths.some((w) => Token.isUnresolved(w))) {
    fail('imageThumbnailWidths', widths, 'widths must be literal numbers, not tokens', 'Pass plain numbers such as [128, 512].');
  }
  const problem = thumbnailWidthsProblem(widths);
  if (problem !== undefined) {
    fail('imageThumbnailWidths', widths, problem,
      `Pass 1 to ${IMAGE_LIMITS.MAX_WIDTHS} distinct whole numbers of pixels from 1 to ${IMAGE_LIMITS.MAX_WIDTH}, e.g. [128, 512].`);
  }
}

/** Largest accepted image object, in bytes. */
export function validateMaxImageSize(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > IMAGE_LIMITS.MAX_BYTES) {
    fail('imageMaxSize', `${bytes} bytes`, 'it must be a whole number of bytes from 1 byte to 1 GiB (the image is held in memory while it is decoded)',
      'Use, for example, Size.mebibytes(50).');
  }
}

/** Decompression-bomb limit, in pixels. */
export function validateMaxImagePixels(pixels: number): void {
  if (Token.isUnresolved(pixels) || !Number.isInteger(pixels) || pixels < 1 || pixels > IMAGE_LIMITS.MAX_PIXELS) {
    fail('imageMaxPixels', pixels, `it must be a whole number of pixels from 1 to ${IMAGE_LIMITS.MAX_PIXELS.toLocaleString('en-US')}`,
      'Use, for example, 100_000_000 (100 megapixels).');
  }
}

/** Decoding a worst-case image within `imageMaxPixels` and `imageMaxSize` must fit the image processor's memory. */
function warnAboutImageMemory(scope: Construct, images: ImageSettings, memory: number): void {
  const { maxImagePixels, maxImageBytes } = images;
  const neededMiB = Math.ceil((maxImagePixels * IMAGE_BYTES_PER_PIXEL + maxImageBytes) / Size.mebibytes(1).toBytes()) + 128;
  if (neededMiB > memory) {
    Annotations.of(scope).addWarningV2('cdk-tap-serverless:imageMemory',
      `imageMaxPixels (${maxImagePixels}) and imageMaxSize (${maxImageBytes} bytes) may need about ${neededMiB} MiB to decode ` +
      `a worst-case 8-bit image, more than imageProcessor.memorySize (${memory} MiB): raise the memory or lower the limits. ` +
      'An image that would not fit is rejected (image.rejected) before it is decoded.');
  }
}
