import * as path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, PutObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse } from 'aws-lambda';
import {
  createBucket, createNotificationsTable, dynamoClient, emulatorClientConfig, emulatorEndpoint, s3Client, s3Event, s3FunctionEnv, s3Record,
  failureRecorderEnv, startBundledFunction,
  TEST_INDEX_SHARDS,
} from '../../emulator/bundled';
import { apiRequest } from '../../emulator/events';
import { functionArn, LambdaService } from '../../emulator/lambda-service';
import { LocalFunction } from '../../emulator/local-function';
import { EMULATOR_AWS_ENV, ROOT, pythonBin } from '../../emulator/moto';
import { deliverBatch } from '../../emulator/sqs-batch';
import { redrive } from '../../src/cli/redrive';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import type { S3EventSummary } from '../../src/runtime/s3-event';

// A route of a user's function, run as deployed: the bundled dispatcher (assets/routes/) and the Python
// example processor (examples/csv-summary/handler.py, run by a local Python host), the dispatcher invoking
// it through a local Lambda service, S3 and DynamoDB in moto.

const BUCKET = 'tap-routes-emulator';
const TABLE = 'notifications-routes-test';
const ROUTE = 'csv-summary';
const FINGERPRINT = 'route0fingerprint';
const EXAMPLE_DIR = path.join(ROOT, 'examples', 'csv-summary');

let s3: S3Client;
let table: DynamoDBDocumentClient;
let sqs: SQSClient;
let service: LambdaService;
let dispatcher: LocalFunction;
let deadLetterQueueUrl: string;
let intakeUrl: string;
let recorder: LocalFunction;
const started: LocalFunction[] = [];

/** The environment the construct gives a route's dispatcher (see test/routes/routes.test.ts). */
function dispatcherEnv(functionName: string): Record<string, string> {
  return {
    ...s3FunctionEnv(TABLE, BUCKET),
    TAP_CONFIG_FINGERPRINT: FINGERPRINT,
    TAP_ROUTE_NAME: ROUTE,
    TAP_ROUTE_PREFIX: 'csv/',
    TAP_ROUTE_SUFFIXES: '.csv',
    TAP_ROUTE_FUNCTION: functionArn(functionName),
    AWS_ENDPOINT_URL_LAMBDA: service.endpoint,
    POWERTOOLS_SERVICE_NAME: `route-${ROUTE}`,
  };
}

async function startPython(name: string, assetDir: string, handler: string, env: Record<string, string> = {}): Promise<LocalFunction> {
  const fn = await LocalFunction.start({
    assetDir,
    handler,
    functionName: name,
    python: path.join(pythonBin(), 'python'),
    environment: { ...EMULATOR_AWS_ENV, AWS_ENDPOINT_URL: emulatorEndpoint(), ...env },
  });
  started.push(fn);
  return fn;
}

beforeAll(async () => {
  s3 = s3Client();
  table = DynamoDBDocumentClient.from(dynamoClient());
  sqs = new SQSClient(emulatorClientConfig());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  deadLetterQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'routes-dlq' }))).QueueUrl!;
  intakeUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'routes-failure-intake' }))).QueueUrl!;
  // The failure recorder, as the construct sets it up: the route's failed events reach it first.
  recorder = await startBundledFunction('failure-recorder',
    failureRecorderEnv(TABLE, BUCKET, deadLetterQueueUrl, [{ kind: ROUTE, prefix: 'csv/', suffixes: ['.csv'], fingerprint: FINGERPRINT }]));
  started.push(recorder);
  const summary = await startPython('csv-summary-fn', EXAMPLE_DIR, 'handler.handler');
  const flaky = await startPython('flaky-fn', path.join(__dirname, 'fixtures'), 'flaky_summary.handler', { EXAMPLE_DIR, FAILURES: '3' });
  service = await LambdaService.start({
    functions: [{ name: 'csv-summary-fn', fn: summary, environment: {} }, { name: 'flaky-fn', fn: flaky, environment: {} }],
    sqs,
    retryDelayMs: 10,
  });
  dispatcher = await startBundledFunction('route-dispatcher', dispatcherEnv('csv-summary-fn'));
  started.push(dispatcher);
  // The dispatcher of a route whose function fails its first three attempts, invoked asynchronously by the
  // service as S3 would invoke it: two retries, then its dead-letter target, the failure recorder's intake.
  const flakyDispatcher = await startBundledFunction('route-dispatcher', dispatcherEnv('flaky-fn'));
  started.push(flakyDispatcher);
  service.host({
    name: 'flaky-dispatcher',
    fn: flakyDispatcher,
    environment: dispatcherEnv('flaky-fn'),
    retryAttempts: 2,
    deadLetterQueueUrl: intakeUrl,
    deadLetterQueueArn: 'arn:aws:sqs:us-east-1:123456789012:routes-failure-intake',
  });
});

