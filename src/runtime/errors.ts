/**
 * Error classification shared by the handlers.
 *
 * The outcome rule (docs/architecture.md): bad input is rejected once and recorded (never retried), an
 * object that no longer exists is skipped and recorded (never retried), and everything else is
 * treated as possibly transient and rethrown, so that Lambda retries the event and finally sends
 * it to the dead-letter queue.
 */

/** Bad input: recorded as a `<kind>.rejected` outcome, never retried. */
export class RejectionError extends Error {
  /** Outcome-specific details stored with the rejection notification. */
  public readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'RejectionError';
    this.details = details;
  }
}

/** S3 error names meaning "this object (version) does not exist". `NotFound` is what HeadObject reports. */
const NOT_FOUND_NAMES: ReadonlySet<string> = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);

/** Error names of throttling by DynamoDB, S3 or the SDK. */
const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'SlowDown',
]);

/** The `name` of an error-like value, if it has one. */
export function errorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string') {
    return err.name;
  }
  return undefined;
}

/** The HTTP status code of an AWS SDK v3 service error, if it has one. */
export function httpStatusCode(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && '$metadata' in err) {
    const metadata = err.$metadata;
    if (typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata && typeof metadata.httpStatusCode === 'number') {
      return metadata.httpStatusCode;
    }
  }
  return undefined;
}

/**
 * Whether an S3 error means the object is gone (deleted before it could be processed):
 * `NoSuchKey`, `NotFound`, `NoSuchVersion`, or any other 404 except a missing bucket
 * (a deployment error, left to retry and the dead-letter queue).
 *
 * Note: S3 answers 403, not 404, for a missing key when the caller lacks `s3:ListBucket`;
 * the function's role must therefore be allowed to list its input prefix.
 */
export function isNotFound(err: unknown): boolean {
  const name = errorName(err);
  if (name !== undefined && NOT_FOUND_NAMES.has(name)) {
    return true;
  }
  return httpStatusCode(err) === 404 && name !== 'NoSuchBucket';
}

/** Whether a DynamoDB write failed its condition expression. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return errorName(err) === 'ConditionalCheckFailedException';
}

/** Whether an AWS error is throttling (retrying later may succeed). */
export function isThrottling(err: unknown): boolean {
  const name = errorName(err);
  return (name !== undefined && THROTTLING_NAMES.has(name)) || httpStatusCode(err) === 429;
}
