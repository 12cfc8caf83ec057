import { spawnSync } from 'child_process';
import * as dgram from 'dgram';
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  bundledAssetDir, createBucket, createNotificationsTable, dynamoClient, s3Client, s3Event, s3FunctionEnv, s3Record, startBundledFunction,
  TEST_INDEX_SHARDS,
} from '../emulator/bundled';
import { LocalFunction } from '../emulator/local-function';

// The bundled functions (assets/, as deployed: minified, with the bundle's stand-ins) traced as on
// Lambda: AWS_EXECUTION_ENV and LAMBDA_TASK_ROOT set, an X-Ray trace header in _X_AMZN_TRACE_ID, and
// a fake X-Ray daemon (a UDP socket on 127.0.0.1) in AWS_XRAY_DAEMON_ADDRESS receiving what the
// X-Ray SDK sends. S3 and DynamoDB are moto server.

interface Subsegment {
  readonly name: string;
  readonly trace_id: string;
  readonly parent_id?: string;
  readonly id: string;
  readonly namespace?: string;
  readonly annotations?: Record<string, unknown>;
  readonly metadata?: Record<string, Record<string, unknown>>;
  readonly aws?: Record<string, unknown>;
  readonly subsegments?: Subsegment[];
  readonly fault?: boolean;
  readonly error?: boolean;
}

/** A fake X-Ray daemon: every UDP datagram is a header line and one (sub)segment document. */
class FakeDaemon {
  public static async start(): Promise<FakeDaemon> {
    const daemon = new FakeDaemon();
    await new Promise<void>((resolve) => daemon.socket.bind(0, '127.0.0.1', resolve));
    return daemon;
  }

  public readonly documents: Subsegment[] = [];
  private readonly socket = dgram.createSocket('udp4');

  private constructor() {
    this.socket.on('message', (msg) => {
      const text = msg.toString('utf8');
      const nl = text.indexOf('\n');
      expect(JSON.parse(text.slice(0, nl))).toEqual({ format: 'json', version: 1 });
      this.documents.push(JSON.parse(text.slice(nl + 1)));
    });
  }

  public get address(): string {
    const { address, port } = this.socket.address();
    return `${address}:${port}`;
  }

  /** Every subsegment received for `traceId`, nested ones included. */
  public subsegments(traceId: string): Subsegment[] {
    const all: Subsegment[] = [];
    const walk = (s: Subsegment) => {
      all.push(s);
      (s.subsegments ?? []).forEach(walk);
    };
    this.documents.filter((d) => d.trace_id === traceId).forEach(walk);
    return all;
  }

  /** Waits until `predicate` holds for the documents received (UDP is asynchronous). */
  public async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`fake X-Ray daemon: condition not met; received ${JSON.stringify(this.documents, null, 1).slice(0, 4000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_HEADER = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`;
const TABLE = 'notifications-tracing-test';
const BUCKET = 'tap-tracing-emulator';

/** The environment Lambda gives a traced function (the construct sets POWERTOOLS_TRACE_ENABLED). */
function tracedEnv(daemon: FakeDaemon, traceEnabled = 'true'): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: '/var/task',
    _X_AMZN_TRACE_ID: TRACE_HEADER,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    POWERTOOLS_TRACE_ENABLED: traceEnabled,
  };
}

let daemon: FakeDaemon;
let s3: S3Client;
const started: LocalFunction[] = [];

beforeAll(async () => {
  daemon = await FakeDaemon.start();
  s3 = s3Client();
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
});

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await daemon?.stop();
});

async function start(name: 'data-validator' | 'notification-handler', env: Record<string, string>): Promise<LocalFunction> {
  const fn = await startBundledFunction(name, env);
  started.push(fn);
  return fn;
}

