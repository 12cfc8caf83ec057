import type { S3EventRecord } from 'aws-lambda';
import { RejectionError } from './errors';

/** An S3 event key that is not valid URL encoding: bad input, recorded as a rejection. */
export class MalformedKeyError extends RejectionError {
  /** The key exactly as it appeared in the event. */
  public readonly rawKey: string;

  constructor(rawKey: string, cause?: unknown) {
    super(`The object key in the S3 event is not valid URL encoding: ${JSON.stringify(rawKey)}`, { rawKey }, { cause });
    this.name = 'MalformedKeyError';
    this.rawKey = rawKey;
  }
}

/**
 * Decodes an object key as S3 writes it in event notifications (form URL encoding):
 * `+` is a space, then percent-decoding as UTF-8.
 *
 * @example decodeS3Key('images/My+Photo+%C3%A9t%C3%A9%2B1.jpg') === 'images/My Photo été+1.jpg'
 * @throws MalformedKeyError when the percent-encoding is malformed (e.g. `%E0%A4%A`).
 */
export function decodeS3Key(rawKey: string): string {
  try {
    return decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch (err) {
    if (err instanceof URIError) {
      throw new MalformedKeyError(rawKey, err);
    }
    throw err;
  }
}

/**
 * Encodes a (decoded) key or prefix the way S3 writes keys in event notifications,
 * so that a key that cannot be decoded can still be compared with a prefix.
 */
export function encodeS3KeyForEvent(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** What an S3 ObjectCreated record names, with the key as it is (not encoded). */
export interface ObjectCreatedRecordInput {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly eTag: string;
  readonly versionId?: string;
  readonly sequencer?: string;
  readonly region: string;
  readonly eventTime: string;
  /** e.g. `ObjectCreated:Put`. */
  readonly eventName: string;
  /** Who made the record (principal, configuration id, request id), e.g. `cdk-tap-serverless-reprocess`. */
  readonly origin: string;
}

/**
 * The S3 event notification record S3 would send for an object (its key URL-encoded as S3
 * encodes it): what `reprocess` delivers, and what an EventBridge event is read as.
 */
export function objectCreatedRecord(input: ObjectCreatedRecordInput): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: input.eventTime,
    eventName: input.eventName,
    userIdentity: { principalId: input.origin },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': input.origin, 'x-amz-id-2': input.origin },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: input.origin,
      bucket: { name: input.bucket, ownerIdentity: { principalId: input.origin }, arn: `arn:aws:s3:::${input.bucket}` },
      object: {
        key: encodeS3KeyForEvent(input.key),
        size: input.size,
        eTag: input.eTag,
        ...(input.versionId ? { versionId: input.versionId } : {}),
        ...(input.sequencer ? { sequencer: input.sequencer } : {}),
      },
    },
  } as S3EventRecord;
}
