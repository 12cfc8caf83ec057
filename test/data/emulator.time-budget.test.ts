import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { S3EventRecord, SQSBatchResponse } from 'aws-lambda';
import { createBucket, createNotificationsTable, dynamoClient, s3Client, s3Event, s3FunctionEnv, s3Record, startFunctionFromAsset } from '../../emulator/bundled';
import { LocalFunction } from '../../emulator/local-function';
import { DataSchema, TapServerless } from '../../src';
import { MAX_CSV_COLUMNS } from '../../src/data/runtime/validate-csv';
import type { S3EventSummary } from '../../src/runtime/s3-event';

// Hostile data against the data validator as the construct deploys it (the staged asset: bundle,
// precompiled schema and its RE2), run in its own process against S3 and DynamoDB in moto. Each
// upload ends in exactly one recorded outcome within the function's time: an expression that
// backtracks exponentially, `uniqueItems` over 40,000 items, 100,000 CSV columns, and a file whose
// validation outlasts its share of the invocation (rejected at its deadline, the batch's other
// messages recorded as usual, none of them failed back to the queue).
const BUCKET = 'tap-data-budget';
const TABLE = 'notifications-data-budget';
/** The function's timeout, in the local host's context (getRemainingTimeInMillis). */
const TIMEOUT_SECONDS = 9;
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    s: { type: 'string', pattern: '^(a|a)*$' },
    l: { type: 'array', uniqueItems: true },
    id: { type: 'string' },
  },
};
let fn: LocalFunction;
let s3: S3Client;
let table: DynamoDBDocumentClient;

function stagedDataValidatorAsset(): string {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const tap = new TapServerless(stack, 'Tap', {
    dataSchema: DataSchema.fromJson(JSON.stringify(SCHEMA)),
    dataMaxReportErrors: 5,
    dataValidator: { timeout: Duration.seconds(TIMEOUT_SECONDS) },
  });
  const asset = (tap.dataValidator as lambda.Function).node.findChild('Code') as Asset;
  return path.join(app.outdir, asset.assetPath);
}

beforeAll(async () => {
  s3 = s3Client();
  table = DynamoDBDocumentClient.from(dynamoClient());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  fn = await startFunctionFromAsset(stagedDataValidatorAsset(), 'data-validator', {
    ...s3FunctionEnv(TABLE, BUCKET),
    TAP_DATA_MAX_REPORT_ERRORS: '5',
    TAP_DATA_MAX_RECORD_BYTES: String(4 * 1024 * 1024),
  }, undefined, { timeoutSeconds: TIMEOUT_SECONDS });
});

afterAll(async () => {
  await fn?.stop();
});

async function upload(key: string, body: string): Promise<S3EventRecord> {
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
  return s3Record(BUCKET, key, put, Buffer.byteLength(body));
}

async function report(key: string): Promise<any> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `reports/${key}.report.json` }));
  return JSON.parse(await res.Body!.transformToString());
}

/** The one outcome recorded for a record: delivered again, it is a duplicate naming it. */
async function recordedOutcome(record: S3EventRecord): Promise<any> {
  const again = await fn.invoke<S3EventSummary>(s3Event(record));
  expect(again.records[0].outcome).toBe('duplicate');
  return (await table.send(new GetCommand({ TableName: TABLE, Key: { id: again.records[0].notificationId } }))).Item;
}

function sqsMessage(id: string, record: S3EventRecord) {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify(s3Event(record)),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:tap-data',
    awsRegion: 'us-east-1',
  };
}

