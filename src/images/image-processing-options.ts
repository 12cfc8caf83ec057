import { Size } from 'aws-cdk-lib';
import { ThumbnailFormat } from './thumbnail-format';

/**
 * What the image processor makes of the objects uploaded under `imageInputPrefix`: the thumbnails'
 * widths and format, and the limits that reject an image before it is decoded. Part of
 * {@link TapServerlessProps}.
 */
export interface ImageProcessingOptions {
  /**
   * Widths of the thumbnails written for every image, in pixels.
   *
   * One object per width, at `<imageOutputPrefix><key without imageInputPrefix>/<width>.<ext>`;
   * 1 to 10 distinct whole numbers from 1 to 16383. Images are never enlarged: a narrower
   * image gives a thumbnail of its own width (the notification says which width was produced).
   *
   * @default [128, 512]
   */
  readonly imageThumbnailWidths?: number[];

  /**
   * Format of the thumbnails, whatever the input format.
   *
   * @default ThumbnailFormat.WEBP
   */
  readonly imageThumbnailFormat?: ThumbnailFormat;

  /**
   * Largest image object processed (1 byte to 1 GiB). A larger one is rejected
   * (`image.rejected`) from its size alone, without being downloaded.
   *
   * @default Size.mebibytes(50)
   */
  readonly imageMaxSize?: Size;

  /**
   * Largest image processed, as width × height in pixels, read from the image's header: the
   * decompression-bomb limit. A larger image is rejected without decoding its pixels. The
   * default covers 100 MP photos; decoding one needs at most about 5 bytes per pixel (an
   * interlaced RGBA PNG, which cannot be streamed: 563 MB peak measured for the whole function by
   * `bench/measure-image-rss.ts`),
   * within the default 1024 MiB of the image processor. Raise `imageProcessor.memorySize` with
   * it (a warning says when).
   *
   * @default 100_000_000
   */
  readonly imageMaxPixels?: number;
}
