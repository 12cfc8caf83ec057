import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CapturedOutput, captureConsole } from './support/console-capture';
import { fakeConditionalPuts } from './support/fake-table';
import { FIXTURE_BUCKET, FUNCTION_ENV, lambdaContext, s3Event } from './support/fixtures';
import { objectNotificationId } from '../../src/functions/shared/outcome-store';
import type { S3EventProcessingError, S3EventSummary } from '../../src/functions/shared/s3-event';

type Handler = (event: S3Event, context: Context) => Promise<S3EventSummary>;

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let handler: Handler;
let output: CapturedOutput;

beforeAll(() => {
  // The handler reads its environment at module load: set it first, then load the module
  // (into this file's module registry, so that the client mocks above apply to it).
  Object.assign(process.env, FUNCTION_ENV);
  ({ handler } = jest.requireActual<typeof import('../../src/functions/image-processor.lambda')>('../../src/functions/image-processor.lambda'));
});

beforeEach(() => {
  ddb.reset();
  s3.reset();
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

/** HeadObject answers like S3 for an existing object version. */
function objectsExist(): void {
  s3.on(HeadObjectCommand).callsFake(async (input: { Key: string; VersionId?: string }) => ({
    ContentLength: 4096, ContentType: 'image/jpeg', VersionId: input.VersionId, LastModified: new Date('2026-11-28T17:02:11Z'),
  }));
}

const invoke = (event: S3Event): Promise<S3EventSummary> => handler(event, lambdaContext('tap-test-image-processor'));

describe('image processor handler', () => {
  test('processes every record of an event (TESTING cases 1 and 3)', async () => {
    // GIVEN three new images, one with spaces, a plus sign and unicode in its key
    objectsExist();
    const items = fakeConditionalPuts(ddb);
    const event = s3Event('s3-images-several-records.json');

    // WHEN
    const summary = await invoke(event);

    // THEN every object was read with its decoded key and exact version
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: FIXTURE_BUCKET, Key: 'images/My Photo été+1.jpg', VersionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY' },
      { Bucket: FIXTURE_BUCKET, Key: 'images/cats/tabby.png', VersionId: '7pIqhlKXUjjbmFt1bSyH0yRZcqZ8CqWC' },
      { Bucket: FIXTURE_BUCKET, Key: 'images/diagram v2.webp', VersionId: 'Qxm3V4XfDN9.eCgsuGmVZ8hY4Tp2J0uS' },
    ]);
    // AND one image.received notification per object, with its deterministic id
    expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([
      ['images/My Photo été+1.jpg', 'image.received'],
      ['images/cats/tabby.png', 'image.received'],
      ['images/diagram v2.webp', 'image.received'],
    ]);
    expect(items.size).toBe(3);
    const first = items.get(objectNotificationId({
      bucket: FIXTURE_BUCKET, key: 'images/My Photo été+1.jpg', versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
    }));
    expect(first).toEqual(expect.objectContaining({
      type: 'image.received',
      source: `s3://${FIXTURE_BUCKET}/images/My Photo été+1.jpg`,
      feed: 'ALL',
      details: expect.objectContaining({ key: 'images/My Photo été+1.jpg', size: 4096, versionId: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY', bucket: FIXTURE_BUCKET }),
    }));
    expect(first?.sortKey).toBe(`${String(first?.createdAt)}#${String(first?.id)}`);
    // AND EMF metrics were flushed
    expect(output.metric('ObjectsReceived')).toBe(3);
    expect(output.metric('ObjectsProcessed')).toBe(3);
    expect(output.emf()[0]._aws.CloudWatchMetrics[0].Namespace).toBe('TapServerless');
    // AND never a Scan
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  test('a duplicate delivery produces no second notification and no error (TESTING case 4)', async () => {
    // GIVEN the same event delivered twice
    objectsExist();
    const items = fakeConditionalPuts(ddb);
    const event = s3Event('s3-images-several-records.json');
    await invoke(event);
    const stored = new Map(items);

    // WHEN
    const second = await invoke(s3Event('s3-images-several-records.json'));

    // THEN the conditional writes failed, were reported as duplicates and nothing changed
    expect(second.records.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(items).toEqual(stored);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(6);
    expect(output.metric('DuplicateDeliveries')).toBe(3);
    expect(output.logs().some((l) => String(l.message).startsWith('Duplicate delivery'))).toBe(true);
  });

  test('an object deleted before processing is recorded as skipped, not retried (TESTING case 5)', async () => {
    // GIVEN
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const items = fakeConditionalPuts(ddb);

    // WHEN
    const summary = await invoke(s3Event('s3-images-several-records.json'));

    // THEN no throw, and a terminal image.skipped outcome per object
    expect(summary.records.map((r) => r.outcome)).toEqual(['image.skipped', 'image.skipped', 'image.skipped']);
    expect([...items.values()].map((i) => i.type)).toEqual(['image.skipped', 'image.skipped', 'image.skipped']);
    expect(String((items.values().next().value?.details as Record<string, unknown>).reason)).toMatch(/no longer exists/);
    expect(output.metric('ObjectsSkipped')).toBe(3);
  });

  test('a malformed key is recorded as rejected with its raw key, without reading S3 or throwing (TESTING case 2)', async () => {
    // GIVEN
    const items = fakeConditionalPuts(ddb);

    // WHEN
    const summary = await invoke(s3Event('s3-images-malformed-key.json'));

    // THEN
    expect(summary.records).toEqual([expect.objectContaining({ key: 'images/holiday%E0%A4%A.jpg', outcome: 'image.rejected' })]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    const [item] = [...items.values()];
    expect(item).toEqual(expect.objectContaining({
      type: 'image.rejected',
      source: `s3://${FIXTURE_BUCKET}/images/holiday%E0%A4%A.jpg`,
      details: expect.objectContaining({ key: 'images/holiday%E0%A4%A.jpg', reason: expect.stringMatching(/not valid URL encoding/) }),
    }));
    expect(output.metric('ObjectsRejected')).toBe(1);
  });

  test('keys under output prefixes are skipped with a log line and no write (TESTING case 13)', async () => {
    // GIVEN a thumbnail and a report (as if the notification filters were wrong)
    fakeConditionalPuts(ddb);

    // WHEN
    const summary = await invoke(s3Event('s3-output-prefixes.json'));

    // THEN
    expect(summary.records.map((r) => [r.outcome, r.reason])).toEqual([
      ['skipped', 'key is under the output prefix thumbnails/'],
      ['skipped', 'key is under the output prefix reports/'],
    ]);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(output.logs().filter((l) => String(l.message).startsWith('Skipping record'))).toHaveLength(2);
    expect(output.metric('ObjectsIgnored')).toBe(2);
  });

  test('a throttled DynamoDB write makes the handler throw, after the other records were processed', async () => {
    // GIVEN the second write is throttled
    objectsExist();
    const items = fakeConditionalPuts(ddb, {
      2: new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    });

    // WHEN
    const result = invoke(s3Event('s3-images-several-records.json'));

    // THEN the error surfaces for Lambda to retry (and finally dead-letter) ...
    await expect(result).rejects.toThrow(/1 of 3 S3 records failed/);
    const error = await result.then(
      () => {
        throw new Error('the handler should have thrown');
      },
      (err: unknown) => err as S3EventProcessingError,
    );
    expect(error.summary.records.map((r) => r.outcome)).toEqual(['image.received', 'failed', 'image.received']);
    expect(error.failures[0]).toBeInstanceOf(ProvisionedThroughputExceededException);
    // ... but the third record was still processed
    expect(ddb.commandCalls(PutCommand)).toHaveLength(3);
    expect(items.size).toBe(2);
    expect(output.metric('ObjectsFailed')).toBe(1);
  });

  test('an S3 500 makes the handler throw, after the other records were processed', async () => {
    // GIVEN S3 fails on the first object only
    objectsExist();
    const items = fakeConditionalPuts(ddb);
    s3.on(HeadObjectCommand, { Key: 'images/My Photo été+1.jpg' }).rejects(new S3ServiceException({
      name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error. Please try again.',
    }));

    // WHEN / THEN
    await expect(invoke(s3Event('s3-images-several-records.json'))).rejects.toThrow(/1 of 3 S3 records failed.*My Photo été\+1\.jpg/);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(3);
    expect([...items.values()].map((i) => (i.details as Record<string, unknown>).key)).toEqual(['images/cats/tabby.png', 'images/diagram v2.webp']);

    // AND a retry of the whole event records only what was missing
    s3.reset();
    objectsExist();
    const retry = await invoke(s3Event('s3-images-several-records.json'));
    expect(retry.records.map((r) => r.outcome)).toEqual(['image.received', 'duplicate', 'duplicate']);
    expect(items.size).toBe(3);
  });

  test('an event without records (s3:TestEvent) is a no-op', async () => {
    const summary = await invoke(s3Event('s3-test-event.json'));
    expect(summary.records).toEqual([]);
    expect(ddb.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});
