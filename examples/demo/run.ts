/* eslint-disable no-console */
/**
 * The local end-to-end run (`npx projen demo`): synthesizes the example app, then drives the
 * synthesized artifacts against moto server on 127.0.0.1 — the bundled functions with the
 * environment, handler and asset the template gives them, the bucket and table the template
 * describes, uploads routed by the template's S3 notification filters, and the REST API's
 * Lambda proxy and MOCK integrations. Exits non-zero when any step does not produce the
 * expected outcome, naming the object.
 *
 *   ts-node examples/demo/run.ts [--ingestion direct|queue|eventBridge] [--assembly <cdk.out>]
 *
 * (default: synthesize examples/app.ts in the direct ingestion mode). In the queue mode each
 * upload's S3 event is sent to the function's queue in moto and read back as an SQS batch, as the
 * event source mapping would (messages the function does not report as failed are deleted); in
 * the EventBridge mode the function gets the "Object Created" event S3 would send.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { ENV } from '../../src/contract/env-names';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import { decodeS3Key } from '../../src/runtime/s3-key';
import { s3Event, s3Record } from '../../emulator/bundled';
import { apiRequest, ApiRequestInit } from '../../emulator/events';
import { LambdaService } from '../../emulator/lambda-service';
import { FunctionError, LocalFunction } from '../../emulator/local-function';
import { EMULATOR_ACCOUNT_ID, EMULATOR_AWS_ENV, Emulator, pythonBin, ROOT, startMoto } from '../../emulator/moto';
import { FunctionSpec, PipelineSpec, readPipeline, RouteSpec, routeFor } from './cloud-assembly';
import { DemoSample, demoSamples } from './samples';

const REGION = EMULATOR_AWS_ENV.AWS_REGION;

class DemoFailure extends Error {}

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  if (ok) {
    console.log(`    ✓ ${what}`);
  } else {
    console.log(`    ✗ ${what}`);
    failures.push(what);
  }
}

function step(title: string): void {
  console.log(`\n▶ ${title}`);
}

function synthesizeExample(ingestion: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-demo-cdk.out-'));
  // sharp's native binaries run only on their own CPU: the image function is synthesized for this machine's.
  const imageArchitecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  step(`Synthesizing examples/app.ts into ${outdir} (ingestion ${ingestion}; image processor on ${imageArchitecture}, this machine's architecture)`);
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register', path.join(ROOT, 'examples', 'app.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      // csvSummaryRoute: the example's route of a Python function (examples/csv-summary).
      CDK_CONTEXT_JSON: JSON.stringify({ imageArchitecture, ingestion, csvSummaryRoute: 'true' }),
      TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new DemoFailure(`synthesizing examples/app.ts failed (exit ${result.status})`);
  return outdir;
}

/** Physical names for the local run (CloudFormation would generate them). */
function physicalName(logicalId: string, attribute?: string): string {
  // Pseudo parameters: moto's account (the owner of the buckets it creates) and the demo's Region.
  if (logicalId === 'AWS::AccountId') return EMULATOR_ACCOUNT_ID;
  if (logicalId === 'AWS::Region') return REGION;
  if (logicalId === 'AWS::Partition') return 'aws';
  const name = `tap-demo-${logicalId.toLowerCase()}`.slice(0, 63);
  if (!attribute) return name;
  if (attribute === 'Arn') return `arn:aws:local:${REGION}:000000000000:${name}`;
  return `${name}.${attribute}`;
}

