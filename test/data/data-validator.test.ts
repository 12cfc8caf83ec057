import { Readable } from 'node:stream';
import { GetObjectCommand, GetObjectCommandInput, HeadObjectCommand, NotFound, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, GetCommandInput, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import * as validateDataModule from '../../src/data/runtime/validate-data';
import type { S3EventSummary } from '../../src/runtime/s3-event';
import { CapturedOutput, captureConsole } from '../support/console-capture';
import { fakeConditionalPuts } from '../support/fake-table';
import { currentVersionOf, FIXTURE_BUCKET, FUNCTION_ENV, lambdaContext, s3Event } from '../support/fixtures';
import { dynamoItemSize } from '../support/item-size';

type Handler = (event: S3Event, context: Context) => Promise<S3EventSummary>;

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let handler: Handler;
let output: CapturedOutput;

// In process, the handler finds no precompiled schema next to it: well-formedness only. The
// schema path is covered by runtime/validate-data.test.ts and, bundled, by emulator.data-validator.test.ts.
beforeAll(() => {
  // The handler reads its environment at module load: set it first, then load the module
  // (into this file's module registry, so that the client mocks above apply to it).
  Object.assign(process.env, FUNCTION_ENV, { TAP_DATA_MAX_BYTES: '100000' });
  ({ handler } = jest.requireActual<typeof import('../../src/data/data-validator.lambda')>('../../src/data/data-validator.lambda'));
});

beforeEach(() => {
  ddb.reset();
  s3.reset();
  // HeadObject of a key (the check that the version read is still current, before the report is
  // written): the version fakeObjects' GetObject answers, else the one the fixture's event announced.
  s3.on(HeadObjectCommand).callsFake(async (input: { Key: string }) => currentVersionOf(input.Key, 'v1'));
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

const invoke = (event: S3Event): Promise<S3EventSummary> => handler(event, lambdaContext('tap-test-data-validator'));

/** A table double: conditional puts, and GetCommand reading what was put. */
function fakeTable(faults: Readonly<Record<number, Error>> = {}) {
  const items = fakeConditionalPuts(ddb, faults);
  ddb.on(GetCommand).callsFake(async (input: GetCommandInput) => ({ Item: items.get(String(input.Key?.id)) }));
  return items;
}

/** S3 GetObject answers with the given text for every key; PutObject records reports. */
function fakeObjects(text: string): Map<string, string> {
  const reports = new Map<string, string>();
  s3.on(GetObjectCommand).callsFake(async (_input: GetObjectCommandInput) => ({
    Body: Readable.from([Buffer.from(text)]), ContentLength: Buffer.byteLength(text), VersionId: 'v1',
  }));
  s3.on(PutObjectCommand).callsFake(async (input) => {
    reports.set(input.Key, String(input.Body));
    return {};
  });
  return reports;
}

const throttled = () => new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' });

describe('data validator handler', () => {
  test('validates every data object of the event, writes a report for each, and skips keys outside data/', async () => {
    // GIVEN two data files (an .ndjson and a .csv, both readable as NDJSON lines / CSV rows) and a stray image key
    const reports = fakeObjects('a,b\n1,2\n');
    const items = fakeTable();

    // WHEN
    const summary = await invoke(s3Event('s3-data-several-records.json'));

    // THEN
    expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([
      ['data/orders 2026-11.ndjson', 'data.invalid'],
      ['data/customers/export.csv', 'data.valid'],
      ['images/stray.jpg', 'skipped'],
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ Key: 'data/orders 2026-11.ndjson', VersionId: expect.any(String) }),
      expect.objectContaining({ Key: 'data/customers/export.csv' }),
    ]);
    expect([...reports.keys()]).toEqual(['reports/data/orders 2026-11.ndjson.report.json', 'reports/data/customers/export.csv.report.json']);
    const csvItem = [...items.values()].find((i) => i.type === 'data.valid')!;
    expect(csvItem.details).toMatchObject({ format: 'csv', records: 1, validRecords: 1, invalidRecords: 0, reportKey: 'reports/data/customers/export.csv.report.json' });
    expect(output.metric('ObjectsProcessed')).toBe(2);
    // AND a data.valid record bills as one write unit (≤ 1 KB; the README's capacity model)
    expect(dynamoItemSize(csvItem)).toBeLessThanOrEqual(1024);
    expect(dynamoItemSize([...items.values()].find((i) => i.type === 'data.invalid')!)).toBeLessThanOrEqual(1024);
  });

  test('an unsupported extension is rejected without reading the object', async () => {
    fakeObjects('');
    const items = fakeTable();
    const event = s3Event('s3-data-several-records.json');
    event.Records = [event.Records[0]];
    event.Records[0].s3.object.key = 'data/notes.txt';

    const summary = await invoke(event);

    expect(summary.records[0].outcome).toBe('data.rejected');
    expect([...items.values()][0].details).toMatchObject({ reason: expect.stringMatching(/must end with .json, .ndjson, .jsonl, .csv/) });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('an object over dataMaxSize is rejected before it is read (case 8)', async () => {
    fakeObjects('{}');
    const items = fakeTable();
    // the event's size (73311) is under the limit, but GetObject says 200000: rejected on ContentLength, body discarded
    s3.on(GetObjectCommand).callsFake(async () => ({ Body: Readable.from([Buffer.from('{}')]), ContentLength: 200_000 }));
    const event = s3Event('s3-data-several-records.json');
    const second = event.Records[1];
    event.Records = [event.Records[0], { ...second, s3: { ...second.s3, object: { ...second.s3.object, size: 500_000 } } }];

    const summary = await invoke(event);

    expect(summary.records.map((r) => r.outcome)).toEqual(['data.rejected', 'data.rejected']);
    expect([...items.values()].map((i) => (i.details as any).reason)).toEqual([
      'The object is 200000 bytes, over the limit of 100000 bytes (dataMaxSize); it was not read',
      'The object is 500000 bytes, over the limit of 100000 bytes (dataMaxSize); it was not read',
    ]);
    // the second one, too large by its event size, was never requested
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  test('a vanished object is recorded as data.skipped (case 5)', async () => {
    s3.on(GetObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const items = fakeTable();

    const summary = await invoke(s3Event('s3-data-several-records.json'));

    expect(summary.records.map((r) => r.outcome)).toEqual(['data.skipped', 'data.skipped', 'skipped']);
    expect([...items.values()].every((i) => i.type === 'data.skipped')).toBe(true);
  });

  test('a second delivery is answered from the table: the object is not read again', async () => {
    fakeObjects('{"a":1}\n');
    fakeTable();
    await invoke(s3Event('s3-data-several-records.json'));
    s3.resetHistory();

    const again = await invoke(s3Event('s3-data-several-records.json'));

    expect(again.records.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'skipped']);
    expect(s3.calls()).toHaveLength(0);
  });

  test('output prefixes never trigger processing (case 13)', async () => {
    const summary = await invoke(s3Event('s3-output-prefixes.json'));

    expect(summary.records.map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
    expect(s3.calls()).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test.each([
    ['GetObject is throttled', () => s3.on(GetObjectCommand).rejects(throttled())],
    ['the report write fails with a 500', () => s3.on(PutObjectCommand).rejects(new S3ServiceException({
      name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'We encountered an internal error.',
    }))],
    ['the stream breaks mid-read', () => s3.on(GetObjectCommand).callsFake(async () => ({
      // eslint-disable-next-line require-yield
      Body: Readable.from((async function* () { yield Buffer.from('{"a":1}\n{"a"'); throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }); })()),
      ContentLength: 100,
    }))],
  ])('a transient fault (%s) is thrown for a retry; nothing is recorded', async (_name, arrange) => {
    fakeObjects('{"a":1}\n');
    arrange();
    fakeTable();

    await expect(invoke(s3Event('s3-data-several-records.json'))).rejects.toThrow(/2 of 3 S3 records failed and will be retried/);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('the notification and the report describe the object read, not the event: real size, version id, ETag, content type', async () => {
    // GIVEN an event without versionId announcing 99,999 bytes, and a 40-byte object whose version is v-real
    const text = '{"id":1,"customer":"Zoë"}\n{"id":22}\n{}\n';
    expect(Buffer.byteLength(text)).toBe(40);
    const reports = fakeObjects(text);
    s3.on(GetObjectCommand).callsFake(async () => ({
      Body: Readable.from([Buffer.from(text)]), ContentLength: 40, VersionId: 'v-real', ETag: '"etag-real"', ContentType: 'application/x-ndjson',
    }));
    s3.on(HeadObjectCommand).resolves({ VersionId: 'v-real', ETag: '"etag-real"' });
    const items = fakeTable();
    const event = s3Event('s3-data-several-records.json');
    event.Records = [event.Records[0]];
    delete (event.Records[0].s3.object as { versionId?: string }).versionId;
    event.Records[0].s3.object.size = 99_999;

    // WHEN
    const summary = await invoke(event);

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['data.valid']);
    expect([...items.values()][0].details).toMatchObject({
      size: 40, versionId: 'v-real', eTag: 'etag-real', contentType: 'application/x-ndjson', records: 3,
    });
    expect(JSON.parse([...reports.values()][0]).source).toEqual({
      bucket: FIXTURE_BUCKET, key: 'data/orders 2026-11.ndjson', versionId: 'v-real', eTag: 'etag-real', size: 40,
    });
  });

  test('a key with ".." and empty segments gets a report key without them, recorded as reportKey', async () => {
    // GIVEN
    const reports = fakeObjects('{"a":1}\n');
    const items = fakeTable();
    const event = s3Event('s3-data-several-records.json');
    event.Records = [event.Records[0], event.Records[1]];
    event.Records[0].s3.object.key = 'data/../orders.ndjson';
    event.Records[1].s3.object.key = 'data//x/./y.ndjson';

    // WHEN
    await invoke(event);

    // THEN
    expect([...reports.keys()]).toEqual(['reports/data/%2E%2E/orders.ndjson.report.json', 'reports/data/%/x/%2E/y.ndjson.report.json']);
    expect([...items.values()].map((i) => (i.details as Record<string, unknown>).reportKey)).toEqual([...reports.keys()]);
  });

  test('an object whose report key would exceed 1,024 bytes is rejected before any S3 request', async () => {
    // GIVEN a 1,008-byte key: its report key would be 1,028 bytes
    fakeObjects('{"a":1}\n');
    const items = fakeTable();
    const key = `data/${'d'.repeat(999)}.csv`;
    expect(Buffer.byteLength(key)).toBe(1008);
    const event = s3Event('s3-data-several-records.json');
    event.Records = [event.Records[0]];
    event.Records[0].s3.object.key = key;

    // WHEN
    const summary = await invoke(event);

    // THEN
    expect(summary.records.map((r) => r.outcome)).toEqual(['data.rejected']);
    expect(s3.calls()).toHaveLength(0);
    expect([...items.values()][0].details).toMatchObject({
      reason: "The report key of this object would be 1,028 bytes (UTF-8), more than S3's limit of 1,024 bytes; nothing was read or written (use a shorter key)",
      outputKeyBytes: 1028,
      maxKeyBytes: 1024,
    });
  });

  test.each([
    ['before reading', async () => {
      throw new RangeError('Maximum call stack size exceeded');
    }],
    ['after reading the whole object', async (source: AsyncIterable<Uint8Array | string>) => {
      for await (const _chunk of source) { /* read it all */ }
      throw new TypeError("Cannot read properties of undefined (reading 'length')");
    }],
  ])('an error of the parsers (%s) is a data.rejected outcome with the reason, not a retry', async (_name, validate) => {
    // GIVEN
    const reports = fakeObjects('{"a":1}\n');
    const items = fakeTable();
    const event = s3Event('s3-data-several-records.json');
    event.Records = [event.Records[0]];
    const spy = jest.spyOn(validateDataModule, 'validateData').mockImplementation(validate as typeof validateDataModule.validateData);
    try {
      // WHEN
      const summary = await invoke(event);

      // THEN
      expect(summary.records.map((r) => r.outcome)).toEqual(['data.rejected']);
      expect([...items.values()][0].details).toMatchObject({
        reason: expect.stringMatching(/^The ndjson file could not be validated: (Maximum call stack|Cannot read properties)/),
        format: 'ndjson',
        versionId: 'v1',
      });
      expect(reports.size).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  test('a broken read stays a retry even when a parser reports it as an error of its own', async () => {
    // GIVEN the body fails mid-read, and the parser wraps the failure in a plain error
    fakeObjects('');
    s3.on(GetObjectCommand).callsFake(async () => ({
      // eslint-disable-next-line require-yield
      Body: Readable.from((async function* () { yield Buffer.from('{"a":1}\n'); throw new Error('aborted'); })()),
      ContentLength: 100,
    }));
    const items = fakeTable();
    const event = s3Event('s3-data-several-records.json');
    event.Records = [event.Records[0]];
    const spy = jest.spyOn(validateDataModule, 'validateData').mockImplementation(async (source) => {
      try {
        for await (const _chunk of source) { /* read */ }
      } catch (err) {
        throw new Error(`parser failed: ${String(err)}`);
      }
      throw new Error('unreachable');
    });
    try {
      // WHEN / THEN the original read error is thrown for a retry, nothing recorded
      await expect(invoke(event)).rejects.toThrow(/1 of 1 S3 records failed/);
      expect(items.size).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  test('S3 access denied is not mistaken for a deleted object: the event is retried', async () => {
    s3.on(GetObjectCommand).rejects(new S3ServiceException({
      name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied',
    }));
    fakeTable();

    await expect(invoke(s3Event('s3-data-several-records.json'))).rejects.toThrow(/2 of 3 S3 records failed/);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});

test('the report of an invalid file names the problem; the notification carries the counts and the first error', async () => {
  const reports = fakeObjects('{"a":1}\n{oops\n');
  const items = fakeTable();
  const event = s3Event('s3-data-several-records.json');
  event.Records = [event.Records[0]];

  await invoke(event);

  const report = JSON.parse([...reports.values()][0]);
  expect(report).toMatchObject({
    reportVersion: 1,
    source: { bucket: FIXTURE_BUCKET, key: 'data/orders 2026-11.ndjson', versionId: 'v1' },
    format: 'ndjson',
    valid: false,
    counts: { records: 2, valid: 1, invalid: 1, errors: 1 },
    errors: [{ line: 2, path: '', keyword: 'parse' }],
    limits: { maxDataBytes: 100000, maxRecordBytes: 1048576, maxJsonDepth: 64, maxReportErrors: 100 },
  });
  const [item] = [...items.values()];
  expect(item).toMatchObject({
    type: 'data.invalid',
    message: `Invalid: s3://${FIXTURE_BUCKET}/data/orders 2026-11.ndjson: 1 of 2 ndjson records are invalid`,
    details: { records: 2, invalidRecords: 1, firstError: { line: 2, keyword: 'parse' } },
  });
});
