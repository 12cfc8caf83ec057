import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BatchOperationsEvent,
  BatchOperationsTask,
  isBatchOperationsEvent,
  MAX_RESULT_STRING_LENGTH,
  processBatchOperationsEvent,
  ProcessBatchOperationsOptions,
} from '../../src/runtime/batch-operations';
import { RejectionError } from '../../src/runtime/errors';
import { createNotificationsTable } from '../../src/runtime/notifications-table';
import { objectNotificationId, S3ObjectRef } from '../../src/runtime/outcome-store';
import type { ObjectProcessor } from '../../src/runtime/s3-event';
import { createS3Handler } from '../../src/runtime/s3-handler';
import { CapturedOutput, captureConsole } from '../support/console-capture';
import { fakeConditionalPuts, fakeGets } from '../support/fake-table';
import { FIXTURE_BUCKET, FUNCTION_ENV, lambdaContext, loadFixture, s3Event } from '../support/fixtures';

// The fixtures s3-batch-operations-1.0.json and -2.0.json are the example requests of
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html (schema 1.0
// and 2.0), with the fixtures' bucket and keys under images/.
const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let output: CapturedOutput;

beforeAll(() => {
  Object.assign(process.env, FUNCTION_ENV);
});

beforeEach(() => {
  ddb.reset();
  // skipRecordedObjects: no notification yet, unless a test reads the stored ones (fakeGets).
  ddb.on(GetCommand).resolves({});
  s3.reset();
  s3.on(HeadObjectCommand).callsFake(async (input: { VersionId?: string }) => ({
    ContentLength: 1234, ETag: '"etag-head"', ...(input.VersionId ? { VersionId: input.VersionId } : {}),
  }));
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

const accept: ObjectProcessor = async () => ({ type: 'image.processed', message: 'ok' });

function options(processor: ObjectProcessor = accept, overrides: Partial<ProcessBatchOperationsOptions> = {}): ProcessBatchOperationsOptions {
  const logger = new Logger({ serviceName: 'test', logLevel: 'INFO' });
  return {
    kind: 'image',
    inputPrefix: 'images/',
    outputPrefixes: ['thumbnails/', 'reports/'],
    processor,
    store: { table: createNotificationsTable('notifications'), fingerprint: 'fp1', logger },
    logger,
    metrics: new Metrics({ namespace: 'TapServerless', serviceName: 'test' }),
    expectedBucket: FIXTURE_BUCKET,
    skipRecordedObjects: true,
    s3: new S3Client({}),
    ...overrides,
  };
}

function v1(): BatchOperationsEvent {
  return loadFixture<BatchOperationsEvent>('s3-batch-operations-1.0.json');
}

function v2(): BatchOperationsEvent {
  return loadFixture<BatchOperationsEvent>('s3-batch-operations-2.0.json');
}

/** A schema 2.0 invocation of tasks for the fixture bucket. */
function v2With(...tasks: Array<Partial<BatchOperationsTask>>): BatchOperationsEvent {
  return {
    ...v2(),
    tasks: tasks.map((task, i) => ({ taskId: `task-${i + 1}`, s3Bucket: FIXTURE_BUCKET, s3Key: 'images/a.jpg', s3VersionId: null, ...task })),
  };
}

const idOf = (object: Pick<S3ObjectRef, 'bucket' | 'key' | 'versionId' | 'eTag'>) => objectNotificationId(object, 'fp1');

describe('isBatchOperationsEvent', () => {
  test('tells Batch Operations invocations from S3 events', () => {
    expect(isBatchOperationsEvent(v1())).toBe(true);
    expect(isBatchOperationsEvent(v2())).toBe(true);
    expect(isBatchOperationsEvent({ ...v1(), invocationSchemaVersion: '3.0' })).toBe(true);
    expect(isBatchOperationsEvent(s3Event('s3-images-several-records.json'))).toBe(false);
    expect(isBatchOperationsEvent(loadFixture('s3-test-event.json'))).toBe(false);
    expect(isBatchOperationsEvent(null)).toBe(false);
    expect(isBatchOperationsEvent('1.0')).toBe(false);
  });
});

describe('processBatchOperationsEvent', () => {
  test('schema 1.0 (AWS example): the bucket from s3BucketArn, the version id, one Succeeded result echoing the invocation', async () => {
    // GIVEN
    fakeConditionalPuts(ddb);
    const seen: S3ObjectRef[] = [];

    // WHEN
    const response = await processBatchOperationsEvent(v1(), options(async (object) => {
      seen.push(object);
      return { type: 'image.processed', message: 'ok' };
    }));

    // THEN
    const id = idOf({ bucket: FIXTURE_BUCKET, key: 'images/customerImage1.jpg', versionId: '1' });
    expect(response).toEqual({
      invocationSchemaVersion: '1.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
      results: [{ taskId: 'dGFza2lkZ29lc2hlcmUK', resultCode: 'Succeeded', resultString: `recorded image.processed ${id}` }],
    });
    expect(seen).toEqual([{ bucket: FIXTURE_BUCKET, key: 'images/customerImage1.jpg', versionId: '1', size: 1234, eTag: 'etag-head' }]);
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: FIXTURE_BUCKET, Key: 'images/customerImage1.jpg', VersionId: '1' });
  });

  test('schema 2.0 (AWS example): the bucket from s3Bucket, a null version id: the HeadObject eTag is in the id', async () => {
    // GIVEN an unversioned bucket: HeadObject answers no version id
    const items = fakeConditionalPuts(ddb);

    // WHEN
    const response = await processBatchOperationsEvent(v2(), options());

    // THEN the key is decoded, the id is the one an S3 event with that eTag gives
    const key = 'images/summer holiday/beach café.jpg';
    const id = idOf({ bucket: FIXTURE_BUCKET, key, eTag: 'etag-head' });
    expect(response).toEqual({
      invocationSchemaVersion: '2.0',
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: 'Jr3s8KZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo',
      results: [{ taskId: 'y5R3a2lkZ29lc2hlcmUK', resultCode: 'Succeeded', resultString: `recorded image.processed ${id}` }],
    });
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input).toEqual({ Bucket: FIXTURE_BUCKET, Key: key });
    expect(items.get(id)?.details).toEqual(expect.objectContaining({ key, eTag: 'etag-head', size: 1234 }));
  });

  test('a null version id in a versioned bucket: the current version from HeadObject names the object', async () => {
    fakeConditionalPuts(ddb);
    s3.on(HeadObjectCommand).resolves({ ContentLength: 5, ETag: '"e"', VersionId: 'v-current' });

    const response = await processBatchOperationsEvent(v2With({ s3Key: 'images/a.jpg' }), options());

    expect(response.results[0].resultString).toBe(`recorded image.processed ${idOf({ bucket: FIXTURE_BUCKET, key: 'images/a.jpg', versionId: 'v-current' })}`);
  });

  test.each([
    ['+ and %20 are spaces', 'images/summer+holiday/beach%20caf%C3%A9.jpg', 'images/summer holiday/beach café.jpg'],
    ['%2B is a plus', 'images/1%2B1%3D2.jpg', 'images/1+1=2.jpg'],
    ['unicode', 'images/%E6%97%A5%E6%9C%AC/%F0%9F%90%88.png', 'images/日本/🐈.png'],
    ['plain', 'images/cats/tabby.png', 'images/cats/tabby.png'],
  ])('URL-encoded keys are decoded (%s)', async (_name, rawKey, key) => {
    fakeConditionalPuts(ddb);
    const seen: string[] = [];

    const response = await processBatchOperationsEvent(v2With({ s3Key: rawKey }), options(async (object) => {
      seen.push(object.key);
      return { type: 'image.processed', message: 'ok' };
    }));

    expect(response.results[0].resultCode).toBe('Succeeded');
    expect(seen).toEqual([key]);
    expect(s3.commandCalls(HeadObjectCommand)[0].args[0].input.Key).toBe(key);
  });

  test('an object that does not exist is a PermanentFailure, nothing processed or recorded', async () => {
    // HeadObject's bodyless 404 is NotFound whatever is missing; GetObject then names it
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
    const processor = jest.fn(accept);

    const response = await processBatchOperationsEvent(v2With({ s3Key: 'images/gone.jpg', s3VersionId: 'v9' }), options(processor));

    expect(response.results).toEqual([{ taskId: 'task-1', resultCode: 'PermanentFailure', resultString: `object not found: s3://${FIXTURE_BUCKET}/images/gone.jpg (version v9)` }]);
    expect(s3.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: FIXTURE_BUCKET, Key: 'images/gone.jpg', VersionId: 'v9', Range: 'bytes=0-0' });
    expect(processor).not.toHaveBeenCalled();
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('a bucket that does not exist is a TemporaryFailure (NoSuchBucket), never "object not found" (finding: a missing bucket reads as deleted)', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } }));
    const processor = jest.fn(accept);

    const response = await processBatchOperationsEvent(v2With({ s3Key: 'images/a.jpg' }), options(processor));

    expect(response.results).toEqual([{ taskId: 'task-1', resultCode: 'TemporaryFailure', resultString: 'NoSuchBucket: The specified bucket does not exist' }]);
    expect(processor).not.toHaveBeenCalled();
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('throttled DynamoDB is a TemporaryFailure with the error name; the other tasks are processed and nothing throws', async () => {
    // GIVEN the first notification write is throttled
    fakeConditionalPuts(ddb, {
      1: new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    });

    // WHEN
    const response = await processBatchOperationsEvent(v2With({ s3Key: 'images/a.jpg' }, { s3Key: 'images/b.jpg' }), options());

    // THEN
    expect(response.results.map((r) => [r.taskId, r.resultCode])).toEqual([['task-1', 'TemporaryFailure'], ['task-2', 'Succeeded']]);
    expect(response.results[0].resultString).toBe('ProvisionedThroughputExceededException: Rate exceeded');
    expect(output.metric('ObjectsFailed')).toBe(1);
    expect(output.metric('ObjectsProcessed')).toBe(1);
  });

  test('an S3 fault on HeadObject (503 SlowDown) is a TemporaryFailure', async () => {
    s3.on(HeadObjectCommand).rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', message: 'Please reduce your request rate.', $metadata: { httpStatusCode: 503 } }));

    const response = await processBatchOperationsEvent(v2With({}), options());

    expect(response.results[0]).toEqual({ taskId: 'task-1', resultCode: 'TemporaryFailure', resultString: 'SlowDown: Please reduce your request rate.' });
  });

  test('a rejection is a PermanentFailure with the reason, recorded as <kind>.rejected', async () => {
    const items = fakeConditionalPuts(ddb);

    const response = await processBatchOperationsEvent(v2With({ s3Key: 'images/cats/tabby.png', s3VersionId: 'v1' }), options(async () => {
      throw new RejectionError('PNG is not allowed here', { format: 'png' });
    }));

    const id = idOf({ bucket: FIXTURE_BUCKET, key: 'images/cats/tabby.png', versionId: 'v1' });
    expect(response.results).toEqual([{ taskId: 'task-1', resultCode: 'PermanentFailure', resultString: `image.rejected ${id}: PNG is not allowed here` }]);
    expect(items.get(id)).toEqual(expect.objectContaining({ type: 'image.rejected' }));
  });

  test('a second invocation for the same object version is Succeeded as a duplicate, not processed again', async () => {
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    const processor = jest.fn(accept);

    const first = await processBatchOperationsEvent(v1(), options(processor));
    const second = await processBatchOperationsEvent(v1(), options(processor));

    const id = idOf({ bucket: FIXTURE_BUCKET, key: 'images/customerImage1.jpg', versionId: '1' });
    expect(first.results[0].resultString).toBe(`recorded image.processed ${id}`);
    expect(second.results[0]).toEqual({ taskId: 'dGFza2lkZ29lc2hlcmUK', resultCode: 'Succeeded', resultString: `duplicate image.processed ${id}` });
    expect(processor).toHaveBeenCalledTimes(1);
  });

  test('keys under an output prefix and folder placeholders are Succeeded as skipped, without HeadObject', async () => {
    const response = await processBatchOperationsEvent(v2With(
      { s3Key: 'thumbnails/images/a.jpg/128.webp' },
      { s3Key: 'reports/data/x.csv.report.json' },
      { s3Key: 'images/albums/' },
    ), options());

    expect(response.results.map((r) => [r.resultCode, r.resultString])).toEqual([
      ['Succeeded', 'skipped: key is under the output prefix thumbnails/'],
      ['Succeeded', 'skipped: key is under the output prefix reports/'],
      ['Succeeded', 'skipped: key is a folder placeholder'],
    ]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('a key outside the input prefix, another bucket and a task without a bucket are PermanentFailures, nothing recorded', async () => {
    const response = await processBatchOperationsEvent(v2With(
      { s3Key: 'uploads/a.jpg' },
      { s3Bucket: 'someone-elses-bucket' },
      { s3Bucket: undefined },
    ), options());

    expect(response.results.map((r) => [r.resultCode, r.resultString])).toEqual([
      ['PermanentFailure', 'rejected: key is not under the input prefix images/'],
      ['PermanentFailure', `rejected: bucket someone-elses-bucket is not the bucket this function was deployed for (${FIXTURE_BUCKET})`],
      ['PermanentFailure', 'rejected: the task names no bucket or no key'],
    ]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('a malformed key is a PermanentFailure, recorded as <kind>.rejected under the raw key', async () => {
    const items = fakeConditionalPuts(ddb);

    const response = await processBatchOperationsEvent(v2With({ s3Key: 'images/holiday%E0%A4%A.jpg', s3VersionId: 'v1' }), options());

    const id = idOf({ bucket: FIXTURE_BUCKET, key: 'images/holiday%E0%A4%A.jpg', versionId: 'v1' });
    expect(response.results[0]).toEqual({
      taskId: 'task-1',
      resultCode: 'PermanentFailure',
      resultString: `image.rejected ${id}: The object key in the S3 event is not valid URL encoding: "images/holiday%E0%A4%A.jpg"`,
    });
    expect(items.get(id)).toEqual(expect.objectContaining({ type: 'image.rejected' }));
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  test(`a long reason is cut to ${MAX_RESULT_STRING_LENGTH} characters`, async () => {
    fakeConditionalPuts(ddb);

    const response = await processBatchOperationsEvent(v2With({}), options(async () => {
      throw new RejectionError('x'.repeat(5000));
    }));

    expect(response.results[0].resultString).toHaveLength(MAX_RESULT_STRING_LENGTH);
    expect(response.results[0].resultString.endsWith('…')).toBe(true);
  });

  test('an unknown invocation schema version throws with a clear message', async () => {
    await expect(processBatchOperationsEvent({ ...v1(), invocationSchemaVersion: '3.0' }, options()))
      .rejects.toThrow('Unsupported S3 Batch Operations invocationSchemaVersion "3.0": this function understands 1.0 and 2.0');
  });

  test('a payload with a schema version but no tasks throws', async () => {
    await expect(processBatchOperationsEvent({ invocationSchemaVersion: '2.0' } as unknown as BatchOperationsEvent, options()))
      .rejects.toThrow(/Malformed S3 Batch Operations invocation/);
  });
});

describe('createS3Handler', () => {
  test('answers Batch Operations invocations with task results and S3 events with a summary', async () => {
    const items = fakeConditionalPuts(ddb);
    fakeGets(ddb, items);
    const handler = createS3Handler('image', 'images/', accept);

    const batch = await handler(v1(), lambdaContext());
    const summary = await handler(s3Event('s3-images-several-records.json'), lambdaContext());
    const testEvent = await handler(loadFixture('s3-test-event.json'), lambdaContext());

    expect(batch.results.map((r) => r.resultCode)).toEqual(['Succeeded']);
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.processed', 'image.processed', 'image.processed']);
    // An event that is neither keeps its current handling: logged, nothing done.
    expect(testEvent).toEqual({ records: [] });
  });
});
