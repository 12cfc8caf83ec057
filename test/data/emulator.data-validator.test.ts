import * as path from 'node:path';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { S3EventRecord } from 'aws-lambda';
import { createBucket, createNotificationsTable, dynamoClient, s3Client, s3Event, s3Record, s3FunctionEnv, startFunctionFromAsset } from '../../emulator/bundled';
import { csv, jsonArray, ndjson, ORDER_SCHEMA_FILE } from '../../emulator/data-files';
import { LocalFunction } from '../../emulator/local-function';
import { DataSchema, TapServerless } from '../../src';
import type { S3EventSummary } from '../../src/runtime/s3-event';

// The data validator as the construct deploys it: the code asset staged by `new TapServerless(...,
// { dataSchema })` (bundled handler + precompiled schema), run in its own process against S3 and
// DynamoDB in moto server. docs/testing.md cases 1-5 and 9, and three reference files (valid NDJSON, CSV with bad rows, a JSON array with a type error).
const BUCKET = 'tap-data-emulator';
const TABLE = 'notifications-data-test';
let fn: LocalFunction;
let s3: S3Client;
let table: DynamoDBDocumentClient;

/** The DataValidator code directory of a synthesized TapServerless with the order schema. */
function stagedDataValidatorAsset(): string {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const tap = new TapServerless(stack, 'Tap', { dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE), dataMaxReportErrors: 10 });
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
    TAP_DATA_MAX_REPORT_ERRORS: '10',
  });
});

afterAll(async () => {
  await fn?.stop();
});

/** Uploads an object and returns the event record S3 would send for it. */
async function upload(key: string, body: string | Buffer): Promise<S3EventRecord> {
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }));
  return s3Record(BUCKET, key, put, Buffer.byteLength(body));
}

async function report(key: string): Promise<any> {
  const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `reports/${key}.report.json` }));
  return JSON.parse(await res.Body!.transformToString());
}

async function notification(id: string | undefined): Promise<any> {
  return (await table.send(new GetCommand({ TableName: TABLE, Key: { id } }))).Item;
}

const invoke = (...records: S3EventRecord[]) => fn.invoke<S3EventSummary>(s3Event(...records));

test('reference files: valid 10,000-row NDJSON, CSV with 3 bad rows of 1,000, JSON array with a type error (one event: case 3)', async () => {
  // GIVEN three files generated here
  const records = [
    await upload('data/orders.ndjson', ndjson(10_000)),
    await upload('data/orders.csv', csv(1000, (c, i) => {
      if (i === 9) c[0] = 'ten'; // id: row 10
      if (i === 499) c[4] = '-3'; // price must be > 0: row 500
      if (i === 999) c[7] = 'lost'; // status not in the enum: row 1000
      return c;
    })),
    await upload('data/orders.json', jsonArray(5, (o, i) => (i === 3 ? { ...o, quantity: 'two' } : o))),
  ];

  // WHEN one event carries the three records
  const summary = await invoke(...records);

  // THEN each has its notification
  expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([
    ['data/orders.ndjson', 'data.valid'],
    ['data/orders.csv', 'data.invalid'],
    ['data/orders.json', 'data.invalid'],
  ]);
  const [valid, csvNote, jsonNote] = await Promise.all(summary.records.map((r) => notification(r.notificationId)));
  expect(valid).toMatchObject({ type: 'data.valid', details: { format: 'ndjson', records: 10_000, validRecords: 10_000, invalidRecords: 0, reportKey: 'reports/data/orders.ndjson.report.json' } });
  expect(csvNote).toMatchObject({ type: 'data.invalid', details: { format: 'csv', records: 1000, validRecords: 997, invalidRecords: 3 } });
  expect(jsonNote).toMatchObject({ type: 'data.invalid', details: { format: 'json', records: 5, invalidRecords: 1 } });

  // AND reports whose errors point at the exact rows, lines and fields
  expect(await report('data/orders.ndjson')).toMatchObject({ valid: true, counts: { records: 10_000, valid: 10_000, invalid: 0 }, errors: [] });
  const csvReport = await report('data/orders.csv');
  expect(csvReport.counts).toEqual({ records: 1000, valid: 997, invalid: 3, errors: 3 });
  expect(csvReport.errors).toEqual([
    { row: 10, path: '/id', keyword: 'type', message: 'must be integer' },
    { row: 500, path: '/price', keyword: 'exclusiveMinimum', message: 'must be > 0' },
    { row: 1000, path: '/status', keyword: 'enum', message: 'must be equal to one of the allowed values: ["new","shipped","delivered","cancelled"]' },
  ]);
  expect(csvReport.schema).toMatchObject({ id: 'https://schemas.tapserverless.dev/order.json', draft: 'draft-07', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  const jsonReport = await report('data/orders.json');
  expect(jsonReport.errors).toEqual([{ line: 32, index: 3, path: '/quantity', keyword: 'type', message: 'must be integer' }]);
});

test('case 1: a key with spaces, + and unicode is read and reported under its decoded name', async () => {
  const key = 'data/My Orders été+1.ndjson';
  const summary = await invoke(await upload(key, ndjson(3)));

  expect(summary.records[0]).toMatchObject({ key, outcome: 'data.valid' });
  expect((await report(key)).source).toMatchObject({ bucket: BUCKET, key });
});

test('case 2: a malformed key is recorded as data.rejected, without a throw', async () => {
  const record = await upload('data/x.ndjson', ndjson(1));
  record.s3.object.key = 'data/bad%E0%A4%A.ndjson';

  const summary = await invoke(record);

  expect(summary.records[0].outcome).toBe('data.rejected');
  expect(await notification(summary.records[0].notificationId)).toMatchObject({ type: 'data.rejected' });
});

test('case 4: the same event delivered twice gives one notification and one report', async () => {
  const record = await upload('data/twice.csv', csv(10));

  const first = await invoke(record);
  const second = await invoke(record);

  expect(first.records[0].outcome).toBe('data.valid');
  expect(second.records[0]).toMatchObject({ outcome: 'duplicate', notificationId: first.records[0].notificationId });
  const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'reports/data/twice.csv' }));
  expect(versions.Versions ?? []).toHaveLength(1);
});

