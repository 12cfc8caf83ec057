import sharp from 'sharp';
import { pngStructureDefect } from './png-structure';
import { headerRejectionReason, ImageHeader, ImageSettings, memoryRejectionReason, thumbnailBox, ThumbnailFormatName } from './settings';
import { asInputRejection, RejectionError } from '../../runtime/errors';
import type { ObjectBudget } from '../../runtime/time-budget';

/**
 * sharp settings for a Lambda execution environment, applied once at module load: no libvips
 * operation cache (each invocation handles a different image; the cache would only hold memory),
 * and one libvips worker thread (a 1 GB function has about half a vCPU; more threads only
 * add per-thread buffers).
 */
export function configureSharpForLambda(): void {
  sharp.cache(false);
  sharp.concurrency(1);
}

/** One encoded thumbnail. */
export interface Thumbnail {
  /** The width asked for. */
  readonly requestedWidth: number;
  /**
   * The width produced: smaller than asked when the image is narrower (images are never enlarged),
   * or too tall for the format at the width asked (see `thumbnailBox`).
   */
  readonly width: number;
  /** The height produced: at most the format's largest dimension (`THUMBNAIL_MAX_DIMENSION`). */
  readonly height: number;
  readonly data: Buffer;
}

/** The result of {@link makeThumbnails}: the source image's format and oriented size, and one thumbnail per width. */
export interface ThumbnailSet {
  /** The source's format by content, e.g. `jpeg`. */
  readonly format: string;
  /** The source's width after EXIF orientation was applied. */
  readonly width: number;
  /** The source's height after EXIF orientation was applied. */
  readonly height: number;
  readonly thumbnails: readonly Thumbnail[];
}

/** Encoder options per thumbnail format (quality/effort chosen for thumbnails, not archives). */
export function encoderOptions(format: ThumbnailFormatName): sharp.WebpOptions | sharp.JpegOptions | sharp.PngOptions | sharp.AvifOptions {
  switch (format) {
    case 'webp': return { quality: 80, effort: 4 };
    case 'jpeg': return { quality: 80, mozjpeg: true };
    case 'png': return { compressionLevel: 9, adaptiveFiltering: true };
    case 'avif': return { quality: 50, effort: 4 };
  }
}

/**
 * The options of the one decode of an image: at most `maxPixels` (libvips checks it again, on
 * top of {@link headerRejectionReason}), read top to bottom (`sequentialRead`: JPEG and PNG are
 * streamed, not held whole), apply the EXIF orientation, and fail on truncated or corrupt pixel
 * data (`failOn: 'error'`; a successful `metadata()` proves nothing about the pixels).
 */
export function decodeOptions(maxPixels: number): sharp.SharpOptions {
  return { limitInputPixels: maxPixels, sequentialRead: true, failOn: 'error', autoOrient: true };
}

/**
 * Reads the header only (format, declared dimensions): no pixel is decoded, so libvips' own pixel
 * limit is lifted here to let {@link headerRejectionReason} give the precise reason.
 */
export async function readHeader(input: Buffer): Promise<ImageHeader & { orientation?: number }> {
  try {
    const { format, width, height, orientation, channels, depth } = await sharp(input, { failOn: 'none', limitInputPixels: false }).metadata();
    return { format, width, height, orientation, channels, depth };
  } catch (err) {
    throw new RejectionError(`The content is not a recognised image format (${errorMessage(err)}); ` +
      'formats are recognised by content, not by file extension', undefined, { cause: err });
  }
}

/**
 * Turns an image into one thumbnail per configured width, safely:
 *
 * 1. the header is read and checked first ({@link headerRejectionReason}): format allow-list and
 *    pixel limit, so a decompression bomb is rejected without decoding;
 * 2. the image is decoded ONCE, auto-oriented and shrunk to the largest thumbnail's box (JPEG
 *    shrink-on-load decodes a 24 MP photo at a fraction of its size), into a small raw sRGB buffer;
 * 3. every width is derived from that buffer, fitted inside its {@link thumbnailBox} (so that no
 *    thumbnail exceeds its format's dimension limits, however tall the image) and encoded;
 *    encoders get raw pixels only, so no metadata (EXIF, XMP, ICC, GPS) reaches a thumbnail.
 *
 * The input is all in memory, so every error is a property of the input: an unknown format, a
 * bomb, truncated or corrupt data, or anything libvips refuses to decode or encode throws a
 * {@link RejectionError}, never an error that would be retried.
 */
