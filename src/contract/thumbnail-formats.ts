/**
 * The names of the thumbnail formats, as the construct passes them to the image processor
 * (`TAP_THUMBNAIL_FORMAT`): the values of the public `ThumbnailFormat` enum
 * (src/images/thumbnail-format.ts; test/images/thumbnail-format.test.ts keeps the two the same).
 */
export const THUMBNAIL_FORMATS = ['webp', 'jpeg', 'png', 'avif'] as const;

/** The name of a thumbnail format. */
export type ThumbnailFormatName = typeof THUMBNAIL_FORMATS[number];
