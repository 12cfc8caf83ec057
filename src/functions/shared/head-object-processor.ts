import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectProcessor } from './s3-event';

export interface HeadObjectProcessorOptions {
  readonly s3: S3Client;
  /** The notification type recorded for an object that exists, e.g. `image.received`. */
  readonly type: string;
}

/**
 * A processor that only confirms the object (version) exists and reads its size, version and
 * content type with HeadObject, and records `options.type`. A placeholder for the real work
 * (thumbnails, validation): swap the processor, keep the driver.
 *
 * Reads the exact version named by the event when there is one (needs `s3:GetObjectVersion`).
 * A vanished object surfaces as an S3 `NotFound` error, which the driver records as skipped.
 */
export function createHeadObjectProcessor(options: HeadObjectProcessorOptions): ObjectProcessor {
  return async (object) => {
    const head = await options.s3.send(new HeadObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      ...(object.versionId ? { VersionId: object.versionId } : {}),
    }));
    const size = head.ContentLength ?? object.size;
    return {
      type: options.type,
      message: `Received s3://${object.bucket}/${object.key}${size !== undefined ? ` (${size} bytes)` : ''}`,
      details: {
        size,
        versionId: head.VersionId ?? object.versionId,
        contentType: head.ContentType,
        lastModified: head.LastModified?.toISOString(),
      },
    };
  };
}