export async function makeThumbnails(input: Buffer, settings: ImageSettings, budget?: ObjectBudget): Promise<ThumbnailSet> {
  const header = await readHeader(input);
  const reason = headerRejectionReason(header, settings.maxPixels) ?? memoryRejectionReason(header, input.length, settings.memoryMiB);
  if (reason !== undefined) {
    throw new RejectionError(reason, { format: header.format, width: header.width, height: header.height });
  }
  const formatName = String(header.format).toUpperCase();
  const largest = Math.max(...settings.widths);
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await sharp(input, decodeOptions(settings.maxPixels))
      .timeout({ seconds: secondsLeft(budget) })
      .resize({ ...thumbnailBox(largest, settings.format), fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw overBudget(err, budget) ?? asInputRejection(err,
      (message) => `The ${formatName} image could not be decoded: ${decodeFailureReason(input, header.format, message)}`, { format: header.format });
  }
  const { data, info } = decoded;
  const swapped = (header.orientation ?? 1) >= 5; // EXIF orientations 5-8 swap width and height
  const width = swapped ? header.height! : header.width!;
  const height = swapped ? header.width! : header.height!;

  const thumbnails: Thumbnail[] = [];
  for (const requestedWidth of settings.widths) {
    try {
      let pipeline = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
        .timeout({ seconds: secondsLeft(budget) })
        .resize({ ...thumbnailBox(requestedWidth, settings.format), fit: 'inside', withoutEnlargement: true });
      if (settings.format === 'jpeg' && info.channels === 4) {
        pipeline = pipeline.flatten({ background: '#ffffff' }); // JPEG has no alpha: transparent areas become white
      }
      const out = await pipeline.toFormat(settings.format, encoderOptions(settings.format)).toBuffer({ resolveWithObject: true });
      thumbnails.push({ requestedWidth, width: out.info.width, height: out.info.height, data: out.data });
    } catch (err) {
      throw overBudget(err, budget) ?? asInputRejection(err,
        (message) => `The ${width}×${height} ${formatName} image could not be made into a ${requestedWidth}-pixel-wide ` +
          `${settings.format.toUpperCase()} thumbnail: ${message}`,
        { format: header.format, width, height, requestedWidth, thumbnailFormat: settings.format });
    }
  }
  return { format: header.format!, width, height, thumbnails };
}

/**
 * The whole seconds left before the budget's deadline, for libvips' own timeout (at least 1; 0, no
 * timeout, without a budget): libvips stops a decode or an encode that runs past it.
 */
function secondsLeft(budget: ObjectBudget | undefined): number {
  return budget === undefined ? 0 : Math.max(1, Math.floor((budget.deadline - Date.now()) / 1000));
}

/** The rejection of an image whose decode or encode libvips stopped at the budget's deadline (its message is `timeout: N% complete`). */
export function overBudget(err: unknown, budget: ObjectBudget | undefined): RejectionError | undefined {
  if (budget === undefined || !(err instanceof Error) || !/^timeout: /.test(err.message)) return undefined;
  const seconds = Math.round(budget.milliseconds / 100) / 10;
  return new RejectionError(`The image was not made into thumbnails within its time budget of ${seconds} s (its share of the invocation's time, `
    + `less what recording its outcome takes): libvips stopped at ${err.message}. Raise the image processor's timeout, or lower imageMaxPixels`,
  { timeBudgetMs: Math.round(budget.milliseconds) }, { cause: err });
}

/**
 * What is wrong with an image libvips could not decode: its own message, unless that names nothing
 * ("Unknown error", "libpng read error"), then the defect found in the file's structure (PNG) or
 * the plain fact that the data is corrupt.
 */
function decodeFailureReason(input: Buffer, format: string | undefined, message: string): string {
  const vague = message === '' || /^(Unknown error|vipspng: libpng read error)$/i.test(message);
  if (format === 'png') {
    const defect = pngStructureDefect(input);
    if (defect !== undefined) return vague ? defect : `${message} (${defect})`;
  }
  return vague ? `the data is corrupt or truncated (the decoder gave no reason: "${message}")` : message;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.trim() : String(err);
}
