import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import {
  createBucket, createNotificationsTable, dynamoClient, emulatorEndpoint, encodeKeyForEvent, s3Client, s3Event,
  s3FunctionEnv, s3Record, startBundledFunction, TEST_FINGERPRINT,
} from '../../emulator/bundled';
import { ndjson } from '../../emulator/data-files';
import { FaultProxy } from '../../emulator/fault-proxy';
import { LocalFunction } from '../../emulator/local-function';
import type { BatchOperationsEvent, BatchOperationsResponse } from '../../src/runtime/batch-operations';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import type { S3EventSummary } from '../../src/runtime/s3-event';

// The bundled S3 functions answer S3 Batch Operations LambdaInvoke invocations (schemas 1.0 and
// 2.0) against S3 and DynamoDB in moto: the same outcome id as an S3 event for the same object
// version, duplicates Succeeded, bad input PermanentFailure with the reason, faults TemporaryFailure (case 20).
const BUCKET = 'tap-batch-operations';
const TABLE = 'notifications-batch-operations';
let s3: S3Client;
let ddb: DynamoDBDocumentClient;
let images: LocalFunction;
let data: LocalFunction;
let proxy: FaultProxy;
let imagesBehindFaults: LocalFunction;

const imageEnv = {
  ...s3FunctionEnv(TABLE, BUCKET),
  TAP_THUMBNAIL_WIDTHS: '32',
  TAP_THUMBNAIL_FORMAT: 'webp',
  TAP_MAX_IMAGE_BYTES: String(5 * 1024 * 1024),
  TAP_MAX_IMAGE_PIXELS: '100000000',
};

beforeAll(async () => {
  s3 = s3Client();
  ddb = DynamoDBDocumentClient.from(dynamoClient());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  images = await startBundledFunction('image-processor', imageEnv);
  data = await startBundledFunction('data-validator', s3FunctionEnv(TABLE, BUCKET));
  // Every DynamoDB request answered with a throttling error.
  proxy = await FaultProxy.start({ target: emulatorEndpoint(), seed: 1, rate: 1, kinds: ['dynamodb-throttling'] });
  imagesBehindFaults = await startBundledFunction('image-processor', { ...imageEnv, AWS_MAX_ATTEMPTS: '1' }, proxy.endpoint);
});

afterAll(async () => {
  await images?.stop();
  await data?.stop();
  await imagesBehindFaults?.stop();
  await proxy?.stop();
});