async function createResources(spec: PipelineSpec, s3: S3Client, ddb: DynamoDBClient): Promise<{ bucket: string; table: string }> {
  const bucket = physicalName(spec.bucketLogicalId);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (spec.bucketVersioned) {
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
  const table = physicalName(spec.table.logicalId);
  const p = spec.table.properties;
  await ddb.send(new CreateTableCommand({
    TableName: table,
    BillingMode: p.BillingMode ?? 'PROVISIONED',
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map((g: any) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection })),
    ...(p.BillingMode === 'PAY_PER_REQUEST' ? {} : { ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
  }));
  console.log(`  bucket ${bucket} (${spec.bucketLogicalId}${spec.bucketVersioned ? ', versioned' : ''})`);
  console.log(`  table  ${table} (${spec.table.logicalId}, indexes: ${(p.GlobalSecondaryIndexes ?? []).map((g: any) => g.IndexName).join(', ')})`);
  return { bucket, table };
}

async function startFunctions(spec: PipelineSpec, endpoint: string, lambdaEndpoint: string): Promise<Map<string, LocalFunction>> {
  const running = new Map<string, LocalFunction>();
  for (const fn of [...spec.functions.values(), ...spec.routeFunctions.values()]) {
    running.set(fn.logicalId, await startFunction(fn, endpoint, lambdaEndpoint));
    const role = spec.routeFunctions.has(fn.logicalId) ? ', a route\'s function, invoked by its dispatcher through the local Lambda service' : '';
    console.log(`  ${fn.logicalId}: ${fn.runtime} ${fn.handler} from ${path.basename(fn.assetDir)} (${fn.memorySize} MB, ${fn.timeoutSeconds} s${role})`);
  }
  return running;
}

function startFunction(fn: FunctionSpec, endpoint: string, lambdaEndpoint: string): Promise<LocalFunction> {
  return LocalFunction.start({
    assetDir: fn.assetDir,
    handler: fn.handler,
    functionName: fn.logicalId,
    timeoutSeconds: fn.timeoutSeconds,
    // A Python function (a route's) runs in the local Python host, with the project's .venv (boto3, as on Lambda).
    ...(fn.runtime.startsWith('python') ? { python: path.join(pythonBin(), 'python') } : {}),
    environment: {
      ...fn.environment,
      ...EMULATOR_AWS_ENV,
      AWS_ENDPOINT_URL: endpoint,
      // A route's dispatcher invokes its function through the local Lambda service.
      AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
      POWERTOOLS_LOG_LEVEL: process.env.DEMO_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    onLog: (line) => {
      if (process.env.DEMO_VERBOSE) console.log(`      [${fn.logicalId}] ${line}`);
    },
  });
}

/** Uploads a sample and builds its S3 event from the real PutObject and HeadObject results. */
async function upload(s3: S3Client, bucket: string, sample: DemoSample): Promise<S3Event> {
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: sample.key, Body: sample.body, ContentType: sample.contentType }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: sample.key, VersionId: put.VersionId }));
  return s3Event(s3Record(bucket, sample.key, put, head.ContentLength ?? sample.body.length));
}

interface Delivery {
  readonly sqs: SQSClient;
  readonly queueUrls: ReadonlyMap<string, string>;
}

/**
 * Delivers an upload's S3 event to a function the way its route does, and returns what became of
 * the object: `{ outcome, type, notificationId, reason }` (from the function's summary; in the
 * queue mode, whose answer only lists failed messages, from the outcome recorded under its id).
 */
async function deliver(route: RouteSpec, fn: LocalFunction, fnSpec: FunctionSpec, event: S3Event, io: Delivery): Promise<any> {
  const object = event.Records[0].s3.object;
  if (route.via === 'direct') {
    return (await fn.invoke<any>(event))?.records?.[0] ?? {};
  }
  if (route.via === 'eventbridge') {
    const key = decodeS3Key(object.key);
    const bridged = {
      'version': '0', 'id': `demo-${object.sequencer}`, 'detail-type': 'Object Created', 'source': 'aws.s3', 'account': '000000000000',
      'time': event.Records[0].eventTime, 'region': REGION, 'resources': [`arn:aws:s3:::${event.Records[0].s3.bucket.name}`],
      'detail': {
        'version': '0', 'bucket': { name: event.Records[0].s3.bucket.name },
        'object': { 'key': key, 'size': object.size, 'etag': object.eTag, 'version-id': object.versionId, 'sequencer': object.sequencer },
        'reason': 'PutObject',
      },
    };
    return (await fn.invoke<any>(bridged))?.records?.[0] ?? {};
  }
  // The queue: S3 sends the event as a message; the event source mapping reads a batch, invokes
  // the function, and deletes the messages it does not report as failed.
  const queueUrl = io.queueUrls.get(route.queueLogicalId!)!;
  await io.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }));
  const received = await io.sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, MaxNumberOfMessages: Math.min(10, route.batchSize ?? 10), WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'],
  }));
  const messages = received.Messages ?? [];
  const batch = {
    Records: messages.map((m) => ({
      messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body, attributes: m.Attributes ?? {}, messageAttributes: {},
      md5OfBody: m.MD5OfBody, eventSource: 'aws:sqs', eventSourceARN: `arn:aws:sqs:${REGION}:000000000000:${physicalName(route.queueLogicalId!)}`,
      awsRegion: REGION,
    })),
  };
  const response = await fn.invoke<{ batchItemFailures: Array<{ itemIdentifier: string }> }>(batch);
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages.filter((message) => !failed.has(message.MessageId!))) {
    await io.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  console.log(`    queue: ${messages.length} message(s) read, ${failed.size} reported as failed`);
  if (failed.size > 0) return { outcome: 'failed', reason: 'the message was reported as failed (SQS would deliver it again)' };
  const ref = { bucket: event.Records[0].s3.bucket.name, key: decodeS3Key(object.key), versionId: object.versionId, eTag: object.eTag };
  const fingerprint = fnSpec.environment[ENV.CONFIG_FINGERPRINT];
  return { outcome: 'recorded', notificationId: objectNotificationId(ref, fingerprint) };
}

