import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import {
  createBucket, createNotificationsTable, dynamoClient, emulatorClientConfig, failureRecorderEnv, s3Client, s3Event, s3Record, startBundledFunction,
} from '../../emulator/bundled';
import { LocalFunction } from '../../emulator/local-function';
import { deliverBatch } from '../../emulator/sqs-batch';
import { objectNotificationId } from '../../src/runtime/outcome-store';

// The failure recorder, bundled, as its event source mapping runs it: each message of its intake queue
// is an event an S3 function failed for good; its objects are recorded as <kind>.failed, and the event
// is forwarded, unchanged, to the dead-letter queue. SQS, S3 and DynamoDB are moto.

const BUCKET = 'tap-failures-emulator';
const TABLE = 'notifications-failures-test';
const ROUTES = [
  { kind: 'image', prefix: 'images/', suffixes: [], fingerprint: 'imagefingerprint' },
  { kind: 'data', prefix: 'data/', suffixes: [], fingerprint: 'datafingerprint0' },
  { kind: 'csv-summary', prefix: 'csv/', suffixes: ['.csv'], fingerprint: 'routefingerprint' },
];

let s3: S3Client;
let sqs: SQSClient;
let table: DynamoDBDocumentClient;
let recorder: LocalFunction;
let intakeUrl: string;
let deadLetterUrl: string;

beforeAll(async () => {
  s3 = s3Client();
  sqs = new SQSClient(emulatorClientConfig());
  table = DynamoDBDocumentClient.from(dynamoClient());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  intakeUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'failure-intake' }))).QueueUrl!;
  deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'failures-dlq' }))).QueueUrl!;
  recorder = await startBundledFunction('failure-recorder', failureRecorderEnv(TABLE, BUCKET, deadLetterUrl, ROUTES));
});

afterAll(async () => {
  await recorder?.stop();
});

async function upload(key: string) {
  const body = Buffer.from(`body of ${key}`);
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return s3Record(BUCKET, key, put, body.length);
}

const notification = async (id: string) => (await table.send(new GetCommand({ TableName: TABLE, Key: { id } }))).Item;
const idOf = (record: ReturnType<typeof s3Record>, fingerprint: string) => objectNotificationId({
  bucket: BUCKET, key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), versionId: record.s3.object.versionId, eTag: record.s3.object.eTag,
}, fingerprint);

/** Runs the recorder on what is in its intake queue, as its event source mapping would. */
const runRecorder = () => deliverBatch(sqs, intakeUrl, (event) => recorder.invoke<SQSBatchResponse>(event));

async function deadLettered() {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
  return out.Messages ?? [];
}

test('an event Lambda gave up on: each object is <kind>.failed with Lambda\'s error and the attempts; the event goes on to the dead-letter queue unchanged', async () => {
  // GIVEN an S3 event of two objects (an image and a route's CSV) as Lambda sends it to the dead-letter target
  const image = await upload('images/broken.png');
  const csv = await upload('csv/orders.csv');
  const body = JSON.stringify(s3Event(image, csv));
  await sqs.send(new SendMessageCommand({
    QueueUrl: intakeUrl,
    MessageBody: body,
    MessageAttributes: {
      RequestID: { DataType: 'String', StringValue: 'b1c2' },
      ErrorCode: { DataType: 'String', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: 'S3EventProcessingError: 1 of 1 S3 records failed and will be retried' },
    },
  }));
  // WHEN the recorder reads its intake
  const { messages, response } = await runRecorder();
  // THEN both objects have their failed outcome, under their function's namespace and fingerprint
  expect(messages).toHaveLength(1);
  expect(response.batchItemFailures).toEqual([]);
  expect(await notification(idOf(image, 'imagefingerprint'))).toMatchObject({
    type: 'image.failed',
    message: `Failed s3://${BUCKET}/images/broken.png after 3 attempts: S3EventProcessingError: 1 of 1 S3 records failed and will be retried`,
    details: { reason: 'S3EventProcessingError: 1 of 1 S3 records failed and will be retried', attempts: 3, errorCode: '200', fingerprint: 'imagefingerprint' },
  });
  expect(await notification(idOf(csv, 'routefingerprint'))).toMatchObject({ type: 'csv-summary.failed', details: { attempts: 3 } });
  // AND the event is in the dead-letter queue as it came, with Lambda's attributes, for redrive
  const [forwarded] = await deadLettered();
  expect(forwarded.Body).toBe(body);
  expect(forwarded.MessageAttributes?.ErrorMessage?.StringValue).toBe('S3EventProcessingError: 1 of 1 S3 records failed and will be retried');
  expect(forwarded.MessageAttributes?.RequestID?.StringValue).toBe('b1c2');
});

