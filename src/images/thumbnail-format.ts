/**
 * The format the image processor writes thumbnails in. Whatever the input format, every
 * thumbnail of a deployment has this format (and its file extension).
 */
export enum ThumbnailFormat {
  /** WebP (`.webp`, quality 80): small files, transparency, read by every current browser. */
  WEBP = 'webp',
  /** JPEG (`.jpg`, quality 80, mozjpeg): the most compatible; transparent areas become white. */
  JPEG = 'jpeg',
  /** PNG (`.png`, lossless): exact pixels, the largest files. */
  PNG = 'png',
  /** AVIF (`.avif`, quality 50): the smallest files, the slowest to encode. */
  AVIF = 'avif',
}
