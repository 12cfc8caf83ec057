import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import {
  asInputRejection, errorName, httpStatusCode, isConditionalCheckFailed, isNotFound, isServiceFault, isThrottling, RejectionError,
  withRejectionDetails,
} from '../../src/runtime/errors';

const s3Error = (name: string, status: number): S3ServiceException =>
  new S3ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: name });

describe('isNotFound', () => {
  test.each([
    ['HeadObject NotFound', new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } })],
    ['GetObject NoSuchKey', new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } })],
    ['NoSuchVersion', s3Error('NoSuchVersion', 404)],
    ['an unnamed 404', s3Error('UnknownError', 404)],
  ])('is true for %s', (_name, err) => {
    expect(isNotFound(err)).toBe(true);
  });

  test.each([
    ['a missing bucket (deployment error)', s3Error('NoSuchBucket', 404)],
    ['access denied', s3Error('AccessDenied', 403)],
    ['an S3 500', s3Error('InternalError', 500)],
    ['a plain Error', new Error('boom')],
    ['a string', 'NotFound?'],
    ['undefined', undefined],
  ])('is false for %s', (_name, err) => {
    expect(isNotFound(err)).toBe(false);
  });
});

describe('isConditionalCheckFailed / isThrottling', () => {
  test('recognise DynamoDB errors by name', () => {
    const conditional = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    const throttled = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });

    expect(isConditionalCheckFailed(conditional)).toBe(true);
    expect(isConditionalCheckFailed(throttled)).toBe(false);
    expect(isThrottling(throttled)).toBe(true);
    expect(isThrottling(conditional)).toBe(false);
    expect(isThrottling(s3Error('SlowDown', 503))).toBe(true);
    expect(isThrottling(s3Error('TooMany', 429))).toBe(true);
    expect(isThrottling(s3Error('InternalError', 500))).toBe(false);
  });

  test('errorName and httpStatusCode tolerate non-errors', () => {
    expect(errorName({ name: 'X' })).toBe('X');
    expect(errorName(null)).toBeUndefined();
    expect(httpStatusCode({ $metadata: { httpStatusCode: 503 } })).toBe(503);
    expect(httpStatusCode({ $metadata: null })).toBeUndefined();
  });
});

describe('RejectionError', () => {
  test('carries details and a cause', () => {
    const cause = new Error('root');
    const err = new RejectionError('not an image', { format: 'svg' }, { cause });
    expect(err.name).toBe('RejectionError');
    expect(err.details).toEqual({ format: 'svg' });
    expect(err.cause).toBe(cause);
  });
});

describe('isServiceFault', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  test.each([
    ['an S3 500', s3Error('InternalError', 500)],
    ['S3 access denied (a deployment error, left to retry and the dead-letter queue)', s3Error('AccessDenied', 403)],
    ['S3 throttling (SlowDown)', s3Error('SlowDown', 503)],
    ['DynamoDB throttling', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } })],
    ['an SDK timeout', Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' })],
    ['an aborted request', Object.assign(new Error('The operation was aborted'), { name: 'AbortError' })],
    ['a connection reset', reset],
    ['a DNS failure', Object.assign(new Error('getaddrinfo EAI_AGAIN s3.amazonaws.com'), { code: 'EAI_AGAIN' })],
    ['an error caused by a connection reset', new Error('stream failed', { cause: reset })],
  ])('is true for %s', (_name, err) => {
    expect(isServiceFault(err)).toBe(true);
  });

  test.each([
    ['a sharp error', new Error('Processed image is too large for the WebP format')],
    ['a libvips decode error', new Error('VipsJpeg: Premature end of input file')],
    ['a parser error', new SyntaxError('Unexpected token } in JSON at position 3')],
    ['a stack overflow', new RangeError('Maximum call stack size exceeded')],
    ['a file system error that is not the network', Object.assign(new Error('EACCES'), { code: 'EACCES' })],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('is false for %s', (_name, err) => {
    expect(isServiceFault(err)).toBe(false);
  });
});

describe('asInputRejection', () => {
  test('an error of the input (e.g. from sharp or a parser) becomes a rejection, with the cause and the details', () => {
    // GIVEN
    const err = new Error('Processed image is too large for the WebP format\n');

    // WHEN
    const result = asInputRejection(err, (message) => `The image could not be encoded: ${message}`, { format: 'png' });

    // THEN
    expect(result).toBeInstanceOf(RejectionError);
    expect((result as RejectionError).message).toBe('The image could not be encoded: Processed image is too large for the WebP format');
    expect((result as RejectionError).details).toEqual({ format: 'png' });
    expect((result as RejectionError).cause).toBe(err);
  });

  test.each([
    ['a rejection', new RejectionError('already one')],
    ['an object deleted meanwhile', new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } })],
    ['an S3 500', s3Error('InternalError', 500)],
    ['throttling', s3Error('SlowDown', 503)],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('leaves %s as it is (thrown, so a transient fault is retried)', (_name, err) => {
    expect(asInputRejection(err, (m) => m)).toBe(err);
  });

  test('a non-Error value becomes a rejection too', () => {
    expect(asInputRejection('weird', (m) => `failed: ${m}`)).toEqual(expect.objectContaining({ message: 'failed: weird' }));
  });
});

describe('withRejectionDetails', () => {
  test('adds details under the rejection\'s own, keeping its message, name and cause', () => {
    const original = new RejectionError('too large', { size: 5 });
    original.name = 'TooLarge';

    const merged = withRejectionDetails(original, { size: 40, versionId: 'v1' });

    expect(merged).toBeInstanceOf(RejectionError);
    expect(merged).toMatchObject({ message: 'too large', name: 'TooLarge', details: { size: 5, versionId: 'v1' } });
    expect(merged.cause).toBe(original);
  });
});