test('case 5: an object deleted before processing is recorded as data.skipped, not retried', async () => {
  const record = await upload('data/gone.ndjson', ndjson(2));
  await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'data/gone.ndjson', VersionId: record.s3.object.versionId }));

  const summary = await invoke(record);

  expect(summary.records[0].outcome).toBe('data.skipped');
  expect(await notification(summary.records[0].notificationId)).toMatchObject({ type: 'data.skipped' });
});

test('case 9: deep JSON, invalid UTF-8, ragged CSV rows and an empty file are invalid with clear reasons', async () => {
  const deep = 10_000;
  const summary = await invoke(
    await upload('data/deep.json', `[${'['.repeat(deep)}${']'.repeat(deep)}]`),
    await upload('data/latin1.csv', Buffer.concat([Buffer.from('id,customer\n1,'), Buffer.from('Zo\xeb', 'latin1'), Buffer.from('\n')])),
    await upload('data/ragged.csv', csv(4, (c, i) => (i === 2 ? c.slice(0, 2) : c))),
    await upload('data/empty.ndjson', ''),
  );

  expect(summary.records.map((r) => r.outcome)).toEqual(['data.invalid', 'data.invalid', 'data.invalid', 'data.invalid']);
  expect((await report('data/deep.json')).fatal).toMatchObject({ keyword: 'depth', reason: expect.stringMatching(/nested deeper than 64 levels/) });
  expect((await report('data/latin1.csv')).fatal).toMatchObject({ keyword: 'utf8', reason: expect.stringMatching(/not valid UTF-8/) });
  expect((await report('data/ragged.csv')).errors).toEqual([
    expect.objectContaining({ row: 3, keyword: 'fields', message: expect.stringMatching(/Too few fields/) }),
  ]);
  expect(await notification(summary.records[3].notificationId)).toMatchObject({ details: { reason: 'The file is empty' } });
});

test('an unsupported extension is recorded as data.rejected', async () => {
  const summary = await invoke(await upload('data/readme.txt', 'hello'));

  expect(summary.records[0].outcome).toBe('data.rejected');
});

