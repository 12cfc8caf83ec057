import { spawnSync } from 'child_process';
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  bundledAssetDir, createBucket, createNotificationsTable, dynamoClient, s3Client, s3Event, s3FunctionEnv, s3Record, startBundledFunction,
  TEST_FINGERPRINT, TEST_INDEX_SHARDS,
} from '../../emulator/bundled';
import { apiRequest as apiEvent } from '../../emulator/events';
import { LocalFunction } from '../../emulator/local-function';
import { png } from '../support/images';
import { OtlpUdpReceiver, ReceivedSpan } from '../support/otlp-receiver';

// The bundled functions (assets/, as deployed: minified) traced as on Lambda: AWS_EXECUTION_ENV set,
// an X-Ray trace header in _X_AMZN_TRACE_ID, and a stand-in for the environment's trace endpoint (a UDP
// socket on 127.0.0.1) in AWS_XRAY_DAEMON_ADDRESS, decoding the OTLP spans the functions send.
// S3 and DynamoDB are moto server.

const XRAY_TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
/** The same trace id as OpenTelemetry writes it: 32 hex digits, the X-Ray dashes removed. */
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
/** The span Lambda started for the invocation (its facade segment): the parent of every root span. */
const LAMBDA_PARENT = '53995c3f42cd8ad8';
const TRACE_HEADER = `Root=${XRAY_TRACE_ID};Parent=${LAMBDA_PARENT};Sampled=1`;
const TABLE = 'notifications-tracing-test';
const BUCKET = 'tap-tracing-emulator';
const KIND = { INTERNAL: 1, CLIENT: 3 };

/** The environment Lambda gives a traced function (the construct sets TAP_TRACING). */
function tracedEnv(receiver: OtlpUdpReceiver, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: '/var/task',
    _X_AMZN_TRACE_ID: TRACE_HEADER,
    AWS_XRAY_DAEMON_ADDRESS: receiver.address,
    TAP_TRACING: 'true',
    ...overrides,
  };
}

let receiver: OtlpUdpReceiver;
let s3: S3Client;
const started: LocalFunction[] = [];

beforeAll(async () => {
  receiver = await OtlpUdpReceiver.start();
  s3 = s3Client();
  await createBucket(s3, BUCKET);
  await createNotificationsTable(dynamoClient(), TABLE);
});

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await receiver?.stop();
});

async function start(name: 'data-validator' | 'notification-handler' | 'image-processor', env: Record<string, string>): Promise<LocalFunction> {
  const fn = await startBundledFunction(name, env);
  started.push(fn);
  return fn;
}


const apiRequest = (httpMethod: string, body: string | null) => apiEvent(httpMethod, '/notifications', { body, headers: { 'Content-Type': 'application/json' } });

const apiEnv = (overrides: Record<string, string> = {}) => ({
  TAP_TABLE_NAME: TABLE,
  TAP_INDEX_SHARDS: String(TEST_INDEX_SHARDS),
  TAP_ENVIRONMENT: 'test',
  POWERTOOLS_SERVICE_NAME: 'notification-handler',
  ...tracedEnv(receiver, overrides),
});

/** The root spans of one service: `## index.handler`, parented to Lambda's span. */
const rootsOf = (service: string) => receiver.trace(TRACE_ID).filter((s) => s.name === '## index.handler' && s.resource['service.name'] === service);
const childrenOf = (span: ReceivedSpan) => receiver.trace(TRACE_ID).filter((s) => s.parentSpanId === span.spanId);

