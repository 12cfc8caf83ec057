import { ConditionalCheckFailedException, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import {
  errorName, httpStatusCode, isConditionalCheckFailed, isNotFound, isThrottling, RejectionError,
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