async function keysUnder(prefix: string): Promise<string[]> {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

test('data/../orders.csv gets a report key without ".." segments, recorded as reportKey (case 15)', async () => {
  // GIVEN
  const summary = await invoke(await upload('data/../orders.csv', csv(3)));

  // THEN
  expect(summary.records[0]).toMatchObject({ key: 'data/../orders.csv', outcome: 'data.valid' });
  expect(await notification(summary.records[0].notificationId)).toMatchObject({
    details: { reportKey: 'reports/data/%2E%2E/orders.csv.report.json' },
  });
  expect(await keysUnder('reports/data/%2E%2E/')).toEqual(['reports/data/%2E%2E/orders.csv.report.json']);
  const all = await keysUnder('reports/');
  expect(all.filter((k) => k.split('/').some((segment) => segment === '..' || segment === '.' || segment === ''))).toEqual([]);
});

test('an object whose report key would exceed 1,024 bytes is rejected, and nothing is written under reports/ (case 16)', async () => {
  // GIVEN a 1,010-byte key (its report key would be 1,030 bytes)
  const key = `data/long/${'d'.repeat(996)}.csv`;
  expect(Buffer.byteLength(key)).toBe(1010);
  const before = await keysUnder('reports/');

  // WHEN
  const summary = await invoke(await upload(key, csv(3)));

  // THEN
  expect(summary.records[0].outcome).toBe('data.rejected');
  expect(await notification(summary.records[0].notificationId)).toMatchObject({
    type: 'data.rejected',
    details: {
      reason: expect.stringMatching(/^The report key of this object would be 1,030 bytes \(UTF-8\), more than S3's limit of 1,024 bytes; nothing was read or written/),
      outputKeyBytes: 1030,
    },
  });
  expect(await keysUnder('reports/')).toEqual(before);
});

test('the notification describes the object read, not the event: a 40-byte object announced as 13,014,151 bytes without versionId (case 17)', async () => {
  // GIVEN
  const body = '{"id":1}\n{"id":2}\n{"id":3}\n{"id":44444}\n';
  expect(Buffer.byteLength(body)).toBe(40);
  const record = await upload('data/real/small.ndjson', body);
  const versionId = record.s3.object.versionId;
  expect(versionId).toEqual(expect.any(String));
  record.s3.object.size = 13_014_151;
  delete (record.s3.object as { versionId?: string }).versionId;

  // WHEN
  const summary = await invoke(record);

  // THEN the notification and the report have the real size and version id
  expect(summary.records[0].outcome).toBe('data.invalid'); // the order schema wants more than an id
  expect(await notification(summary.records[0].notificationId)).toMatchObject({ details: { size: 40, versionId, records: 4 } });
  expect((await report('data/real/small.ndjson')).source).toMatchObject({ size: 40, versionId });
});

test('a 450 KB property name under a closed schema ends in one data.invalid outcome with cut texts, never in the dead-letter queue (finding: an outcome too large to record)', async () => {
  // GIVEN an NDJSON line and a CSV header, each with a ~450 KB property name (the order schema has additionalProperties: false)
  const name = 'p'.repeat(450_000);
  const line = JSON.stringify({ id: 1, customer: 'Ada', email: 'ada@example.com', quantity: 1, price: 1, paid: true, [name]: 1 });
  const records = [
    await upload('data/hostile/long-name.ndjson', `${line}\n`),
    await upload('data/hostile/long-header.csv', `id,customer,email,quantity,price,paid,${name}\n1,Ada,ada@example.com,1,1,true,x\n`),
  ];

  // WHEN (no throw: DynamoDB would refuse a 451 KB item, which was retried and dead-lettered)
  const summary = await invoke(...records);

  // THEN each is recorded, under 64 KB, the counts exact and the texts marked as cut
  expect(summary.records.map((r) => r.outcome)).toEqual(['data.invalid', 'data.invalid']);
  for (const [i, key] of ['data/hostile/long-name.ndjson', 'data/hostile/long-header.csv'].entries()) {
    const item = await notification(summary.records[i].notificationId);
    expect(Buffer.byteLength(JSON.stringify(item))).toBeLessThan(64 * 1024);
    expect(item.details).toMatchObject({ records: 1, invalidRecords: 1, errors: 1, firstError: { keyword: 'additionalProperties', truncated: true } });
    expect(item.details.firstError.path).toMatch(/^\/p+… \[cut: 450001 characters\]$/);
    const written = await report(key);
    expect(written.counts).toEqual({ records: 1, valid: 0, invalid: 1, errors: 1 });
    expect(written.errors[0].path.length).toBeLessThanOrEqual(512);
  }
});

test('a late event of an older version never overwrites the report of the current one: it is recorded as skipped, superseded (finding: stale outputs)', async () => {
  // GIVEN version 1 (invalid) and version 2 (valid) of one key; version 2's event is processed first
  const key = 'data/versions/orders.ndjson';
  const v1 = await upload(key, '{"not": "an order"}\n');
  const v2 = await upload(key, ndjson(3));
  expect((await invoke(v2)).records.map((r) => r.outcome)).toEqual(['data.valid']);

  // WHEN version 1's event arrives late
  const summary = await invoke(v1);

  // THEN it is skipped as superseded, and the report is still version 2's
  expect(summary.records.map((r) => r.outcome)).toEqual(['data.skipped']);
  const item = await notification(summary.records[0].notificationId);
  expect(item.details).toMatchObject({ reason: expect.stringMatching(/^A newer write of the object is current/), current: { versionId: v2.s3.object.versionId } });
  expect(await report(key)).toMatchObject({ valid: true, counts: { records: 3, valid: 3 }, source: { versionId: v2.s3.object.versionId } });
});

test('unversioned bucket: a file overwritten before its event is processed is skipped, never recorded with the new content (finding: the wrong content under an outcome)', async () => {
  // GIVEN an unversioned bucket, file A announced by its event, then overwritten with B
  const bucket = 'tap-data-unversioned';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const key = 'data/overwritten.ndjson';
  const a = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: ndjson(2) }));
  const eventForA = s3Record(bucket, key, { ETag: a.ETag }, Buffer.byteLength(ndjson(2)));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: '{"not": "an order"}\n' }));

  // WHEN A's event is processed by a function deployed for that bucket (a record of any other bucket is refused)
  const own = await startFunctionFromAsset(stagedDataValidatorAsset(), 'data-validator', {
    ...s3FunctionEnv(TABLE, bucket),
    TAP_DATA_MAX_REPORT_ERRORS: '10',
  });
  const summary = await own.invoke<S3EventSummary>(s3Event(eventForA)).finally(() => own.stop());

  // THEN A is skipped as overwritten (the read was pinned to A's ETag); B's content is not recorded under A
  expect(summary.records.map((r) => r.outcome)).toEqual(['data.skipped']);
  const item = await notification(summary.records[0].notificationId);
  expect(item.details.reason).toMatch(/^The object was overwritten before it could be processed/);
  expect(item.details.eTag).toBe(a.ETag!.replace(/"/g, ''));
});
