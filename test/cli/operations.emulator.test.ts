import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import {
  createBucket, createNotificationsTable, dynamoClient, emulatorEndpoint, s3Client, s3Event, s3FunctionEnv, s3Record, startBundledFunction,
  startFunctionFromAsset,
} from '../../emulator/bundled';
import { ndjson, ORDER_SCHEMA_FILE } from '../../emulator/data-files';
import { functionArn, LambdaService } from '../../emulator/lambda-service';
import { LocalFunction } from '../../emulator/local-function';
import { EMULATOR_AWS_ENV, pythonBin, ROOT, useLambdaWithoutDocker } from '../../emulator/moto';
import { synthesizedS3Functions, SynthesizedFunction, withResources } from '../../emulator/synthesized';
import { CliClients, runCli } from '../../src/cli/main';
import type { ReconcileReport } from '../../src/cli/reconcile';
import type { ReprocessSummary } from '../../src/cli/reprocess';
import { ENV } from '../../src/contract/env-names';
import { DataSchema } from '../../src/data/data-schema';
import { objectNotificationId } from '../../src/runtime/outcome-store';

// reconcile and reprocess against a pipeline in moto server: the functions are the construct's
// (synthesized: the configuration fingerprint and settings come from the template) running
// locally; the stack's resources are in moto's CloudFormation, so `--stack` alone finds them.
// Lambda's asynchronous Invoke is played by a client middleware that runs the local function.

const BUCKET = 'tap-operations-test';
const TABLE = 'notifications-operations-test';
const STACK = 'TapOperationsTest';
const config = () => ({
  endpoint: emulatorEndpoint(),
  region: EMULATOR_AWS_ENV.AWS_REGION,
  credentials: { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY },
});

let s3: S3Client;
let ddb: DynamoDBDocumentClient;
let queueUrl: string;
let roleArn: string;
/** The running local functions, by function name. */
const running = new Map<string, LocalFunction>();
/** Asynchronous invocations in progress (the middleware's), awaited by idle(). */
const inFlight = new Set<Promise<unknown>>();
const asyncFailures: string[] = [];

function lambdaClient(): LambdaClient {
  const client = new LambdaClient(config());
  client.middlewareStack.add((next) => async (args) => {
    const input = args.input as { FunctionName?: string; InvocationType?: string; Payload?: Uint8Array };
    const fn = input.InvocationType === 'Event' ? running.get(input.FunctionName ?? '') : undefined;
    if (!fn) return next(args);
    const event = JSON.parse(Buffer.from(input.Payload ?? []).toString());
    const run = fn.invoke(event).catch((err: Error) => asyncFailures.push(err.message));
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return { output: { StatusCode: 202, $metadata: { httpStatusCode: 202 } }, response: {} } as never;
  }, { step: 'initialize', name: 'localAsyncInvoke' });
  return client;
}

async function idle(): Promise<void> {
  while (inFlight.size > 0) await Promise.all([...inFlight]);
}

function clients(): CliClients {
  return {
    s3, ddb, sqs: new SQSClient(config()), lambda: lambdaClient(), cloudformation: new CloudFormationClient(config()),
  };
}

/** Runs the CLI in-process; returns its exit code and what it printed. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (t) => err.push(t), tty: false, clients });
  return { code, out: out.join('\n'), err: err.join('') };
}

/** Puts the two functions in a CloudFormation stack in moto (physical names = the local functions'). */
async function createStack(stackName: string, functions: Record<string, Record<string, string>>): Promise<void> {
  const resources = Object.fromEntries(Object.entries(functions).map(([name, env], i) => [`Fn${i}`, {
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: name,
      Role: roleArn,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Code: { ZipFile: 'exports.handler = async () => {};' },
      Environment: { Variables: env },
    },
  }]));
  const template = JSON.stringify({ Resources: resources });
  await new CloudFormationClient(config()).send(new CreateStackCommand({ StackName: stackName, TemplateBody: template }));
}

async function startPipeline(stackName: string, images: SynthesizedFunction, data: SynthesizedFunction): Promise<void> {
  const fns = {
    [`${stackName}-images`]: withResources(images, TABLE, BUCKET),
    [`${stackName}-data`]: withResources(data, TABLE, BUCKET),
  };
  await createStack(stackName, fns);
  for (const [name, env] of Object.entries(fns)) {
    await running.get(name)?.stop();
    const spec = name.endsWith('-images') ? images : data;
    running.set(name, await startFunctionFromAsset(spec.assetDir, env.POWERTOOLS_SERVICE_NAME, env));
  }
}

