import { S3Client } from '@aws-sdk/client-s3';
import { ENV } from '../contract/env-names';

/** The name of the middleware {@link expectBucketOwner} adds (one per client). */
const MIDDLEWARE_NAME = 'tapExpectedBucketOwner';

/** Thrown when `TAP_BUCKET_OWNER` is not a 12-digit account id. */
export class InvalidBucketOwnerError extends Error {
  constructor(value: string) {
    super(`Environment variable ${ENV.BUCKET_OWNER} is ${JSON.stringify(value)}; it must be the 12-digit account id that owns the bucket.`);
    this.name = 'InvalidBucketOwnerError';
  }
}

/**
 * Makes every request of `client` that names a bucket carry `ExpectedBucketOwner: owner` (unless
 * the request sets its own), so that S3 refuses it with 403 when the bucket of that name belongs to
 * another account: a bucket deleted and re-created elsewhere under the same name is never read
 * from or written to. Returns the client.
 */
export function expectBucketOwner(client: S3Client, owner: string): S3Client {
  if (!/^[0-9]{12}$/.test(owner)) {
    throw new InvalidBucketOwnerError(owner);
  }
  client.middlewareStack.add(
    (next) => async (args) => {
      const input: object = args.input;
      const bucket = 'Bucket' in input ? input.Bucket : undefined;
      const expected = 'ExpectedBucketOwner' in input ? input.ExpectedBucketOwner : undefined;
      if (typeof bucket !== 'string' || expected !== undefined) {
        return next(args);
      }
      return next({ ...args, input: { ...args.input, ExpectedBucketOwner: owner } });
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
  return client;
}
