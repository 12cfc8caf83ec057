import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ImageSettings, sizeRejectionReason, thumbnailContentType, thumbnailKey } from './settings';
import { makeThumbnails } from './thumbnails';
import { OUTCOME } from '../../contract/notifications-model';
import { RejectionError } from '../../runtime/errors';
import type { ObjectProcessor } from '../../runtime/s3-event';

export interface ThumbnailProcessorOptions {
  readonly s3: S3Client;
  readonly settings: ImageSettings;
  readonly imagesPrefix: string;
  readonly thumbnailsPrefix: string;
}

/**
 * The image processor's work on one object version:
 *
 * 1. size check before download: the event's size, then HeadObject's (which also tells a deleted
 *    object, `NotFound`, recorded as skipped by the driver); too large → rejected, no GetObject;
 * 2. GetObject of that exact version, then {@link makeThumbnails} (format allow-list, pixel limit,
 *    one decode, orientation applied, metadata stripped);
 * 3. one PutObject per width under the thumbnails prefix, then the `image.processed` outcome.
 *
 * Bad input throws a RejectionError (recorded once, never retried). S3 errors propagate: the
 * driver retries transient ones through Lambda and the dead-letter queue.
 */
export function createThumbnailProcessor(options: ThumbnailProcessorOptions): ObjectProcessor {
  const { s3, settings } = options;
  return async (object) => {
    const version = object.versionId ? { VersionId: object.versionId } : {};
    rejectIfTooLarge(object.size, settings.maxBytes);
    const head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, ...version }));
    rejectIfTooLarge(head.ContentLength, settings.maxBytes);

    const got = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...version }));
    // The version is immutable, so its size cannot have changed since HeadObject; checked again anyway.
    rejectIfTooLarge(got.ContentLength, settings.maxBytes);
    const input = Buffer.from(await got.Body!.transformToByteArray());
    rejectIfTooLarge(input.length, settings.maxBytes);

    const result = await makeThumbnails(input, settings);
    const thumbnails = [];
    for (const thumbnail of result.thumbnails) {
      const key = thumbnailKey(object.key, options.imagesPrefix, options.thumbnailsPrefix, thumbnail.requestedWidth, settings.format);
      await s3.send(new PutObjectCommand({
        Bucket: object.bucket,
        Key: key,
        Body: thumbnail.data,
        ContentType: thumbnailContentType(settings.format),
      }));
      thumbnails.push({
        key, requestedWidth: thumbnail.requestedWidth, width: thumbnail.width, height: thumbnail.height, bytes: thumbnail.data.length,
      });
    }
    return {
      type: OUTCOME.image.PROCESSED,
      message: `Wrote ${thumbnails.length} ${settings.format.toUpperCase()} thumbnail(s) of the ${result.width}×${result.height} ` +
        `${result.format.toUpperCase()} image s3://${object.bucket}/${object.key}`,
      details: {
        format: result.format,
        width: result.width,
        height: result.height,
        size: input.length,
        versionId: head.VersionId ?? object.versionId,
        thumbnailFormat: settings.format,
        thumbnailKeys: thumbnails.map((t) => t.key),
        thumbnails,
      },
    };
  };
}

function rejectIfTooLarge(size: number | undefined, maxBytes: number): void {
  const reason = sizeRejectionReason(size, maxBytes);
  if (reason !== undefined) {
    throw new RejectionError(reason, { size, maxImageBytes: maxBytes });
  }
}