test('a queue\'s message after its last receive (no error attached) and an EventBridge event: failed, with what is known', async () => {
  const data = await upload('data/orders.ndjson');
  const bridged = await upload('csv/bridged.csv');
  await sqs.send(new SendMessageCommand({ QueueUrl: intakeUrl, MessageBody: JSON.stringify(s3Event(data)) }));
  await sqs.send(new SendMessageCommand({
    QueueUrl: intakeUrl,
    MessageBody: JSON.stringify({
      'version': '0',
      'id': 'e1',
      'detail-type': 'Object Created',
      'source': 'aws.s3',
      'account': '123456789012',
      'time': new Date().toISOString(),
      'region': 'us-east-1',
      'resources': [],
      'detail': {
        bucket: { name: BUCKET },
        object: { 'key': 'csv/bridged.csv', 'size': bridged.s3.object.size, 'etag': bridged.s3.object.eTag, 'version-id': bridged.s3.object.versionId },
        reason: 'PutObject',
      },
    }),
    MessageAttributes: { ERROR_MESSAGE: { DataType: 'String', StringValue: 'Lambda function invocation failed' } },
  }));
  const { messages, response } = await runRecorder();
  expect(messages).toHaveLength(2);
  expect(response.batchItemFailures).toEqual([]);
  expect(await notification(idOf(data, 'datafingerprint0'))).toMatchObject({
    type: 'data.failed', details: { reason: 'its event failed 3 attempts (the errors are in the function\'s logs)', attempts: 3 },
  });
  expect(await notification(idOf(bridged, 'routefingerprint'))).toMatchObject({ type: 'csv-summary.failed', details: { reason: 'Lambda function invocation failed' } });
  expect(await deadLettered()).toHaveLength(2);
});

test('an object that has an outcome keeps it; another bucket\'s object, or a message that is not an S3 event, is forwarded without an outcome', async () => {
  // GIVEN an image already recorded as processed (an earlier delivery succeeded)
  const image = await upload('images/done.png');
  const id = idOf(image, 'imagefingerprint');
  await table.send(new PutCommand({ TableName: TABLE, Item: { id, type: 'image.processed', createdAt: new Date().toISOString(), message: 'ok' } }));
  const outside = await upload('elsewhere/x.csv');
  // and a record naming another bucket (a forged or misrouted event): never recorded
  const foreign = { ...await upload('images/foreign.png') };
  foreign.s3 = { ...foreign.s3, bucket: { ...foreign.s3.bucket, name: 'someone-elses-bucket' } };
  await sqs.send(new SendMessageCommand({ QueueUrl: intakeUrl, MessageBody: JSON.stringify(s3Event(image, outside, foreign)) }));
  await sqs.send(new SendMessageCommand({ QueueUrl: intakeUrl, MessageBody: '{"not":"an S3 event"}' }));
  const { messages, response } = await runRecorder();
  expect(messages).toHaveLength(2);
  expect(response.batchItemFailures).toEqual([]);
  expect(await notification(id)).toMatchObject({ type: 'image.processed' });
  expect(await notification(idOf(foreign, 'imagefingerprint'))).toBeUndefined();
  const forwarded = await deadLettered();
  expect(forwarded.map((m) => m.Body).sort()).toEqual([JSON.stringify(s3Event(image, outside, foreign)), '{"not":"an S3 event"}'].sort());
});