test('the API handler: one root span per invocation under Lambda\'s, its DynamoDB calls as client spans under it', async () => {
  // GIVEN the bundled API handler, traced
  const fn = await start('notification-handler', apiEnv());
  // WHEN it creates a notification, then lists them
  const created = await fn.invoke<APIGatewayProxyResult>(apiRequest('POST', JSON.stringify({ type: 'ops.trace', message: 'traced' })));
  expect(created.statusCode).toBe(201);
  const listed = await fn.invoke<APIGatewayProxyResult>(apiRequest('GET', null));
  expect(listed.statusCode).toBe(200);

  // THEN two root spans, in the trace Lambda started, children of its span, cold then warm
  await receiver.waitFor(() => rootsOf('notification-handler').length >= 2 &&
    receiver.trace(TRACE_ID).filter((s) => s.name === 'DynamoDB.Query').length >= TEST_INDEX_SHARDS);
  expect(receiver.malformed).toEqual([]);
  const roots = rootsOf('notification-handler');
  expect(roots).toHaveLength(2);
  for (const root of roots) {
    expect(root.parentSpanId).toBe(LAMBDA_PARENT);
    expect(root.kind).toBe(KIND.INTERNAL);
    expect(root.resource).toMatchObject({ 'service.name': 'notification-handler', 'cloud.provider': 'aws', 'cloud.platform': 'aws_lambda' });
    expect(root.attributes['http.route']).toBe('/notifications');
    expect(root.attributes['aws.xray.annotations']).toEqual(['faas.coldstart']);
  }
  expect(roots.map((r) => r.attributes['faas.coldstart'])).toEqual([true, false]);
  expect(roots.map((r) => r.attributes['http.request.method'])).toEqual(['POST', 'GET']);
  expect(roots.map((r) => r.attributes['http.response.status_code'])).toEqual([201, 200]);
  // Each DynamoDB call is one client span under its invocation's root, with the RPC attributes and the table.
  const calls = receiver.trace(TRACE_ID).filter((s) => s.attributes['rpc.service'] === 'DynamoDB');
  expect(calls.map((c) => c.attributes['rpc.method'])).toEqual(expect.arrayContaining(['PutItem', 'Query', 'BatchGetItem']));
  for (const call of calls) {
    expect(call.kind).toBe(KIND.CLIENT);
    expect(call.name).toBe(`DynamoDB.${call.attributes['rpc.method']}`);
    expect(call.attributes).toMatchObject({ 'rpc.system': 'aws-api', 'http.response.status_code': 200, 'aws.attempts': 1 });
    expect(call.attributes['aws.dynamodb.table_names']).toEqual([TABLE]);
    expect(typeof call.attributes['aws.request_id']).toBe('string');
    expect(roots.map((r) => r.spanId)).toContain(call.parentSpanId);
    expect(call.startNs >= roots.find((r) => r.spanId === call.parentSpanId)!.startNs).toBe(true);
  }
  // Every call once: the POST's PutItem under the first root, the GET's queries under the second.
  expect(childrenOf(roots[0]).map((c) => c.name)).toEqual(['DynamoDB.PutItem']);
  expect(childrenOf(roots[1]).filter((c) => c.name === 'DynamoDB.Query')).toHaveLength(TEST_INDEX_SHARDS);
  // No X-Ray SDK document (a segment JSON) reached the endpoint.
  expect(receiver.datagrams.every((d) => d.toString('utf8').startsWith('{"format":"json","version":1}\nT1S'))).toBe(true);
});

test('an S3 function: a span per object and per stage, the outcome and the fingerprint on them, no object key anywhere', async () => {
  // GIVEN the bundled data validator, traced, and two uploads (one with a long key)
  const fn = await start('data-validator', { ...s3FunctionEnv(TABLE, BUCKET), POWERTOOLS_SERVICE_NAME: 'data-validator', ...tracedEnv(receiver) });
  const longKey = `data/${'x'.repeat(400)}.ndjson`;
  const records = [];
  for (const [key, body] of [['data/traced one.ndjson', '{"a":1}\n{"a":2}\n'], [longKey, '{"a":1}\nnot json\n']]) {
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    records.push(s3Record(BUCKET, key, put, Buffer.byteLength(body)));
  }
  // WHEN one event delivers both
  const summary = await fn.invoke<{ records: Array<{ type: string }> }>(s3Event(...records));
  expect(summary.records.map((r) => r.type)).toEqual(['data.valid', 'data.invalid']);

  // THEN one root span with the configuration fingerprint, and one `### object` span per object under it
  const objects = () => receiver.trace(TRACE_ID).filter((s) => s.name === '### object' && s.attributes['aws.s3.bucket'] === BUCKET);
  await receiver.waitFor(() => objects().length >= 2 && rootsOf('data-validator').length >= 1);
  const [root] = rootsOf('data-validator');
  expect(root.parentSpanId).toBe(LAMBDA_PARENT);
  expect(root.attributes).toMatchObject({ 'faas.coldstart': true, 'tap.config.fingerprint': TEST_FINGERPRINT });
  expect(root.attributes['aws.xray.annotations']).toEqual(['faas.coldstart', 'tap.config.fingerprint']);
  const [first, second] = objects();
  const sha16 = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);
  expect(first.parentSpanId).toBe(root.spanId);
  expect(first.attributes).toMatchObject({ 'tap.object.key_sha256': sha16('data/traced one.ndjson'), 'tap.outcome.type': 'data.valid', 'tap.outcome': 'data.valid' });
  expect(second.attributes).toMatchObject({ 'tap.object.key_sha256': sha16(longKey), 'tap.outcome.type': 'data.invalid' });
  // Indexed (X-Ray annotations): the bucket, the key's hash and the outcome type, never the key.
  expect(first.attributes['aws.xray.annotations']).toEqual(['aws.s3.bucket', 'tap.object.key_sha256', 'tap.outcome.type']);
  // No object key in any attribute of any span, indexed or not (nor in the resource).
  const everything = JSON.stringify(receiver.trace(TRACE_ID).map((s) => [s.name, s.attributes, s.resource, s.events]));
  expect(everything).not.toContain('traced one');
  expect(everything).not.toContain('xxxxxxxxxx');
  // Under each object, its stages in order; under them, their S3 and DynamoDB calls.
  for (const object of [first, second]) {
    const stages = childrenOf(object).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
    expect(stages.map((s) => s.name)).toEqual(['check recorded', 'read', 'validate', 'write outputs', 'record outcome']);
    const [check, read, validate, write, record] = stages;
    expect(childrenOf(check).map((c) => c.name)).toEqual(['DynamoDB.GetItem']);
    expect(childrenOf(read).map((c) => c.name)).toEqual(['S3.GetObject']);
    expect(childrenOf(read)[0].attributes).toMatchObject({ 'rpc.system': 'aws-api', 'rpc.service': 'S3', 'rpc.method': 'GetObject', 'aws.s3.bucket': BUCKET });
    expect(validate.attributes['tap.data.format']).toBe('ndjson');
    expect(childrenOf(write).map((c) => c.name)).toEqual(expect.arrayContaining(['S3.HeadObject', 'S3.PutObject']));
    expect(childrenOf(record).map((c) => c.name)).toEqual(expect.arrayContaining(['DynamoDB.PutItem']));
  }
});