test('the API handler traces its DynamoDB calls as subsegments of an annotated handler subsegment', async () => {
  // GIVEN the bundled API handler, traced
  const fn = await start('notification-handler', {
    TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(TEST_INDEX_SHARDS), TAP_ENVIRONMENT: 'test', ...tracedEnv(daemon),
  });
  // WHEN it creates a notification, then lists them
  const request = (httpMethod: string, body: string | null): APIGatewayProxyEvent => ({
    resource: '/notifications',
    path: '/notifications',
    httpMethod,
    body,
    headers: { 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'r' } as any,
  });
  const created = await fn.invoke<APIGatewayProxyResult>(request('POST', JSON.stringify({ type: 'ops.trace', message: 'traced' })));
  expect(created.statusCode).toBe(201);
  const listed = await fn.invoke<APIGatewayProxyResult>(request('GET', null));
  expect(listed.statusCode).toBe(200);

  // THEN the daemon received the handler subsegments, annotated, with the DynamoDB calls under them
  const handlerOf = () => daemon.subsegments(TRACE_ID).filter((s) => s.name === '## index.handler' && s.annotations?.Service === 'notification-handler');
  await daemon.waitFor(() => handlerOf().length >= 2 &&
    daemon.subsegments(TRACE_ID).filter((s) => s.name === 'DynamoDB' && s.aws?.operation === 'Query').length >= TEST_INDEX_SHARDS);
  const handlers = handlerOf();
  expect(handlers.map((h) => h.annotations?.ColdStart)).toEqual([true, false]);
  const dynamo = daemon.subsegments(TRACE_ID).filter((s) => s.name === 'DynamoDB');
  expect(dynamo.map((s) => s.aws?.operation)).toEqual(expect.arrayContaining(['PutItem', 'Query', 'BatchGetItem']));
  for (const call of dynamo) {
    expect(call.namespace).toBe('aws');
    // The table is recorded (BatchGetItem names it in table_names).
    expect([call.aws?.table_name, ...(call.aws?.table_names as string[] ?? [])]).toContain(TABLE);
    // Each call hangs under one of the handler subsegments, not under Lambda's facade segment.
    expect(handlers.map((h) => h.id)).toContain(call.parent_id);
  }
  // No SDK call was recorded twice (HTTP requests are not captured on top of the SDK clients).
  expect(daemon.subsegments(TRACE_ID).filter((s) => s.namespace === 'remote')).toEqual([]);
  // And nothing the X-Ray SDK logs about a missing context.
  expect(fn.logs.join('\n')).not.toMatch(/context missing|Failed to get the current sub\/segment/i);
});

