/**
 * Settings and pure decisions of the image processor. No sharp import here, so that the
 * decisions are tested without decoding anything.
 */
import { ENV } from '../../contract/env-names';
import { IMAGE_LIMITS, thumbnailWidthsProblem } from '../../contract/image-limits';
import { THUMBNAIL_FORMATS, ThumbnailFormatName } from '../../contract/thumbnail-formats';
import { requireEnv, requirePositiveIntEnv } from '../../runtime/env';
import { outputKey } from '../../runtime/output-key';

export type { ThumbnailFormatName };

/**
 * Input formats accepted, by content (sharp's `metadata().format`), never by extension.
 * `heif` covers AVIF and HEIC. SVG (scriptable, may reference external resources), PDF and
 * anything only ImageMagick would read (`magick`) are rejected.
 */
export const ACCEPTED_INPUT_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif']);

/** The processor's settings, from the construct's props (via the environment). */
export interface ImageSettings {
  /** Requested thumbnail widths, in the configured order. */
  readonly widths: readonly number[];
  readonly format: ThumbnailFormatName;
  readonly maxBytes: number;
  readonly maxPixels: number;
  /** The function's memory in MiB (Lambda's AWS_LAMBDA_FUNCTION_MEMORY_SIZE); without it, no memory check. */
  readonly memoryMiB?: number;
}

/** Thrown at cold start when the image settings in the environment are unusable (a deployment error). */
export class InvalidImageSettingsError extends Error {
  constructor(name: string, value: string, problem: string) {
    super(`Environment variable ${name} is ${JSON.stringify(value)}: ${problem}. It is set by the TapServerless construct from its props.`);
    this.name = 'InvalidImageSettingsError';
  }
}

/**
 * Reads and checks the image settings the construct sets; throws {@link InvalidImageSettingsError} or
 * `InvalidIntegerEnvironmentError` when one is unusable.
 */
export function parseImageSettings(env: NodeJS.ProcessEnv = process.env): ImageSettings {
  const rawWidths = requireEnv(ENV.THUMBNAIL_WIDTHS, env);
  const widths = rawWidths.split(',').map((w) => (/^\s*\d+\s*$/.test(w) ? Number(w) : NaN));
  const problem = thumbnailWidthsProblem(widths);
  if (problem !== undefined) {
    throw new InvalidImageSettingsError(ENV.THUMBNAIL_WIDTHS, rawWidths, problem);
  }
  const format = requireEnv(ENV.THUMBNAIL_FORMAT, env);
  if (!(THUMBNAIL_FORMATS as readonly string[]).includes(format)) {
    throw new InvalidImageSettingsError(ENV.THUMBNAIL_FORMAT, format, `expected one of ${THUMBNAIL_FORMATS.join(', ')}`);
  }
  return {
    widths,
    format: format as ThumbnailFormatName,
    maxBytes: requirePositiveIntEnv(ENV.MAX_IMAGE_BYTES, env, IMAGE_LIMITS.MAX_BYTES),
    maxPixels: requirePositiveIntEnv(ENV.MAX_IMAGE_PIXELS, env, IMAGE_LIMITS.MAX_PIXELS),
    ...(/^\d+$/.test(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '') ? { memoryMiB: Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) } : {}),
  };
}

/** The file extension (and key suffix) of a thumbnail format. */
export function thumbnailExtension(format: ThumbnailFormatName): string {
  return format === 'jpeg' ? 'jpg' : format;
}

/** The Content-Type a thumbnail is stored with. */
export function thumbnailContentType(format: ThumbnailFormatName): string {
  return `image/${format}`;
}

/**
 * The key of one thumbnail: `<imageOutputPrefix><mapped key without imageInputPrefix>/<width>.<ext>`,
 * the key being mapped by `encodeKeyPath` (src/runtime/output-key.ts): ordinary keys are kept as
 * they are, `.`/`..`/empty segments, `%` and control characters are percent-encoded.
 *
 * @example thumbnailKey('images/cats/tabby.png', 'images/', 'thumbnails/', 128, 'webp') === 'thumbnails/cats/tabby.png/128.webp'
 * @example thumbnailKey('images/../x.png', 'images/', 'thumbnails/', 128, 'webp') === 'thumbnails/%2E%2E/x.png/128.webp'
 */
export function thumbnailKey(key: string, imagesPrefix: string, thumbnailsPrefix: string, width: number, format: ThumbnailFormatName): string {
  const relative = key.startsWith(imagesPrefix) ? key.slice(imagesPrefix.length) : key;
  return outputKey(thumbnailsPrefix, relative, `/${width}.${thumbnailExtension(format)}`);
}

/**
 * The largest width or height of an image each thumbnail format can hold, as sharp 0.35 / libvips
 * 8.18 encode it (larger fails with e.g. "Processed image is too large for the WebP format"):
 *
 * - WebP: 16383 (libwebp's limit, checked by sharp);
 * - AVIF: 16384 (sharp's check for HEIF/AVIF output);
 * - JPEG: 65500 (libjpeg's `JPEG_MAX_DIMENSION`; sharp's own check says 65535, but libjpeg refuses
 *   anything over 65500: "Maximum supported image dimension is 65500 pixels");
 * - PNG: 100,000,000 (the format allows 2³¹−1; sharp and libvips handle at most 100,000,000).
 */
export const THUMBNAIL_MAX_DIMENSION: Readonly<Record<ThumbnailFormatName, number>> = {
  webp: 16383,
  avif: 16384,
  jpeg: 65500,
  png: 100_000_000,
};