/** An API Gateway event as the stage delivers it (the emulator's builder), with the demo's request context. */
function apiEvent(method: string, resource: string, init: ApiRequestInit = {}): any {
  return apiRequest(method, resource, {
    requestContext: { requestId: `demo-${method}-${resource}`, stage: 'local', httpMethod: method, resourcePath: resource } as any,
    ...init,
  });
}

/** Renders an API Gateway MOCK response template for the context variables it uses. */
function renderMockTemplate(template: string, requestTime: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const clf = `${pad(requestTime.getUTCDate())}/${months[requestTime.getUTCMonth()]}/${requestTime.getUTCFullYear()}:` +
    `${pad(requestTime.getUTCHours())}:${pad(requestTime.getUTCMinutes())}:${pad(requestTime.getUTCSeconds())} +0000`;
  return template
    .replace(/\$context\.requestTimeEpoch/g, String(requestTime.getTime()))
    .replace(/\$context\.requestTime/g, clf);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const assemblyArg = args.indexOf('--assembly');
  const ingestionArg = args.indexOf('--ingestion');
  const ingestion = ingestionArg >= 0 ? args[ingestionArg + 1] : 'direct';
  if (!['direct', 'queue', 'eventBridge'].includes(ingestion)) throw new DemoFailure(`--ingestion ${ingestion}: use direct, queue or eventBridge`);
  const synthesized = assemblyArg < 0;
  const assembly = synthesized ? synthesizeExample(ingestion) : path.resolve(args[assemblyArg + 1]);

  step('Reading the cloud assembly');
  const spec = readPipeline(assembly, physicalName);
  console.log(`  stack ${spec.stackName}: ${spec.functions.size} functions, ${spec.routes.length} S3 routes, ${spec.methods.length} API methods`);
  for (const r of spec.routes) {
    console.log(`  route ${r.events.join(',')} prefix="${r.prefix}" suffix="${r.suffix}" → ${r.via === 'queue' ? `queue ${r.queueLogicalId} → ` : r.via === 'eventbridge' ? 'EventBridge rule → ' : ''}${r.functionLogicalId}`);
  }

  step('Starting moto server on 127.0.0.1');
  let emulator: Emulator | undefined;
  let lambdaService: LambdaService | undefined;
  let functions = new Map<string, LocalFunction>();
  const stopAll = async () => {
    await lambdaService?.stop();
    await Promise.all([...functions.values()].map((f) => f.stop()));
    await emulator?.stop();
  };
  process.once('SIGINT', () => {
    void stopAll().finally(() => process.exit(130));
  });
  try {
    emulator = await startMoto();
    console.log(`  ${emulator.endpoint} (pid ${emulator.pid})`);
    const clientConfig = {
      endpoint: emulator.endpoint,
      region: REGION,
      credentials: { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY },
    };
    const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
    const ddb = new DynamoDBClient(clientConfig);

    step('Creating the bucket and the table the template describes');
    const { bucket } = await createResources(spec, s3, ddb);
    const sqs = new SQSClient(clientConfig);
    const queueUrls = new Map<string, string>();
    for (const r of spec.routes.filter((route) => route.via === 'queue')) {
      const created = await sqs.send(new CreateQueueCommand({ QueueName: physicalName(r.queueLogicalId!) }));
      queueUrls.set(r.queueLogicalId!, created.QueueUrl!);
      console.log(`  queue  ${physicalName(r.queueLogicalId!)} (${r.queueLogicalId}, read by ${r.functionLogicalId} in batches of ${r.batchSize})`);
    }

    step('Starting the bundled functions from the assembly\'s assets');
    lambdaService = await LambdaService.start({ functions: [], sqs });
    functions = await startFunctions(spec, emulator.endpoint, lambdaService.endpoint);
    for (const id of spec.routeFunctions.keys()) {
      // Under the name the dispatchers invoke it by (its ARN, as the template resolves here).
      lambdaService.host({ name: physicalName(id, 'Arn'), fn: functions.get(id)!, environment: spec.routeFunctions.get(id)!.environment });
    }

    // The buffered proxy handler (GET /notifications/export has a streaming function of its own).
    const apiFunctionId = spec.methods.find((m) => m.functionLogicalId && m.resourcePath === '/notifications')?.functionLogicalId;
    if (!apiFunctionId) throw new DemoFailure('the template has no Lambda proxy API method');
    const api = functions.get(apiFunctionId)!;
    const call = async (event: any) => {
      const res = await api.invoke<any>(event);
      return { status: res.statusCode as number, body: res.body ? JSON.parse(res.body) : undefined };
    };

    step('Uploading samples and delivering each S3 event to the functions its filters match');
    // The samples of a route are uploaded where the assembly has that route (an assembly of your own may not).
    const routeNames = new Set([...spec.functions.values()].map((fn) => fn.environment[ENV.ROUTE_NAME]).filter(Boolean));
    const samples = (await demoSamples()).filter((sample) => sample.route === undefined || routeNames.has(sample.route));
    const recorded: Array<{ sample: DemoSample; type?: string; id?: string }> = [];
    for (const sample of samples) {
      console.log(`\n  ⇪ ${sample.key} (${sample.body.length} bytes) — ${sample.description}`);
      const event = await upload(s3, bucket, sample);
      const targets = routeFor(spec.routes, sample.key);
      if (targets.length === 0) {
        console.log('    no notification filter matches: not delivered to any function');
        check(sample.expect === undefined, `${sample.key}: ${sample.expect ? `expected ${sample.expect}, but no filter routes it` : 'not routed'}`);
        continue;
      }
      for (const target of targets) {
        const fn = functions.get(target.functionLogicalId)!;
        let record: any;
        try {
          record = await deliver(target, fn, spec.functions.get(target.functionLogicalId)!, event, { sqs, queueUrls });
        } catch (err) {
          const reason = err instanceof FunctionError ? `${err.errorName}: ${err.message}` : String(err);
          console.log(`    ${target.functionLogicalId} threw (Lambda would retry, then dead-letter): ${reason}`);
          check(false, `${sample.key}: ${target.functionLogicalId} failed instead of recording ${sample.expect}`);
          continue;
        }
        console.log(`    ${target.functionLogicalId} → ${record.outcome}${record.reason ? ` (${record.reason})` : ''}`);
        let recordedDetails: Record<string, unknown> = {};
        if (record.notificationId) {
          const got = await call(apiEvent('GET', '/notifications/{id}', { pathParameters: { id: record.notificationId } }));
          const n = got.body;
          console.log(`    notification ${n.id}: ${n.type} — ${n.message}`);
          for (const [k, v] of Object.entries(n.details ?? {})) {
            if (['thumbnailKeys', 'reportKey', 'format', 'width', 'height', 'records', 'valid', 'invalid', 'reason', 'firstError', 'rows', 'columns'].includes(k)) {
              console.log(`      ${k}: ${JSON.stringify(v)}`);
            }
          }
          recorded.push({ sample, type: n.type, id: n.id });
          recordedDetails = n.details ?? {};
          record = { ...record, type: record.type ?? n.type };
        }
        check(record.type === sample.expect, `${sample.key}: expected ${sample.expect}, recorded ${record.type ?? record.outcome}`);
        for (const output of sample.expectOutputs?.({ ...record, ...recordedDetails }) ?? []) {
          const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: output }));
          check((listed.KeyCount ?? 0) > 0, `${sample.key}: output ${output} written`);
        }
      }
    }

    step('Outputs written to the bucket');
    const outputPrefixes = new Set<string>();
    for (const fn of spec.functions.values()) {
      for (const [k, v] of Object.entries(fn.environment)) {
        if (k === 'TAP_THUMBNAILS_PREFIX' || k === 'TAP_REPORTS_PREFIX') outputPrefixes.add(v);
      }
    }
    for (const prefix of outputPrefixes) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      console.log(`  ${prefix}: ${(listed.Contents ?? []).map((o) => `${o.Key} (${o.Size} B)`).join(', ') || '(none)'}`);
    }

    step('REST API: POST /notifications, GET /notifications/{id}, GET /notifications');
    const created = await call(apiEvent('POST', '/notifications', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'demo.finished', message: 'The local end-to-end run reached the API', source: 'demo' }),
    }));
    console.log(`  POST → ${created.status} ${JSON.stringify(created.body)}`);
    check(created.status === 201, 'POST /notifications → 201');
    const fetched = await call(apiEvent('GET', '/notifications/{id}', { pathParameters: { id: created.body?.id } }));
    check(fetched.status === 200 && fetched.body?.id === created.body?.id, 'GET /notifications/{id} returns the created notification');
    const listing = await call(apiEvent('GET', '/notifications', { queryStringParameters: { limit: '100' } }));
    check(listing.status === 200, 'GET /notifications → 200');
    console.log('  GET /notifications (newest first):');
    for (const n of listing.body?.items ?? []) {
      console.log(`    ${n.createdAt}  ${n.type.padEnd(16)} ${n.source ?? ''}`);
    }
    const listedIds = new Set((listing.body?.items ?? []).map((n: any) => n.id));
    for (const r of recorded) check(listedIds.has(r.id), `listing contains ${r.type} for ${r.sample.key}`);
    check(listedIds.has(created.body?.id), 'listing contains the notification created by POST');

    const bad = await call(apiEvent('POST', '/notifications', { headers: { 'Content-Type': 'application/json' }, body: '{"type": ' }));
    console.log(`  POST with broken JSON → ${bad.status} ${JSON.stringify(bad.body)}`);
    check(bad.status === 400, 'broken JSON → 400');

    step('GET /notifications/export (response streaming: NDJSON, newest first, then a trailer)');
    const exportFunctionId = spec.methods.find((m) => m.functionLogicalId && m.resourcePath === '/notifications/export')?.functionLogicalId;
    if (!exportFunctionId) throw new DemoFailure('the template has no Lambda proxy method for GET /notifications/export');
    const exported = await functions.get(exportFunctionId)!.invoke<any>(apiEvent('GET', '/notifications/export'));
    const exportLines: any[] = String(exported.body ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
    const trailer = exportLines.pop();
    console.log(`  ${exported.statusCode} ${exported.headers?.['Content-Type']}: ${exportLines.length} notifications, then ${JSON.stringify(trailer)}`);
    check(exported.statusCode === 200 && exported.headers?.['Content-Type'] === 'application/x-ndjson', 'export → 200 application/x-ndjson');
    check(trailer?.trailer === true && trailer.complete === true && trailer.count === exportLines.length, 'export ends with a complete trailer counting its lines');
    const exportedIds = exportLines.map((n) => n.id);
    check(exportedIds.length === listedIds.size && exportedIds.every((id) => listedIds.has(id)), 'export holds the same notifications as the listing');
    check(exportLines.every((n, i) => i === 0 || n.createdAt <= exportLines[i - 1].createdAt), 'export is newest first');

    step('GET /status (MOCK integration, rendered from the template)');
    const status = spec.methods.find((m) => m.resourcePath === '/status' && m.integrationType === 'MOCK');
    if (!status?.responseTemplate) throw new DemoFailure('the template has no MOCK /status method');
    const rendered = renderMockTemplate(status.responseTemplate, new Date());
    console.log(`  200 ${rendered}`);
    const statusBody = JSON.parse(rendered);
    check(statusBody.status === 'healthy', '/status says healthy');
  } finally {
    await stopAll();
  }

  console.log();
  if (failures.length > 0) {
    console.log(`✗ Demo failed: ${failures.length} step(s) did not produce the expected outcome:`);
    for (const f of failures) console.log(`  - ${f}`);
    process.exitCode = 1;
  } else {
    console.log('✓ Demo passed: every upload ended in its expected recorded outcome, and the API served them.');
  }
  // The assembly the demo synthesized is removed when it passed, kept for a look when it did not
  // (`--assembly <dir>` runs the demo on an assembly of your own, which it never removes).
  if (synthesized && failures.length === 0) fs.rmSync(assembly, { recursive: true, force: true });
  else if (synthesized) console.log(`  The synthesized assembly is kept in ${assembly}`);
}

main().catch((err) => {
  console.error(`✗ Demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