afterAll(async () => {
  await service?.stop();
  await Promise.all(started.map((fn) => fn.stop()));
});

async function put(key: string, body: string): Promise<PutObjectCommandOutput & { size: number }> {
  const out = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Buffer.from(body) }));
  return { ...out, size: Buffer.byteLength(body) };
}

const record = (key: string, written: PutObjectCommandOutput & { size: number }) => s3Record(BUCKET, key, written, written.size);
const notification = async (id: string) => (await table.send(new GetCommand({ TableName: TABLE, Key: { id } }))).Item;

test('an object: the Python function runs once and its result is the outcome; a duplicate delivery does not run it again', async () => {
  // GIVEN a CSV file under the route's prefix
  const put1 = await put('csv/orders.csv', 'id,amount,country\n1,2.5,FR\n2,,DE\n3,7,FR\n');
  const runs = service.counters.handlerRuns;
  // WHEN the dispatcher receives its event
  const summary = await dispatcher.invoke<S3EventSummary>(s3Event(record('csv/orders.csv', put1)));
  // THEN the function ran once and its result is recorded under the route's namespace and fingerprint
  expect(summary.records).toEqual([expect.objectContaining({ outcome: 'csv-summary.summarized', type: 'csv-summary.summarized' })]);
  expect(service.counters.handlerRuns).toBe(runs + 1);
  const item = await notification(summary.records[0].notificationId!);
  expect(item).toMatchObject({
    type: 'csv-summary.summarized',
    message: '3 rows, 3 columns',
    source: `s3://${BUCKET}/csv/orders.csv`,
    details: {
      key: 'csv/orders.csv',
      versionId: put1.VersionId,
      fingerprint: FINGERPRINT,
      rows: 3,
      columns: [
        { name: 'id', type: 'number', empty: 0, min: 1, max: 3, mean: 2 },
        { name: 'amount', type: 'number', empty: 1, min: 2.5, max: 7, mean: 4.75 },
        { name: 'country', type: 'text', empty: 0 },
      ],
    },
  });

  // WHEN the same event is delivered again
  const again = await dispatcher.invoke<S3EventSummary>(s3Event(record('csv/orders.csv', put1)));
  // THEN it is a duplicate: the function did not run, nothing new is recorded
  expect(again.records).toEqual([expect.objectContaining({ outcome: 'duplicate', type: 'csv-summary.summarized', notificationId: summary.records[0].notificationId })]);
  expect(service.counters.handlerRuns).toBe(runs + 1);
});

test('the input\'s fault (an InputError of the function) is one rejection, recorded and not retried', async () => {
  const empty = await put('csv/empty.csv', '');
  const runs = service.counters.handlerRuns;
  const summary = await dispatcher.invoke<S3EventSummary>(s3Event(record('csv/empty.csv', empty)));
  expect(summary.records).toEqual([expect.objectContaining({
    outcome: 'csv-summary.rejected', reason: 'the file is empty: a CSV file starts with a header row',
  })]);
  expect(await notification(summary.records[0].notificationId!)).toMatchObject({
    type: 'csv-summary.rejected',
    message: `Rejected s3://${BUCKET}/csv/empty.csv: the file is empty: a CSV file starts with a header row`,
    details: { reason: 'the file is empty: a CSV file starts with a header row', errorType: 'InputError' },
  });
  const again = await dispatcher.invoke<S3EventSummary>(s3Event(record('csv/empty.csv', empty)));
  expect(again.records[0].outcome).toBe('duplicate');
  expect(service.counters.handlerRuns).toBe(runs + 1);
});