let png: Buffer;
const uploaded: Array<{ key: string; put: { ETag?: string; VersionId?: string }; size: number }> = [];

async function upload(key: string, body: Buffer | string): Promise<void> {
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  uploaded.push({ key, put, size: Buffer.byteLength(body) });
}

beforeAll(async () => {
  await useLambdaWithoutDocker(emulatorEndpoint());
  s3 = s3Client();
  ddb = DynamoDBDocumentClient.from(dynamoClient());
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
  queueUrl = (await new SQSClient(config()).send(new CreateQueueCommand({ QueueName: 'tap-operations-dlq' }))).QueueUrl!;
  roleArn = (await new IAMClient(config()).send(new CreateRoleCommand({ RoleName: 'tap-operations-test', AssumeRolePolicyDocument: '{}' }))).Role!.Arn!;
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } }).png().toBuffer();
});

afterAll(async () => {
  await idle();
  await Promise.all([...running.values()].map((f) => f.stop()));
});

async function deliver(...keys: string[]): Promise<void> {
  for (const key of keys) {
    const u = uploaded.find((x) => x.key === key)!;
    const fn = running.get(`${STACK}-${key.startsWith('images/') ? 'images' : 'data'}`)!;
    await fn.invoke(s3Event(s3Record(BUCKET, key, u.put, u.size)));
  }
}