/** The box a thumbnail is fitted inside. */
export interface ThumbnailBox {
  readonly width: number;
  readonly height: number;
}

/**
 * The dimension rule: the thumbnail of width `w` is the image resized to fit inside
 * `min(w, max)` × `max` pixels, `max` being the format's largest dimension
 * ({@link THUMBNAIL_MAX_DIMENSION}), keeping its aspect ratio (sharp `fit: 'inside'`) and never
 * enlarged. So it is `w` wide unless the image is narrower, or so tall that `w` wide would
 * make it taller than the format allows: then it is `max` tall and narrower than `w` (a
 * 130×17000 image gives a 125×16383 WebP thumbnail for w = 128 or 512).
 */
export function thumbnailBox(width: number, format: ThumbnailFormatName): ThumbnailBox {
  const max = THUMBNAIL_MAX_DIMENSION[format];
  return { width: Math.min(width, max), height: max };
}

/** What an image's header declares, as sharp's `metadata()` reads it (no pixel is decoded). */
export interface ImageHeader {
  readonly format?: string;
  readonly width?: number;
  readonly height?: number;
  /** Bands per pixel (3 RGB, 4 RGBA, …), when the header says. */
  readonly channels?: number;
  /** libvips' sample format: `uchar` (8-bit), `ushort` (16-bit), … */
  readonly depth?: string;
}

/**
 * Memory the image processor needs per pixel of an image, by its bands and bit depth: the decoded
 * image (bands × bytes per sample) and 30 % more. Measured (bench/measure-image-rss.ts) on a
 * 100 MP interlaced PNG, which libvips must decode whole: 8-bit RGBA about 4.6 bytes per pixel
 * (formula: 5.2), 16-bit RGBA about 9.4 (formula: 10.4).
 */
export function bytesPerPixel(header: Pick<ImageHeader, 'channels' | 'depth'>): number {
  const bytesPerSample = header.depth === 'ushort' || header.depth === 'short' ? 2
    : header.depth === 'float' || header.depth === 'int' || header.depth === 'uint' ? 4
      : header.depth === 'double' ? 8 : 1;
  return Math.max(header.channels ?? 4, 1) * bytesPerSample * 1.3;
}

/** What the function holds besides the image: the runtime, sharp and the handler (measured idle: about 105 MB). */
export const IMAGE_BASELINE_MIB = 128;

/**
 * Why an image would not fit in the function's memory once decoded, or undefined when it fits (or
 * the memory is unknown): decoding it would end the process (out of memory), and the event would be
 * retried and dead-lettered, so it is rejected before any pixel is decoded.
 */
export function memoryRejectionReason(header: ImageHeader, inputBytes: number, memoryMiB: number | undefined): string | undefined {
  if (memoryMiB === undefined) return undefined;
  const pixels = (header.width ?? 0) * (header.height ?? 0);
  const neededMiB = Math.ceil((pixels * bytesPerPixel(header) + inputBytes) / 1048576) + IMAGE_BASELINE_MIB;
  if (neededMiB <= memoryMiB) return undefined;
  const bits = bytesPerPixel({ ...header, channels: 1 }) / 1.3 * 8;
  return `The ${header.width}×${header.height} ${bits}-bit ${header.channels ?? '?'}-band ${String(header.format).toUpperCase()} image needs about ` +
    `${neededMiB} MiB to decode, more than this function's ${memoryMiB} MiB (imageProcessor.memorySize); the image was not decoded`;
}

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  svg: 'SVG',
  pdf: 'PDF',
  magick: 'a format only ImageMagick reads',
  jp2k: 'JPEG 2000',
  jxl: 'JPEG XL',
  openslide: 'a whole-slide image',
  fits: 'FITS',
  vips: 'a libvips image',
  raw: 'raw pixels',
  ppm: 'PPM',
  exr: 'OpenEXR',
};

/**
 * Decides from the header alone whether an image may be decoded: its format must be on the
 * allow-list, and its declared width × height within `maxPixels` (so that a decompression
 * bomb is refused before a single pixel is decoded). Returns the human-readable reason for a
 * rejection, or undefined when the image may be decoded.
 */
export function headerRejectionReason(header: ImageHeader, maxPixels: number): string | undefined {
  const format = header.format ?? 'unknown';
  if (!ACCEPTED_INPUT_FORMATS.has(format)) {
    return `The content is ${FORMAT_NAMES[format] ?? format}, which is not an accepted image format ` +
      '(JPEG, PNG, WebP, GIF, TIFF, AVIF/HEIF); formats are recognised by content, not by file extension';
  }
  const width = header.width ?? 0;
  const height = header.height ?? 0;
  if (width < 1 || height < 1) {
    return `The ${format.toUpperCase()} header declares no usable dimensions (${width}×${height})`;
  }
  if (width * height > maxPixels) {
    return `The ${format.toUpperCase()} header declares ${width}×${height} = ${(width * height).toLocaleString('en-US')} pixels, ` +
      `more than the limit of ${maxPixels.toLocaleString('en-US')} (imageMaxPixels); the image was not decoded (possible decompression bomb)`;
  }
  return undefined;
}

/** Why an object is too large to download, or undefined when its size is within `maxBytes` (or unknown). */
export function sizeRejectionReason(size: number | undefined, maxBytes: number): string | undefined {
  if (size === undefined || size <= maxBytes) {
    return undefined;
  }
  return `The object is ${size.toLocaleString('en-US')} bytes, more than the limit of ${maxBytes.toLocaleString('en-US')} bytes ` +
    '(imageMaxSize); it was not downloaded';
}
