/**
 * Limits of the image processor's settings, checked at synth by the construct (props) and at cold
 * start by the handler (environment).
 */

/** Limits of the thumbnail settings, checked at synth by the construct and at cold start by the handler. */
export const IMAGE_LIMITS = {
  /** Widest thumbnail: 16383 px is WebP's largest dimension, the tightest of the output formats. */
  MAX_WIDTH: 16383,
  /** Most thumbnails per image: each one is an encode and a PutObject within the function's timeout. */
  MAX_WIDTHS: 10,
  /** Largest `imageMaxPixels`: 1 gigapixel (a 4-byte-per-pixel decode would need 4 GB). */
  MAX_PIXELS: 1_000_000_000,
  /** Largest `maxImageBytes`: 1 GiB (the object is held in memory while it is decoded). */
  MAX_BYTES: 1024 * 1024 * 1024,
} as const;

/** Why a list of thumbnail widths is unusable, or undefined when it is fine. */
export function thumbnailWidthsProblem(widths: readonly number[]): string | undefined {
  if (widths.length === 0) {
    return 'at least one width is needed';
  }
  if (widths.length > IMAGE_LIMITS.MAX_WIDTHS) {
    return `at most ${IMAGE_LIMITS.MAX_WIDTHS} widths are allowed, got ${widths.length}`;
  }
  const bad = widths.find((w) => !Number.isInteger(w) || w < 1 || w > IMAGE_LIMITS.MAX_WIDTH);
  if (bad !== undefined) {
    return `every width must be an integer from 1 to ${IMAGE_LIMITS.MAX_WIDTH} pixels, got ${bad}`;
  }
  const duplicate = widths.find((w, i) => widths.indexOf(w) !== i);
  if (duplicate !== undefined) {
    return `width ${duplicate} is listed twice (each width is one output key)`;
  }
  return undefined;
}