describe('reconcile and reprocess (20 objects, 3 without an outcome)', () => {
  const props = { dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE) };
  const missing = ['data/orders 7.ndjson', 'images/photo 03.png', 'images/sub/photo+12.png'];

  beforeAll(async () => {
    const synth = synthesizedS3Functions(props);
    await startPipeline(STACK, synth.images, synth.data);
    const imageKeys = [
      ...Array.from({ length: 10 }, (_, i) => (i === 3 ? 'images/photo 03.png' : `images/photo+${i}.png`)),
      'images/sub/photo+10.png', 'images/sub/photo+12.png',
    ];
    for (const [i, key] of imageKeys.entries()) await upload(key, Buffer.concat([png, Buffer.from([i])]));
    for (let i = 0; i < 8; i++) await upload(`data/orders ${i}.ndjson`, ndjson(3 + i));
    await deliver(...uploaded.map((u) => u.key).filter((k) => !missing.includes(k)));
  });

  test('reconcile lists exactly the 3 objects without an outcome and exits 1', async () => {
    expect(uploaded).toHaveLength(20);

    const text = await cli('reconcile', '--stack', STACK, '--queue-url', queueUrl);
    if (process.env.TAP_PRINT_CLI_OUTPUT) console.log(`${text.out}\n--- stderr ---\n${text.err}`);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/images\/ +→ TapOperationsTest-images/);
    expect(text.out).toMatch(/No outcome \(3\):\n {2}data\/orders 7\.ndjson {2}\(version .+\)\n {2}images\/photo 03\.png/);
    expect(text.out).toContain('Dead-letter queue: 0 messages waiting, 0 in flight');
    expect(text.out).toContain('Incomplete: 3 without an outcome (deliver them: npx cdk-tap-serverless reprocess --stack TapOperationsTest)');
    expect(text.err).toMatch(/reconcile: listed 20, checked 20, missing 3, older 0/);

    const outputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reconcile-')), 'missing.jsonl');
    const json = await cli('reconcile', '--stack', STACK, '--json', '--show', '2', '--output', outputFile);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as ReconcileReport;
    expect(report).toMatchObject({ bucket: BUCKET, table: TABLE, objects: 20, current: 17, missing: 3, olderConfiguration: 0, complete: false });
    expect(report.missingObjects.map((o) => o.key)).toEqual(missing.slice(0, 2));
    const all = fs.readFileSync(outputFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(all.map((o) => [o.key, o.status])).toEqual(missing.map((k) => [k, 'missing']));
    expect(all.every((o) => typeof o.versionId === 'string' && o.versionId.length > 0)).toBe(true);
    const images = report.prefixes.find((p) => p.prefix === 'images/')!;
    expect(images).toMatchObject({ objects: 12, current: 10, missing: 2, byType: { 'image.processed': 10 } });
    expect(report.prefixes.find((p) => p.prefix === 'data/')).toMatchObject({ objects: 8, current: 7, missing: 1, byType: { 'data.valid': 7 } });
  });

  test('reprocess --dry-run delivers nothing; reprocess delivers the 3; then reconcile exits 0', async () => {
    const dry = await cli('reprocess', '--stack', STACK, '--dry-run');
    if (process.env.TAP_PRINT_CLI_OUTPUT) console.log(`${dry.out}\n--- stderr ---\n${dry.err}`);
    expect(dry.code).toBe(0);
    expect(dry.out.split('\n').filter((l) => l.startsWith('would deliver')).map((l) => l.replace(/ \(version .*/, '')))
      .toEqual(missing.map((k) => `would deliver ${k}`));
    expect(await outcomeCount()).toBe(17);

    const run = await cli('reprocess', '--stack', STACK, '--json', '--batch', '2');
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.out) as ReprocessSummary;
    expect(summary).toMatchObject({ listed: 20, selected: 3, delivered: 3, failed: 0, events: 2, resumeAfter: 'images/sub/photo+12.png' });
    await idle();
    expect(asyncFailures).toEqual([]);

    const after = await cli('reconcile', '--stack', STACK);
    expect(after.code).toBe(0);
    expect(after.out).toContain('Complete: all 20 objects have an outcome under the current configuration.');
    // the packaged command finds the same from the stack name alone (endpoint from AWS_ENDPOINT_URL)
    const packaged = spawnSync(process.execPath, [path.join(ROOT, 'assets', 'cli', 'main', 'index.js'), 'reconcile', '--stack', STACK, '--json'], {
      env: { PATH: process.env.PATH, ...EMULATOR_AWS_ENV, AWS_ENDPOINT_URL: emulatorEndpoint() }, encoding: 'utf8',
    });
    expect(packaged.status).toBe(0);
    expect(JSON.parse(packaged.stdout)).toMatchObject({ objects: 20, current: 20, missing: 0, complete: true });
    expect(await outcomeCount()).toBe(20);

    // Reprocessing again finds nothing to deliver; --all delivers everything, and the functions
    // recognise every object as already recorded: still exactly one outcome per object.
    expect(JSON.parse((await cli('reprocess', '--stack', STACK, '--json')).out)).toMatchObject({ selected: 0, delivered: 0 });
    expect(JSON.parse((await cli('reprocess', '--stack', STACK, '--all', '--json')).out)).toMatchObject({ selected: 20, delivered: 20 });
    await idle();
    expect(await outcomeCount()).toBe(20);
  });

  test('an object recorded as failed: reconcile counts it and exits 1; reprocess delivers it and its real outcome supersedes the failure', async () => {
    // GIVEN one image whose outcome is image.failed, as the failure recorder writes it after its event failed every attempt
    const key = 'images/photo+5.png';
    const u = uploaded.find((x) => x.key === key)!;
    const fingerprint = synthesizedS3Functions(props).images.environment[ENV.CONFIG_FINGERPRINT];
    const id = objectNotificationId({ bucket: BUCKET, key, versionId: u.put.VersionId, eTag: u.put.ETag?.replace(/"/g, '') }, fingerprint);
    const failedAt = new Date().toISOString();
    await ddb.send(new UpdateCommand({
      TableName: TABLE,
      Key: { id },
      UpdateExpression: 'SET #type = :type, #message = :message, #createdAt = :createdAt',
      ExpressionAttributeNames: { '#type': 'type', '#message': 'message', '#createdAt': 'createdAt' },
      ExpressionAttributeValues: { ':type': 'image.failed', ':message': 'Failed after 3 attempts: throttled', ':createdAt': failedAt },
    }));
    // WHEN reconcile runs
    const text = await cli('reconcile', '--stack', STACK);
    // THEN it counts the failure and is not complete
    expect(text.code).toBe(1);
    expect(text.out).toContain('  failed                1   (their events failed every attempt; counted in current outcome)');
    expect(text.out).toContain('Incomplete: 1 recorded as failed (fix the cause, then: npx cdk-tap-serverless redrive --stack TapOperationsTest, or reprocess them).');
    expect(JSON.parse((await cli('reconcile', '--stack', STACK, '--json')).out)).toMatchObject({ current: 20, failed: 1, complete: false });
    // WHEN reprocess runs: it selects the failed object, and the function replaces the failure with the real outcome
    expect(JSON.parse((await cli('reprocess', '--stack', STACK, '--json')).out)).toMatchObject({ selected: 1, delivered: 1 });
    await idle();
    const item = (await ddb.send(new GetCommand({ TableName: TABLE, Key: { id } }))).Item;
    expect(item).toMatchObject({ type: 'image.processed', details: { supersedes: { type: 'image.failed', createdAt: failedAt } } });
    expect((await cli('reconcile', '--stack', STACK)).code).toBe(0);
    expect(await outcomeCount()).toBe(20);
  });

  test('after an imageThumbnailWidths change, the old outcomes are older-configuration and reprocess --all redoes them', async () => {
    // GIVEN the construct re-synthesized with other widths: a new fingerprint for the image function only
    const before = synthesizedS3Functions(props);
    const after = synthesizedS3Functions({ ...props, imageThumbnailWidths: [64, 96] });
    expect(after.images.environment[ENV.CONFIG_FINGERPRINT]).not.toBe(before.images.environment[ENV.CONFIG_FINGERPRINT]);
    expect(after.data.environment[ENV.CONFIG_FINGERPRINT]).toBe(before.data.environment[ENV.CONFIG_FINGERPRINT]);
    const stack = `${STACK}Widths`;
    await startPipeline(stack, after.images, after.data);
    const images = [`${stack}-images`];

    // WHEN reconciling: the 12 images are recorded only under the old configuration
    const report = JSON.parse((await cli('reconcile', '--image-function', images[0], '--json')).out) as ReconcileReport;
    expect(report).toMatchObject({ objects: 12, current: 0, olderConfiguration: 12, missing: 0, complete: false });
    const text = await cli('reconcile', '--image-function', images[0]);
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/Recorded only under an older configuration \(12\):\n {2}images\/photo 03\.png/);

    // THEN the default reprocess delivers nothing (none is missing), --older would deliver the 12,
    // and --all delivers them
    expect(JSON.parse((await cli('reprocess', '--image-function', images[0], '--json')).out)).toMatchObject({ selected: 0 });
    expect(JSON.parse((await cli('reprocess', '--image-function', images[0], '--older', '--dry-run', '--json')).out))
      .toMatchObject({ selected: 12, delivered: 0, dryRun: true });
    const redo = JSON.parse((await cli('reprocess', '--image-function', images[0], '--all', '--json')).out) as ReprocessSummary;
    expect(redo).toMatchObject({ selected: 12, delivered: 12, failed: 0 });
    await idle();
    expect(asyncFailures).toEqual([]);
    expect((await cli('reconcile', '--image-function', images[0])).code).toBe(0);

    // AND the new outcomes carry the new widths; the old ones are still there beside them
    const outcomes = (await scanAll()).filter((i) => i.type === 'image.processed');
    const fingerprint = after.images.environment[ENV.CONFIG_FINGERPRINT];
    const fresh = outcomes.filter((i) => i.details.fingerprint === fingerprint);
    expect(fresh).toHaveLength(12);
    expect(outcomes).toHaveLength(24);
    for (const item of fresh) expect(item.details.thumbnails.map((t: { requestedWidth: number }) => t.requestedWidth)).toEqual([64, 96]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'thumbnails/photo 03.png/' }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(['128', '512', '64', '96'].map((w) => `thumbnails/photo 03.png/${w}.webp`).sort());
  });
});

describe('a route in the stack: reconcile and reprocess cover it, --route alone', () => {
  const stack = 'TapRoutesOperationsTest';
  let service: LambdaService;
  let python: LocalFunction;
  const dispatcherName = `${stack}-route-csv`;

  beforeAll(async () => {
    // GIVEN a stack with the image and data functions and a route's dispatcher, whose Python function runs behind the local Lambda service
    python = await LocalFunction.start({
      assetDir: path.join(ROOT, 'examples', 'csv-summary'),
      handler: 'handler.handler',
      functionName: 'csv-fn',
      python: path.join(pythonBin(), 'python'),
      environment: { ...EMULATOR_AWS_ENV, AWS_ENDPOINT_URL: emulatorEndpoint() },
    });
    service = await LambdaService.start({ functions: [{ name: 'csv-fn', fn: python, environment: {} }], sqs: new SQSClient(config()) });
    const synth = synthesizedS3Functions({});
    const dispatcherEnv = {
      ...s3FunctionEnv(TABLE, BUCKET),
      POWERTOOLS_SERVICE_NAME: 'route-csv',
      TAP_CONFIG_FINGERPRINT: 'routefingerprint',
      TAP_ROUTE_NAME: 'csv',
      TAP_ROUTE_PREFIX: 'csv/',
      TAP_ROUTE_SUFFIXES: '.csv',
      TAP_ROUTE_FUNCTION: functionArn('csv-fn'),
    };
    await createStack(stack, {
      [`${stack}-images`]: withResources(synth.images, TABLE, BUCKET),
      [`${stack}-data`]: withResources(synth.data, TABLE, BUCKET),
      [dispatcherName]: dispatcherEnv,
    });
    running.set(dispatcherName, await startBundledFunction('route-dispatcher', { ...dispatcherEnv, AWS_ENDPOINT_URL_LAMBDA: service.endpoint }));
    for (const i of [1, 2, 3]) await upload(`csv/sales ${i}.csv`, `region,units\nnorth,${i}\nsouth,${i * 2}\n`);
    await upload('csv/readme.txt', 'not one of the route\'s keys');
    const first = uploaded.find((u) => u.key === 'csv/sales 1.csv')!;
    await running.get(dispatcherName)!.invoke(s3Event(s3Record(BUCKET, first.key, first.put, first.size)));
  });

  afterAll(async () => {
    await idle();
    await service?.stop();
    await python?.stop();
  });

  test('reconcile --route: the route\'s keys only (its suffix filter applied), each classified under its fingerprint', async () => {
    const report = JSON.parse((await cli('reconcile', '--stack', stack, '--route', 'csv', '--json')).out) as ReconcileReport;
    expect(report.prefixes).toEqual([expect.objectContaining({
      prefix: 'csv/', functionName: dispatcherName, fingerprint: 'routefingerprint', objects: 3, current: 1, missing: 2, byType: { 'csv.summarized': 1 },
    })]);
    // Without --route, the route is covered beside the image and data functions.
    const all = JSON.parse((await cli('reconcile', '--stack', stack, '--json')).out) as ReconcileReport;
    expect(all.prefixes.map((p) => p.prefix)).toEqual(['csv/', 'data/', 'images/']);
  });

  test('reprocess --route delivers the route\'s missing objects to its dispatcher; then reconcile --route is complete', async () => {
    const run = JSON.parse((await cli('reprocess', '--stack', stack, '--route', 'csv', '--json')).out) as ReprocessSummary;
    expect(run).toMatchObject({ selected: 2, delivered: 2, failed: 0 });
    await idle();
    expect(asyncFailures).toEqual([]);
    const after = await cli('reconcile', '--stack', stack, '--route', 'csv');
    expect(after.code).toBe(0);
    expect(after.out).toContain('current outcome       3   (csv.summarized 3)');
  });

  test('an unknown route is a usage error naming the stack\'s routes', async () => {
    const run = await cli('reconcile', '--stack', stack, '--route', 'pdf');
    expect(run.code).toBe(2);
    expect(run.err).toContain(`stack ${stack} has no route pdf (its routes: csv)`);
  });
});

describe('usage errors exit 2 with a message', () => {
  test.each([
    [['reconcile'], /pass --stack NAME/],
    [['reconcile', '--stack', 'NoSuchStack'], /stack NoSuchStack: .*does not exist/],
    [['reprocess', '--stack', STACK, '--all', '--older'], /--all already includes --older/],
    [['reprocess', '--stack', STACK, '--batch', '101'], /--batch must be at most 100/],
    [['reconcile', '--stack', STACK, '--prefix', 'reports/'], /--prefix reports\/ is not within an input prefix/],
    [['reconcile', '--bogus'], /unknown argument --bogus for reconcile/],
  ])('%j', async (argv, message) => {
    const run = await cli(...argv);
    expect(run.err).toMatch(message);
    expect(run.code).toBe(2);
  });
});

async function scanAll(): Promise<any[]> {
  const items: any[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Notifications (outcome items; not the version index items) in the table. */
async function outcomeCount(): Promise<number> {
  return (await scanAll()).filter((i) => typeof i.type === 'string').length;
}