async function put(key: string, body: Buffer) {
  const res = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return { key, versionId: res.VersionId!, eTag: res.ETag!.replace(/"/g, ''), size: body.length };
}

const png = (shade: number) => sharp({ create: { width: 40, height: 30, channels: 3, background: { r: shade, g: 90, b: 160 } } }).png().toBuffer();

/** A schema 2.0 invocation, one task per key (URL-encoded as in an inventory manifest). */
function invocation20(tasks: Array<{ key: string; versionId?: string | null }>, bucket = BUCKET): BatchOperationsEvent {
  return {
    invocationSchemaVersion: '2.0',
    invocationId: 'inv-2',
    job: { id: 'job-backfill', userArguments: {} },
    tasks: tasks.map((t, i) => ({ taskId: `t${i}`, s3Bucket: bucket, s3Key: encodeURIComponent(t.key).replace(/%2F/g, '/'), s3VersionId: t.versionId ?? null })),
  };
}

async function outcomeItemsFor(key: string): Promise<Record<string, any>[]> {
  const { Items } = await ddb.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
  return (Items ?? []).filter((item) => typeof item.type === 'string' && item.details?.key === key);
}

test('schema 2.0 task: recorded under the id an S3 event gives; the S3 event and a second job task are duplicates', async () => {
  const object = await put('images/backfill/café 1.png', await png(10));
  const id = objectNotificationId({ bucket: BUCKET, key: object.key, versionId: object.versionId, eTag: object.eTag }, TEST_FINGERPRINT);

  const first = await images.invoke<BatchOperationsResponse>(invocation20([{ key: object.key }]));
  expect(first).toEqual({
    invocationSchemaVersion: '2.0',
    treatMissingKeysAs: 'PermanentFailure',
    invocationId: 'inv-2',
    results: [{ taskId: 't0', resultCode: 'Succeeded', resultString: `recorded image.processed ${id}` }],
  });

  const viaEvent = await images.invoke<S3EventSummary>(s3Event(s3Record(BUCKET, object.key, { ETag: `"${object.eTag}"`, VersionId: object.versionId }, object.size)));
  expect(viaEvent.records).toEqual([expect.objectContaining({ outcome: 'duplicate', notificationId: id })]);

  const again = await images.invoke<BatchOperationsResponse>(invocation20([{ key: object.key, versionId: object.versionId }]));
  expect(again.results).toEqual([{ taskId: 't0', resultCode: 'Succeeded', resultString: `duplicate image.processed ${id}` }]);
  expect(await outcomeItemsFor(object.key)).toHaveLength(1);
});

test('schema 1.0 task (bucket ARN, version id): the data validator records data.valid', async () => {
  const object = await put('data/backfill/orders.ndjson', Buffer.from(ndjson(3)));
  const id = objectNotificationId({ bucket: BUCKET, key: object.key, versionId: object.versionId, eTag: object.eTag }, TEST_FINGERPRINT);
  const response = await data.invoke<BatchOperationsResponse>({
    invocationSchemaVersion: '1.0',
    invocationId: 'inv-1',
    job: { id: 'job-1' },
    tasks: [{ taskId: 'a', s3BucketArn: `arn:aws:s3:::${BUCKET}`, s3Key: encodeKeyForEvent(object.key), s3VersionId: object.versionId }],
  });
  expect(response.invocationSchemaVersion).toBe('1.0');
  expect(response.results).toEqual([{ taskId: 'a', resultCode: 'Succeeded', resultString: `recorded data.valid ${id}` }]);
});

test('bad input is a PermanentFailure with the reason; output keys are skipped; the other tasks of the invocation still run', async () => {
  const corrupt = await put('images/backfill/corrupt.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('not a jpeg '.repeat(20))]));
  const good = await put('images/backfill/good.png', await png(20));
  const response = await images.invoke<BatchOperationsResponse>(invocation20([
    { key: corrupt.key },
    { key: 'images/backfill/never-uploaded.png' },
    { key: 'thumbnails/images/backfill/good-32.webp' },
    { key: good.key },
    { key: 'data/orders.csv' },
  ]));
  const [rejected, absent, output, processed, outside] = response.results;
  expect(rejected).toMatchObject({ resultCode: 'PermanentFailure', resultString: expect.stringMatching(/^image\.rejected obj-[0-9a-f]+: .+/) });
  expect(absent).toEqual({ taskId: 't1', resultCode: 'PermanentFailure', resultString: `object not found: s3://${BUCKET}/images/backfill/never-uploaded.png` });
  expect(output).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/^skipped: /) });
  expect(processed).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/^recorded image\.processed /) });
  expect(outside).toMatchObject({ resultCode: 'PermanentFailure', resultString: expect.stringMatching(/^rejected: .*images\//) });
  expect(await outcomeItemsFor(corrupt.key)).toEqual([expect.objectContaining({ type: 'image.rejected' })]);
  expect(await outcomeItemsFor('images/backfill/never-uploaded.png')).toEqual([]);
});

test('throttled DynamoDB is a TemporaryFailure naming the error, nothing recorded; the redriven task then succeeds once', async () => {
  const object = await put('images/backfill/throttled.png', await png(30));
  const throttled = await imagesBehindFaults.invoke<BatchOperationsResponse>(invocation20([{ key: object.key }]));
  expect(throttled.results).toEqual([
    { taskId: 't0', resultCode: 'TemporaryFailure', resultString: expect.stringMatching(/^ThrottlingException: /) },
  ]);
  expect(proxy.counters.faults['dynamodb-throttling']).toBeGreaterThan(0);
  expect(await outcomeItemsFor(object.key)).toEqual([]);

  const redriven = await images.invoke<BatchOperationsResponse>(invocation20([{ key: object.key }]));
  expect(redriven.results[0]).toMatchObject({ resultCode: 'Succeeded', resultString: expect.stringMatching(/^recorded image\.processed /) });
  expect(await outcomeItemsFor(object.key)).toHaveLength(1);
});

test('an invocation of an unknown schema version fails as a whole, with a message naming the supported ones', async () => {
  await expect(images.invoke({ ...invocation20([{ key: 'images/x.png' }]), invocationSchemaVersion: '3.0' }))
    .rejects.toThrow(/Unsupported S3 Batch Operations invocationSchemaVersion "3\.0".*1\.0 and 2\.0/);
});
