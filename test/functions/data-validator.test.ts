import { HeadObjectCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { CapturedOutput, captureConsole } from './support/console-capture';
import { fakeConditionalPuts } from './support/fake-table';
import { FIXTURE_BUCKET, FUNCTION_ENV, lambdaContext, s3Event } from './support/fixtures';
import type { S3EventSummary } from '../../src/functions/shared/s3-event';

type Handler = (event: S3Event, context: Context) => Promise<S3EventSummary>;

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
let handler: Handler;
let output: CapturedOutput;

beforeAll(() => {
  // The handler reads its environment at module load: set it first, then load the module
  // (into this file's module registry, so that the client mocks above apply to it).
  Object.assign(process.env, FUNCTION_ENV);
  ({ handler } = jest.requireActual<typeof import('../../src/functions/data-validator.lambda')>('../../src/functions/data-validator.lambda'));
});

beforeEach(() => {
  ddb.reset();
  s3.reset();
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

const invoke = (event: S3Event): Promise<S3EventSummary> => handler(event, lambdaContext('tap-test-data-validator'));

describe('data validator handler', () => {
  test('records data.received for every data object and skips keys outside data/', async () => {
    // GIVEN two data files and a stray image key in one event
    s3.on(HeadObjectCommand).resolves({ ContentLength: 73311, ContentType: 'application/x-ndjson' });
    const items = fakeConditionalPuts(ddb);

    // WHEN
    const summary = await invoke(s3Event('s3-data-several-records.json'));

    // THEN
    expect(summary.records.map((r) => [r.key, r.outcome])).toEqual([
      ['data/orders 2026-11.ndjson', 'data.received'],
      ['data/customers/export.csv', 'data.received'],
      ['images/stray.jpg', 'skipped'],
    ]);
    expect(s3.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['data/orders 2026-11.ndjson', 'data/customers/export.csv']);
    expect([...items.values()].map((i) => [i.type, i.source])).toEqual([
      ['data.received', `s3://${FIXTURE_BUCKET}/data/orders 2026-11.ndjson`],
      ['data.received', `s3://${FIXTURE_BUCKET}/data/customers/export.csv`],
    ]);
    expect(output.metric('ObjectsReceived')).toBe(3);
    expect(output.metric('ObjectsIgnored')).toBe(1);
  });

  test('a vanished object is recorded as data.skipped', async () => {
    s3.on(HeadObjectCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const items = fakeConditionalPuts(ddb);

    const summary = await invoke(s3Event('s3-data-several-records.json'));

    expect(summary.records.map((r) => r.outcome)).toEqual(['data.skipped', 'data.skipped', 'skipped']);
    expect([...items.values()].every((i) => i.type === 'data.skipped')).toBe(true);
  });

  test('output prefixes never trigger processing (TESTING case 13)', async () => {
    const summary = await invoke(s3Event('s3-output-prefixes.json'));

    expect(summary.records.map((r) => r.outcome)).toEqual(['skipped', 'skipped']);
    expect(s3.calls()).toHaveLength(0);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('S3 access denied is not mistaken for a deleted object: the event is retried', async () => {
    s3.on(HeadObjectCommand).rejects(new S3ServiceException({
      name: 'Forbidden', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Forbidden',
    }));
    fakeConditionalPuts(ddb);

    await expect(invoke(s3Event('s3-data-several-records.json'))).rejects.toThrow(/2 of 3 S3 records failed/);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