test('keys the route does not take are skipped: no outcome, the function not invoked', async () => {
  const other = await put('csv/notes.txt', 'not a csv');
  const outside = await put('elsewhere/a.csv', 'a\n1\n');
  const runs = service.counters.handlerRuns;
  const summary = await dispatcher.invoke<S3EventSummary>(s3Event(record('csv/notes.txt', other), record('elsewhere/a.csv', outside)));
  expect(summary.records).toEqual([
    expect.objectContaining({ outcome: 'skipped', reason: 'key does not end with ".csv"' }),
    expect.objectContaining({ outcome: 'skipped', reason: 'key is not under the input prefix csv/' }),
  ]);
  expect(service.counters.handlerRuns).toBe(runs);
});

test('a fault of the function: retried, recorded as <route>.failed, dead-lettered with its event; redrive gives the real outcome, superseding it', async () => {
  // GIVEN a function that fails its first three attempts for each key (a fault, not the input's)
  const put1 = await put('csv/flaky.csv', 'n\n1\n2\n');
  const lambda = new LambdaClient({ ...emulatorClientConfig(service.endpoint) });
  const before = { ...service.counters };
  // WHEN S3 invokes the dispatcher asynchronously
  await lambda.send(new InvokeCommand({
    FunctionName: 'flaky-dispatcher', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(s3Event(record('csv/flaky.csv', put1)))),
  }));
  await service.whenIdle();
  // THEN three attempts failed (the first and two retries) and the event went to the failure recorder
  expect(service.counters.retries - before.retries).toBe(2);
  expect(service.counters.deadLettered - before.deadLettered).toBe(1);
  const recorded = await deliverBatch(sqs, intakeUrl, (event) => recorder.invoke<SQSBatchResponse>(event));
  expect(recorded.response.batchItemFailures).toEqual([]);
  // AND the object's outcome, for the listing, the export and reconcile, is csv-summary.failed with the error and the attempts
  const id = objectNotificationId({ bucket: BUCKET, key: 'csv/flaky.csv', versionId: put1.VersionId, eTag: put1.ETag?.replace(/"/g, '') }, FINGERPRINT);
  const failed = await notification(id);
  expect(failed).toMatchObject({
    type: 'csv-summary.failed',
    details: { attempts: 3, reason: expect.stringContaining('attempt 3 for csv/flaky.csv: the downstream service is unavailable') },
  });

  // WHEN the dead-letter queue is redriven to the dispatcher (the function now succeeds: its fourth attempt)
  const redriven = await redrive(new SQSClient(emulatorClientConfig()), lambda, {
    queueUrl: deadLetterQueueUrl, targets: [{ functionName: 'flaky-dispatcher', inputPrefix: 'csv/' }],
  });
  await service.whenIdle();
  expect(redriven).toMatchObject({ received: 1, redriven: 1, failed: 0, unroutable: 0 });
  // THEN the object has its real outcome, in place of the failed one, which it names
  expect(await notification(id)).toMatchObject({
    type: 'csv-summary.summarized',
    details: { rows: 2, supersedes: { type: 'csv-summary.failed', createdAt: failed!.createdAt, message: failed!.message } },
  });
  const summary = await dispatcher.invoke<S3EventSummary>(s3Event(record('csv/flaky.csv', put1)));
  expect(summary.records[0]).toMatchObject({ outcome: 'duplicate', type: 'csv-summary.summarized' });
  lambda.destroy();
});

test('the API refuses to create a notification in a route\'s namespace (the notification handler as the construct sets it up)', async () => {
  const api = await startBundledFunction('notification-handler', {
    TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(TEST_INDEX_SHARDS), TAP_ENVIRONMENT: 'test', TAP_ROUTE_NAMESPACES: ROUTE,
  });
  started.push(api);
  const post = (type: string) => api.invoke<{ statusCode: number; body: string }>(apiRequest('POST', '/notifications', {
    body: JSON.stringify({ type, message: 'forged?' }), headers: { 'Content-Type': 'application/json' },
  }));
  const forged = await post(`${ROUTE}.summarized`);
  expect(forged.statusCode).toBe(400);
  expect(JSON.parse(forged.body).errors).toEqual([{
    field: '/type', message: `must not start with "${ROUTE}.": the image.*, data.* and ${ROUTE}.* types are the pipeline's own outcomes`,
  }]);
  expect((await post('ops.note')).statusCode).toBe(201);
});
