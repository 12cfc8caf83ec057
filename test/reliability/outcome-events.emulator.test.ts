import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  createBucket, createNotificationsTable, dynamoClient, emulatorClientConfig, s3Client, s3Event, s3FunctionEnv, s3Record, startBundledFunction,
  TEST_FINGERPRINT,
} from '../../emulator/bundled';
import { LocalFunction } from '../../emulator/local-function';
import { OUTCOME_EVENT_SOURCE } from '../../src/contract/notifications-model';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import type { S3EventSummary } from '../../src/runtime/s3-event';
import * as images from '../support/images';

// Outcome events end to end: the bundled image processor publishes each recorded outcome to an
// event bus in moto; a rule sends them to an SQS queue, read back here.
const TABLE = 'outcome-events-test';
const BUCKET = 'outcome-events-bucket';
const BUS = 'tap-outcomes';

let s3: S3Client;
let sqs: SQSClient;
let queueUrl: string;
let fn: LocalFunction;
let busArn: string;

const env = (bus: string) => ({
  ...s3FunctionEnv(TABLE, BUCKET),
  TAP_THUMBNAIL_WIDTHS: '64',
  TAP_THUMBNAIL_FORMAT: 'webp',
  TAP_MAX_IMAGE_BYTES: String(1024 * 1024),
  TAP_MAX_IMAGE_PIXELS: '100000000',
  TAP_OUTCOME_EVENT_BUS: bus,
});

async function received(): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for (let i = 0; i < 3; i++) {
    const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    out.push(...(res.Messages ?? []).map((m) => JSON.parse(m.Body!)));
    if ((res.Messages ?? []).length === 0 && out.length > 0) break;
  }
  return out;
}

async function upload(key: string) {
  const body = await images.png(40, 30);
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return s3Record(BUCKET, key, put, body.length);
}

beforeAll(async () => {
  s3 = s3Client();
  sqs = new SQSClient(emulatorClientConfig());
  const eventBridge = new EventBridgeClient(emulatorClientConfig());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  busArn = (await eventBridge.send(new CreateEventBusCommand({ Name: BUS }))).EventBusArn!;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'outcome-events' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await eventBridge.send(new PutRuleCommand({ Name: 'all-outcomes', EventBusName: BUS, EventPattern: JSON.stringify({ source: [OUTCOME_EVENT_SOURCE] }) }));
  await eventBridge.send(new PutTargetsCommand({ Rule: 'all-outcomes', EventBusName: BUS, Targets: [{ Id: 'queue', Arn: queueArn }] }));
  fn = await startBundledFunction('image-processor', env(busArn));
});

afterAll(async () => {
  await fn?.stop();
});

test('each recorded outcome is published: source, detail-type the notification type, detail the notification', async () => {
  const key = 'images/events/été+1 photo.png';
  const record = await upload(key);

  const summary = await fn.invoke<S3EventSummary>(s3Event(record));

  expect(summary.records).toEqual([expect.objectContaining({ key, outcome: 'image.processed' })]);
  const events = await received();
  expect(events).toHaveLength(1);
  const id = objectNotificationId({ bucket: BUCKET, key, versionId: record.s3.object.versionId, eTag: record.s3.object.eTag }, TEST_FINGERPRINT);
  expect(events[0]).toMatchObject({ 'source': OUTCOME_EVENT_SOURCE, 'detail-type': 'image.processed', 'detail': { id, type: 'image.processed', source: `s3://${BUCKET}/${key}` } });
  expect(events[0].detail).not.toHaveProperty('feedShard');
});

test('a publication that fails fails the invocation; the retry publishes the outcome it finds recorded', async () => {
  // GIVEN a function whose bus does not exist (EventBridge refuses the event)
  const broken = await startBundledFunction('image-processor', { ...env('no-such-bus'), AWS_MAX_ATTEMPTS: '1' });
  const key = 'images/events/retried.png';
  const record = await upload(key);
  const id = objectNotificationId({ bucket: BUCKET, key, versionId: record.s3.object.versionId, eTag: record.s3.object.eTag }, TEST_FINGERPRINT);
  try {
    // WHEN the first attempt fails to publish
    await expect(broken.invoke(s3Event(record))).rejects.toThrow(/S3EventProcessingError/);
  } finally {
    await broken.stop();
  }
  // THEN the outcome is recorded, but no event was published
  const stored = await DynamoDBDocumentClient.from(dynamoClient()).send(new GetCommand({ TableName: TABLE, Key: { id } }));
  expect(stored.Item?.type).toBe('image.processed');
  expect(await received()).toEqual([]);

  // WHEN Lambda retries the event (the bus reachable again)
  const retry = await fn.invoke<S3EventSummary>(s3Event(record));

  // THEN the retry is a duplicate that publishes the recorded outcome, as first recorded
  expect(retry.records[0].outcome).toBe('duplicate');
  const events = await received();
  expect(events.map((e) => e.detail.id)).toEqual([id]);
  expect(events[0].detail.createdAt).toBe(stored.Item!.createdAt);
});