test('a pattern that backtracks exponentially and uniqueItems over 40,000 items are checked in linear time', async () => {
  // GIVEN `^(a|a)*$` against 40 a's and a b (JavaScript's RegExp: about 2^40 steps), and one line of
  // 40,000 distinct arrays followed by one with a duplicate
  const redos = await upload('data/redos.ndjson', `{"s":"${'a'.repeat(40)}b"}\n{"s":"aaaa"}\n`);
  const items = Array.from({ length: 40_000 }, (_, i) => [i]);
  const unique = await upload('data/unique.ndjson', `${JSON.stringify({ l: items })}\n${JSON.stringify({ l: [{ a: 1, b: 2 }, 3, { b: 2, a: 1 }] })}\n`);

  // WHEN one event carries both
  const summary = await fn.invoke<S3EventSummary>(s3Event(redos, unique));

  // THEN each is validated, with the errors ajv's own keywords give
  expect(summary.records.map((r) => r.outcome)).toEqual(['data.invalid', 'data.invalid']);
  expect((await report('data/redos.ndjson')).errors).toEqual([
    { line: 1, path: '/s', keyword: 'pattern', message: 'must match pattern "^(a|a)*$"' },
  ]);
  const uniqueReport = await report('data/unique.ndjson');
  expect(uniqueReport.counts).toEqual({ records: 2, valid: 1, invalid: 1, errors: 1 });
  expect(uniqueReport.errors).toEqual([
    { line: 2, path: '/l', keyword: 'uniqueItems', message: 'must NOT have duplicate items (items ## 0 and 2 are identical)' },
  ]);
});

test(`a CSV file of more than ${MAX_CSV_COLUMNS} columns is invalid, read no further than its header`, async () => {
  const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
  const wide = await upload('data/wide.csv', `${header}\n${'x,'.repeat(99_999)}x\n`);

  const summary = await fn.invoke<S3EventSummary>(s3Event(wide));

  expect(summary.records[0].outcome).toBe('data.invalid');
  expect((await report('data/wide.csv')).fatal).toEqual({ keyword: 'columns', reason: `The CSV header has 100000 columns, over the limit of ${MAX_CSV_COLUMNS}` });
});

test('a file whose validation outlasts its share of the invocation is rejected at its deadline; the batch\'s other messages are recorded', async () => {
  // GIVEN a CSV of 200 rows of 16,000 fields the schema refuses (16,000 errors a row: seconds of
  // work in all), and two small valid files, in one SQS batch
  const columns = 16_000;
  const row = `${'x,'.repeat(columns - 1)}x\n`;
  const slow = await upload('data/slow.csv', Array.from({ length: columns }, (_, i) => `c${i}`).join(',') + '\n' + row.repeat(200));
  const small = [await upload('data/small-1.ndjson', '{"id":"1"}\n'), await upload('data/small-2.ndjson', '{"id":"2"}\n{"s":"aa"}\n')];

  // WHEN the function gets the batch
  const started = Date.now();
  const response = await fn.invoke<SQSBatchResponse>({ Records: [slow, ...small].map((r, i) => sqsMessage(`m${i}`, r)) });
  const elapsed = Date.now() - started;

  // THEN no message goes back to the queue, and the invocation ended within the function's timeout
  expect(response.batchItemFailures).toEqual([]);
  expect(elapsed).toBeLessThan(TIMEOUT_SECONDS * 1000);

  // AND the slow file holds one rejection naming its budget (a third of the invocation, less the
  // time kept to record it) and how far it got; the small files are valid
  const rejected = await recordedOutcome(slow);
  expect(rejected).toMatchObject({
    type: 'data.rejected',
    message: expect.stringMatching(/^Rejected .*: The csv file was not validated within its time budget of [12]\.\d s \(its share of the invocation's time, less what recording its outcome takes\): stopped after \d+ records and \d+ bytes\. Raise the data validator's timeout, or split the file$/),
    details: { timeBudgetMs: expect.any(Number), recordsChecked: expect.any(Number), bytesRead: expect.any(Number) },
  });
  expect(rejected.details.timeBudgetMs).toBeLessThanOrEqual((TIMEOUT_SECONDS * 1000) / 3);
  expect(rejected.details.recordsChecked).toBeLessThan(200);
  for (const record of small) {
    expect(await recordedOutcome(record)).toMatchObject({ type: 'data.valid' });
  }
});