test('the image processor: read, decode and write outputs under the object, the outcome image.processed', async () => {
  // GIVEN the bundled image processor (its own sharp), traced, and one PNG
  const fn = await start('image-processor', {
    ...s3FunctionEnv(TABLE, BUCKET),
    POWERTOOLS_SERVICE_NAME: 'image-processor',
    TAP_THUMBNAIL_WIDTHS: '64',
    TAP_THUMBNAIL_FORMAT: 'webp',
    TAP_MAX_IMAGE_BYTES: String(10 * 1024 * 1024),
    TAP_MAX_IMAGE_PIXELS: '100000000',
    ...tracedEnv(receiver),
  });
  const body = await png(200, 100);
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'images/traced.png', Body: body }));
  // WHEN it is delivered
  const summary = await fn.invoke<{ records: Array<{ type: string }> }>(s3Event(s3Record(BUCKET, 'images/traced.png', put, body.length)));
  expect(summary.records.map((r) => r.type)).toEqual(['image.processed']);
  // THEN its object span has the outcome, and its stages the S3 calls
  const object = () => receiver.trace(TRACE_ID).find((s) => s.name === '### object' && s.attributes['tap.outcome.type'] === 'image.processed');
  await receiver.waitFor(() => object() !== undefined && childrenOf(object()!).length >= 5);
  const stages = childrenOf(object()!).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  expect(stages.map((s) => s.name)).toEqual(['check recorded', 'read', 'decode', 'write outputs', 'record outcome']);
  expect(childrenOf(stages[1]).map((c) => c.name)).toEqual(['S3.HeadObject', 'S3.GetObject']);
  expect(childrenOf(stages[2])).toEqual([]);
  expect(rootsOf('image-processor')[0].parentSpanId).toBe(LAMBDA_PARENT);
});

test.each([
  ['Lambda did not sample the trace (Sampled=0)', { _X_AMZN_TRACE_ID: `Root=1-5759e988-00000000000000000000000a;Parent=${LAMBDA_PARENT};Sampled=0` }],
  ['the tracing prop is off (TAP_TRACING=false)', { TAP_TRACING: 'false' }],
  ['the invocation has no trace header', { _X_AMZN_TRACE_ID: '' }],
])('nothing is sent when %s', async (_, overrides) => {
  // GIVEN a receiver of its own, and the API handler
  const quiet = await OtlpUdpReceiver.start();
  try {
    const fn = await start('notification-handler', { ...apiEnv(overrides), AWS_XRAY_DAEMON_ADDRESS: quiet.address });
    // WHEN it serves a request
    const res = await fn.invoke<APIGatewayProxyResult>(apiRequest('GET', null));
    expect(res.statusCode).toBe(200);
    // THEN no datagram reaches the endpoint (given time for one to arrive)
    await new Promise((r) => setTimeout(r, 300));
    expect(quiet.datagrams).toEqual([]);
  } finally {
    await quiet.stop();
  }
});

test.each([
  ['a port nothing listens on', '127.0.0.1:9'],
  ['a host that does not resolve', 'no-such-trace-endpoint.invalid:2000'],
  ['a malformed address', 'udp:'],
])('spans that cannot be delivered (%s) never fail an invocation', async (_, address) => {
  // GIVEN the data validator sending its spans nowhere
  const fn = await start('data-validator', { ...s3FunctionEnv(TABLE, BUCKET), ...tracedEnv(receiver, { AWS_XRAY_DAEMON_ADDRESS: address }) });
  const key = `data/undeliverable ${address.replace(/[^a-z0-9]/gi, '-')}.ndjson`;
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{"a":1}\n' }));
  // WHEN it processes an object, twice (the second finds it recorded)
  const first = await fn.invoke<{ records: Array<{ type: string; outcome: string }> }>(s3Event(s3Record(BUCKET, key, put, 8)));
  const again = await fn.invoke<{ records: Array<{ type: string; outcome: string }> }>(s3Event(s3Record(BUCKET, key, put, 8)));
  // THEN both invocations succeed, with their outcomes, and nothing is logged as a failure
  expect(first.records.map((r) => [r.type, r.outcome])).toEqual([['data.valid', 'data.valid']]);
  expect(again.records.map((r) => r.outcome)).toEqual(['duplicate']);
  expect(fn.logs.join('\n')).not.toMatch(/"level":"ERROR"|Unhandled|EADDRNOTAVAIL|ENOTFOUND/);
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
