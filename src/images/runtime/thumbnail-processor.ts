import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ImageSettings, sizeRejectionReason, thumbnailContentType, thumbnailKey } from './settings';
import { makeThumbnails, ThumbnailSet } from './thumbnails';
import { OUTCOME } from '../../contract/notifications-model';
import { asInputRejection, RejectionError, withRejectionDetails } from '../../runtime/errors';
import { headObjectExact, ObjectReadDetails, objectReadDetails, pinnedTo, writeOutputsWhileCurrent } from '../../runtime/object-read';
import { rejectTooLongOutputKeys } from '../../runtime/output-key';
import type { ObjectProcessor } from '../../runtime/s3-event';
import { SPAN, traceStage } from '../../runtime/tracing';

export interface ThumbnailProcessorOptions {
  readonly s3: S3Client;
  readonly settings: ImageSettings;
  readonly imagesPrefix: string;
  readonly thumbnailsPrefix: string;
}

/**
 * The image processor's work on one object version:
 *
 * 1. the thumbnail keys are derived (`thumbnailKey`): one longer than S3's 1,024 bytes → rejected
 *    before any S3 request;
 * 2. size check before download: the event's size, then HeadObject's (which also tells a deleted
 *    object, `NotFound`, recorded as skipped by the driver); too large → rejected, no GetObject;
 * 3. GetObject of the version HeadObject described, then {@link makeThumbnails} (format allow-list,
 *    pixel limit, one decode, orientation applied, metadata stripped, format dimension limits);
 * 4. one PutObject per width under the thumbnails prefix, then the `image.processed` outcome, whose
 *    `size`, `versionId`, `eTag` and `contentType` are those of the object read, not the event's.
 *
 * Bad input throws a RejectionError (recorded once, never retried): once the object is in memory,
 * any error making the thumbnails is one. S3 errors propagate: the driver retries transient ones
 * through Lambda and the dead-letter queue.
 */
export function createThumbnailProcessor(options: ThumbnailProcessorOptions): ObjectProcessor {
  const { s3, settings } = options;
  return async (object, budget) => {
    const keyOf = (width: number): string => thumbnailKey(object.key, options.imagesPrefix, options.thumbnailsPrefix, width, settings.format);
    rejectTooLongOutputKeys(settings.widths.map(keyOf), 'thumbnail');
    rejectIfTooLarge(object.size, settings.maxBytes);
    const { input, read } = await traceStage(SPAN.READ, async () => {
      const head = await headObjectExact(s3, { Bucket: object.bucket, Key: object.key, ...pinnedTo(object) });
      const headed = objectReadDetails(object, head);
      rejectIfTooLarge(head.ContentLength, settings.maxBytes, headed);

      // Read exactly the version HeadObject described (its version id, else its ETag), never a later write of the key.
      const got = await s3.send(new GetObjectCommand({
        Bucket: object.bucket, Key: object.key, ...pinnedTo({ versionId: object.versionId ?? head.VersionId, eTag: head.ETag ?? object.eTag }),
      }));
      // The version is immutable, so its size cannot have changed since HeadObject; checked again anyway.
      rejectIfTooLarge(got.ContentLength, settings.maxBytes, objectReadDetails(object, got));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      const details = objectReadDetails(object, {
        VersionId: got.VersionId ?? head.VersionId,
        ETag: got.ETag ?? head.ETag,
        ContentType: got.ContentType ?? head.ContentType,
      }, bytes.length);
      rejectIfTooLarge(bytes.length, settings.maxBytes, details);
      return { input: bytes, read: details };
    });

    let result: ThumbnailSet;
    try {
      result = await traceStage(SPAN.DECODE, () => makeThumbnails(input, settings, budget));
    } catch (err) {
      const rejection = asInputRejection(err, (message) => `The image could not be made into thumbnails: ${message}`);
      throw rejection instanceof RejectionError ? withRejectionDetails(rejection, { ...read }) : rejection;
    }
    // Never over the outputs of a newer write of the key (a late, retried or redriven event, or one processed at the same time).
    const thumbnails = result.thumbnails.map(({ requestedWidth, width, height, data }) => ({
      key: keyOf(requestedWidth), requestedWidth, width, height, bytes: data.length,
    }));
    const outputs = result.thumbnails.map((thumbnail, i) => ({
      Key: thumbnails[i].key, Body: thumbnail.data, ContentType: thumbnailContentType(settings.format),
    }));
    await traceStage(SPAN.WRITE_OUTPUTS, () => writeOutputsWhileCurrent(s3, { bucket: object.bucket, key: object.key, read }, outputs));
    return {
      type: OUTCOME.image.PROCESSED,
      message: `Wrote ${thumbnails.length} ${settings.format.toUpperCase()} thumbnail(s) of the ${result.width}×${result.height} ` +
        `${result.format.toUpperCase()} image s3://${object.bucket}/${object.key}`,
      details: {
        ...read,
        format: result.format,
        width: result.width,
        height: result.height,
        thumbnailFormat: settings.format,
        thumbnailKeys: thumbnails.map((t) => t.key),
        thumbnails,
      },
    };
  };
}

function rejectIfTooLarge(size: number | undefined, maxBytes: number, read?: ObjectReadDetails): void {
  const reason = sizeRejectionReason(size, maxBytes);
  if (reason !== undefined) {
    throw new RejectionError(reason, { ...read, size, maxImageBytes: maxBytes });
  }
}
