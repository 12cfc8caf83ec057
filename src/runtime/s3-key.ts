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
