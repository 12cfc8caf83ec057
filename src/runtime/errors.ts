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

/**
 * Thrown by a processor for an object it does not process by design (e.g. a route's skip tag): the
 * object is recorded as `<kind>.skipped` with the message as its reason, once, and never retried.
 */
export class SkippedObjectError extends Error {
  /** Details stored with the skipped notification. */
  public readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'SkippedObjectError';
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

/**
 * Whether an S3 read pinned with `IfMatch` (see `pinnedTo`) failed because the key now holds
 * another write: 412 PreconditionFailed.
 */
export function isOverwritten(err: unknown): boolean {
  return errorName(err) === 'PreconditionFailed' || httpStatusCode(err) === 412;
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

/** Names of timeouts and aborted requests (AWS SDK, smithy, Node.js `AbortSignal`). */
const TIMEOUT_NAMES: ReadonlySet<string> = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node.js system error codes of a failed connection (the network, not the input). */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
]);

/**
 * Whether an error comes from AWS or from the network rather than from the input, and may
 * therefore be transient: an AWS SDK service error (it carries `$metadata` or `$fault`),
 * throttling, a timeout or an aborted request, or a connection fault (`ECONNRESET`, …). Its
 * `cause` chain is looked through (a few levels), since stream and parser errors wrap the
 * error of the read that broke.
 */
export function isServiceFault(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ('$metadata' in current || '$fault' in current || isThrottling(current)) {
      return true;
    }
    const name = errorName(current);
    if (name !== undefined && TIMEOUT_NAMES.has(name)) {
      return true;
    }
    const code = 'code' in current ? current.code : undefined;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) {
      return true;
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return false;
}

/**
 * The outcome rule for an error raised while working on input already in hand (an image that was
 * fully downloaded, a data file being parsed): such an error is a property of the input, and is
 * returned as a {@link RejectionError} (recorded once, never retried) whose message is
 * `describe(<the error's message>)`. Left as they are: a RejectionError (already a rejection), a
 * not-found error, and a {@link isServiceFault service fault} (throttling, timeouts, AWS SDK errors:
 * thrown, so that Lambda retries).
 *
 * @example throw asInputRejection(err, (message) => `The image could not be encoded: ${message}`);
 */
export function asInputRejection(
  err: unknown,
  describe: (message: string) => string,
  details?: Record<string, unknown>,
): unknown {
  if (err instanceof RejectionError || isNotFound(err) || isServiceFault(err)) {
    return err;
  }
  const message = err instanceof Error ? err.message.trim() : String(err);
  return new RejectionError(describe(message), details, { cause: err });
}

/**
 * A rejection with more details, e.g. what S3 said about the object version once it was read: the
 * rejection's own details win. The message and the cause chain are kept.
 */
export function withRejectionDetails(err: RejectionError, details: Record<string, unknown>): RejectionError {
  const merged = new RejectionError(err.message, { ...details, ...err.details }, { cause: err });
  merged.name = err.name;
  return merged;
}