test('an S3 function traces each object as an annotated subsegment, with its S3 and DynamoDB calls under it', async () => {
  // GIVEN the bundled data validator, traced, and two uploads (one with a long key)
  const fn = await start('data-validator', { ...s3FunctionEnv(TABLE, BUCKET), ...tracedEnv(daemon) });
  const longKey = `data/${'x'.repeat(400)}.ndjson`;
  const records = [];
  for (const key of ['data/traced one.ndjson', longKey]) {
    const body = '{"a":1}\n{"a":2}\n';
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    records.push(s3Record(BUCKET, key, put, Buffer.byteLength(body)));
  }
  // WHEN one event delivers both
  const summary = await fn.invoke<{ records: Array<{ outcome: string }> }>(s3Event(...records));
  expect(summary.records.map((r) => r.outcome)).toEqual(['data.valid', 'data.valid']);

  // THEN one `### object` subsegment per object, annotated with its bucket and the hash of its key
  const objects = () => daemon.subsegments(TRACE_ID).filter((s) => s.name === '### object' && s.annotations?.bucket === BUCKET);
  await daemon.waitFor(() => objects().length >= 2 &&
    daemon.subsegments(TRACE_ID).some((s) => s.name === '## index.handler' && s.annotations?.Service === 'data-validator'));
  const [first, second] = objects();
  // No object key in an indexed field (finding: X-Ray keeps annotations 30 days, beyond the log retention):
  // the annotation is a hash of the key; the key itself is in the metadata, which X-Ray does not index.
  const sha16 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);
  expect(first.annotations).toEqual({ bucket: BUCKET, objectKeySha256: sha16('data/traced one.ndjson') });
  expect(second.annotations).toEqual({ bucket: BUCKET, objectKeySha256: sha16(longKey) });
  expect(JSON.stringify(daemon.subsegments(TRACE_ID).map((s) => s.annotations ?? {}))).not.toContain('traced one');
  expect(first.metadata?.default?.object).toEqual({ bucket: BUCKET, key: 'data/traced one.ndjson' });
  expect(second.metadata?.default?.object).toEqual({ bucket: BUCKET, key: longKey });
  // Under each object: the S3 reads and the report write, and the DynamoDB outcome writes.
  for (const object of [first, second]) {
    const calls = daemon.subsegments(TRACE_ID).filter((s) => s.parent_id === object.id);
    expect(calls.filter((s) => s.name === 'S3').map((s) => s.aws?.operation)).toEqual(expect.arrayContaining(['GetObject', 'PutObject']));
    expect(calls.filter((s) => s.name === 'DynamoDB').map((s) => s.aws?.operation)).toEqual(expect.arrayContaining(['GetItem', 'PutItem']));
  }
  const handler = daemon.subsegments(TRACE_ID).find((s) => s.name === '## index.handler' && s.annotations?.Service === 'data-validator')!;
  expect(handler.annotations).toMatchObject({ ColdStart: true, Service: 'data-validator' });
  expect(objects().map((o) => o.parent_id)).toEqual([handler.id, handler.id]);
});

test('with POWERTOOLS_TRACE_ENABLED=false (the tracing prop off) nothing is sent', async () => {
  // GIVEN a second daemon, and the API handler with tracing turned off by the construct
  const quiet = await FakeDaemon.start();
  try {
    const fn = await start('notification-handler', {
      TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(TEST_INDEX_SHARDS), TAP_ENVIRONMENT: 'test', ...tracedEnv(quiet, 'false'),
    });
    // WHEN it serves a request
    const res = await fn.invoke<APIGatewayProxyResult>({
      resource: '/notifications',
      path: '/notifications',
      httpMethod: 'GET',
      body: null,
      headers: {},
      multiValueHeaders: {},
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      isBase64Encoded: false,
      requestContext: { requestId: 'r' },
    });
    expect(res.statusCode).toBe(200);
    // THEN no segment reaches the daemon (given time for a datagram to arrive)
    await new Promise((r) => setTimeout(r, 300));
    expect(quiet.documents).toEqual([]);
  } finally {
    await quiet.stop();
  }
});

test.each(['notification-handler', 'data-validator', 'image-processor'] as const)(
  'the %s bundle exports handler as a plain, writable property (wrappers such as the OpenTelemetry layer replace it)',
  (name) => {
    // GIVEN the bundle, loaded in a fresh process with the environment the construct sets
    const env = {
      ...process.env,
      ...s3FunctionEnv(TABLE, BUCKET),
      TAP_THUMBNAIL_WIDTHS: '128',
      TAP_THUMBNAIL_FORMAT: 'webp',
      TAP_MAX_IMAGE_BYTES: '1000',
      TAP_MAX_IMAGE_PIXELS: '1000',
      AWS_REGION: 'us-east-1',
      NODE_NO_WARNINGS: '1',
    };
    const script = `const m = require(${JSON.stringify(bundledAssetDir(name))});` +
      'const d = Object.getOwnPropertyDescriptor(m, "handler");' +
      'const original = m.handler; m.handler = async () => "wrapped";' +
      'process.stdout.write(JSON.stringify({ type: typeof original, writable: d.writable, configurable: d.configurable, replaced: m.handler !== original }));';
    // WHEN its handler is inspected and replaced
    const result = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    // THEN
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ type: 'function', writable: true, configurable: true, replaced: true });
  },
);
