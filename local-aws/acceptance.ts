/* eslint-disable no-console */
/**
 * The acceptance run against a deployed example stack on the local AWS: the demo's samples are put
 * into the bucket, and everything after that is the deployment's own doing — the bucket's
 * notification configuration (or the function's queue and its event source mapping, or the
 * EventBridge rules), the functions in their containers, the table, the API behind API Gateway.
 * Every check reads back through a public interface: the REST API (SigV4-signed), the bucket,
 * the queues.
 */
import * as http from 'http';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand, GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256';
import { demoSamples, DemoSample } from '../examples/demo/samples';
import { ENV } from '../src/contract/env-names';
import { objectNotificationId, objectVersionItemId } from '../src/runtime/outcome-store';

/** What `cdk deploy --outputs-file` wrote for the example stack. */
export interface StackOutputs {
  readonly BucketName: string;
  readonly ApiUrl: string;
  readonly ImageProcessorArn: string;
  readonly DataValidatorArn: string;
  readonly NotificationHandlerArn: string;
  readonly DeadLetterQueueUrl: string;
}

export interface AcceptanceContext {
  readonly mode: 'direct' | 'queue' | 'eventBridge';
  readonly outputs: StackOutputs;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly region: string;
  /** Runs the package's operations command (`cdk-tap-serverless …`) against the local AWS; returns its exit code and output. */
  readonly cli: (args: string[]) => { status: number; output: string };
  readonly stackName: string;
}

/** Collects the checks' results; a failed check does not stop the run (the summary lists every one). */
export class Checks {
  public readonly failures: string[] = [];
  public passed = 0;
  public check(ok: boolean, what: string): boolean {
    if (ok) {
      this.passed += 1;
      console.log(`    ✓ ${what}`);
    } else {
      this.failures.push(what);
      console.log(`    ✗ ${what}`);
    }
    return ok;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      console.log(`    … gave up waiting for ${what} after ${timeoutMs / 1000} s`);
      return undefined;
    }
    await sleep(1000);
  }
}

/**
 * A client of the deployed REST API: requests signed with SigV4 for `execute-api` (IAM
 * authorization is the construct's default), sent to the local AWS with the API's own host name,
 * as a client in the Region would send them.
 */
class ApiClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  constructor(apiUrl: string, private readonly endpoint: string, region: string) {
    this.url = new URL(apiUrl);
    this.signer = new SignatureV4({
      service: 'execute-api',
      region,
      sha256: Sha256,
      credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' },
    });
  }

  /** Sends a request (again, up to twice, when the connection breaks before an answer: the gateway closes idle connections). */
  public async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send(method, path, body, headers);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (attempt >= 3 || !['ECONNRESET', 'EPIPE', 'ECONNREFUSED'].includes(code ?? '') && !/socket hang up/.test(String(err))) throw err;
        await sleep(500);
      }
    }
  }

  private async send(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<ApiResponse> {
    const target = new URL(path.replace(/^\//, ''), this.url);
    const query: Record<string, string> = {};
    target.searchParams.forEach((v, k) => { query[k] = v; });
    const signed = await this.signer.sign({
      method,
      protocol: 'https:',
      hostname: target.hostname,
      port: Number(target.port) || undefined,
      path: target.pathname,
      query,
      headers: { host: target.host, ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
      body,
    });
    const local = new URL(this.endpoint);
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: local.hostname, port: local.port, method, path: target.pathname + target.search, headers: signed.headers, agent: false,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch { /* not JSON */ }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

interface ApiResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
  readonly json: any;
}

interface Uploaded {
  readonly sample: DemoSample;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly notificationId?: string;
}

/** Whether a message's body is the JSON of our poison event (re-serialized by whoever moved it: spacing differs). */
function isPoison(body: string | undefined): boolean {
  try {
    return JSON.parse(body ?? '')?.poison === true;
  } catch {
    return false;
  }
}

/** A queue's name from its URL (the host of LocalStack's queue URLs does not resolve here: look the URL up by name). */
export function queueNameOf(url: string): string {
  return url.split('/').pop()!;
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const attrs = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return {
    visible: Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attrs.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export async function runAcceptance(ctx: AcceptanceContext, checks: Checks): Promise<void> {
  const clientConfig = { endpoint: ctx.endpoint, region: ctx.region };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const lambda = new LambdaClient(clientConfig);
  const sqs = new SQSClient(clientConfig);
  const ddb = new DynamoDBClient(clientConfig);
  const api = new ApiClient(ctx.outputs.ApiUrl, ctx.endpoint, ctx.region);
  const bucket = ctx.outputs.BucketName;
  const dlqUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOf(ctx.outputs.DeadLetterQueueUrl) }))).QueueUrl!;

  const functionEnv = async (arn: string) =>
    (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }))).Environment?.Variables ?? {};
  const imageEnv = await functionEnv(ctx.outputs.ImageProcessorArn);
  const dataEnv = await functionEnv(ctx.outputs.DataValidatorArn);
  const fingerprintFor = (key: string): string | undefined => {
    if (key.startsWith(imageEnv[ENV.IMAGES_PREFIX] ?? 'images/')) return imageEnv[ENV.CONFIG_FINGERPRINT];
    if (key.startsWith(dataEnv[ENV.DATA_PREFIX] ?? 'data/')) return dataEnv[ENV.CONFIG_FINGERPRINT];
    return undefined;
  };

  // In the queue mode, the event source mapping of the image function is paused while the samples
  // and a poison message gather in its queue, so that they are read in one batch when it resumes.
  let imageMapping: { uuid: string; queueUrl: string } | undefined;
  if (ctx.mode === 'queue') {
    const mappings = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: ctx.outputs.ImageProcessorArn }));
    const mapping = mappings.EventSourceMappings?.[0];
    checks.check(mapping?.EventSourceArn?.includes(':sqs:') === true && mapping.FunctionResponseTypes?.includes('ReportBatchItemFailures') === true,
      'queue mode: the image function reads its SQS queue through an event source mapping with ReportBatchItemFailures');
    if (mapping?.UUID && mapping.EventSourceArn) {
      const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: mapping.EventSourceArn.split(':').pop()! }))).QueueUrl!;
      imageMapping = { uuid: mapping.UUID, queueUrl };
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
      await waitFor('the event source mapping to pause', 30_000, async () =>
        (await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === 'Disabled' ? true : undefined);
    }
  }

  console.log('\n  ▶ uploading the demo samples (PutObject; the deployment routes them)');
  // The samples of the demo's Python route are not deployed here (the local deployment runs Node.js functions only).
  const samples = (await demoSamples()).filter((sample) => sample.route === undefined);
  const uploaded: Uploaded[] = [];
  for (const sample of samples) {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: sample.key, Body: sample.body, ContentType: sample.contentType }));
    const fingerprint = fingerprintFor(sample.key);
    const ref = { bucket, key: sample.key, versionId: put.VersionId, eTag: put.ETag };
    const notificationId = fingerprint ? objectNotificationId(ref, fingerprint) : undefined;
    uploaded.push({ sample, versionId: put.VersionId, eTag: put.ETag, notificationId });
    console.log(`    ${sample.key} (${sample.body.length} bytes, version ${put.VersionId ?? '-'})`);
  }

  let poisonId: string | undefined;
  if (imageMapping) {
    const poison = await sqs.send(new SendMessageCommand({ QueueUrl: imageMapping.queueUrl, MessageBody: JSON.stringify({ not: 'an S3 event', poison: true }) }));
    poisonId = poison.MessageId;
    const gathered = await waitFor('the image samples and the poison message in the image queue', 30_000, async () => {
      const depth = await queueDepth(sqs, imageMapping!.queueUrl);
      return depth.visible >= 3 ? depth : undefined; // two image uploads + the poison message
    });
    checks.check(gathered !== undefined, `queue mode: S3 sent the image uploads to the function's queue; with the poison message, ${gathered?.visible ?? 0} messages wait`);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: imageMapping.uuid, Enabled: true }));
  }

  console.log('\n  ▶ each upload ends in its outcome, read through GET /notifications/{id} (SigV4)');
  for (const u of uploaded) {
    if (!u.sample.expect || !u.notificationId) continue;
    const got = await waitFor(`${u.sample.key}'s outcome`, 120_000, async () => {
      const res = await api.request('GET', `notifications/${u.notificationId}`);
      return res.status === 200 ? res.json : undefined;
    });
    if (!checks.check(got?.type === u.sample.expect, `${u.sample.key}: ${u.sample.expect}${got ? '' : ' (nothing recorded)'}${got && got.type !== u.sample.expect ? ` (recorded ${got.type})` : ''}`)) continue;
    for (const output of u.sample.expectOutputs?.(got.details ?? {}) ?? []) {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: output }));
      checks.check((listed.KeyCount ?? 0) > 0, `${u.sample.key}: output ${output} written`);
    }
  }
  // The functions name the bucket's owner on every S3 request (ExpectedBucketOwner, from
  // TAP_BUCKET_OWNER): the deployed value is the stack's account, and every S3 call above succeeded
  // with it. (LocalStack checks ExpectedBucketOwner only on bucket policy and metrics calls, so a
  // wrong owner would not be refused here: test/runtime/bucket-owner.test.ts checks the header.)
  const account = ctx.outputs.ImageProcessorArn.split(':')[4];
  checks.check(imageEnv[ENV.BUCKET_OWNER] === account && dataEnv[ENV.BUCKET_OWNER] === account,
    `the S3 functions name the bucket's owner, the stack's account ${account} (TAP_BUCKET_OWNER: ${imageEnv[ENV.BUCKET_OWNER]}, ${dataEnv[ENV.BUCKET_OWNER]})`);

  console.log('\n  ▶ the REST API through API Gateway (SigV4)');
  const created = await api.request('POST', 'notifications', JSON.stringify({ type: 'demo.note', message: 'posted through the local API Gateway', source: 'local-aws acceptance' }), { 'content-type': 'application/json' });
  checks.check(created.status === 201 && typeof created.json?.id === 'string', `POST /notifications → ${created.status}`);
  const fetched = await api.request('GET', `notifications/${created.json?.id}`);
  checks.check(fetched.status === 200 && fetched.json?.id === created.json?.id, 'GET /notifications/{id} returns the posted notification');
  const broken = await api.request('POST', 'notifications', '{"type": ', { 'content-type': 'application/json' });
  checks.check(broken.status === 400, `POST /notifications with broken JSON → ${broken.status} (400 expected)`);
  const unknown = await api.request('GET', 'notifications/does-not-exist');
  checks.check(unknown.status === 404, `GET /notifications/{unknown id} → ${unknown.status} (404 expected)`);
  const listing = await api.request('GET', 'notifications?limit=100');
  const listed: any[] = listing.json?.items ?? listing.json?.notifications ?? [];
  const listedIds = new Set(listed.map((n) => n.id));
  checks.check(listing.status === 200, `GET /notifications → ${listing.status}`);
  for (const u of uploaded.filter((x) => x.sample.expect)) checks.check(listedIds.has(u.notificationId), `the listing holds ${u.sample.expect} for ${u.sample.key}`);
  checks.check(listedIds.has(created.json?.id), 'the listing holds the posted notification');
  checks.check(listed.every((n, i) => i === 0 || n.createdAt <= listed[i - 1].createdAt), 'the listing is newest first');
  const outputKeys = uploaded.filter((x) => !x.sample.expect).map((x) => x.sample.key);
  checks.check(!listed.some((n) => outputKeys.includes(n.details?.key)), `no outcome for ${outputKeys.join(', ')} (under an output prefix: no filter routes it)`);

  const exported = await api.request('GET', 'notifications/export');
  const lines = exported.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const trailer = lines.pop();
  checks.check(exported.status === 200 && String(exported.headers['content-type']).startsWith('application/x-ndjson'),
    `GET /notifications/export → ${exported.status} ${exported.headers['content-type']}`);
  checks.check(trailer?.trailer === true && trailer.complete === true && trailer.count === lines.length && lines.length === listed.length,
    `the export holds ${lines.length} notifications (the listing ${listed.length}) and a complete trailer`);

  const status = await api.request('GET', 'status');
  checks.check(status.status === 200 && status.json?.status === 'healthy', `GET /status (MOCK integration) → ${status.status} ${status.text}`);

  if (ctx.mode === 'queue' && imageMapping) {
    console.log('\n  ▶ the poison message: reported as failed alone, retried, then moved to the dead-letter queue');
    const images = uploaded.filter((u) => u.sample.key.startsWith('images/'));
    const recorded = await Promise.all(images.map(async (u) => (await api.request('GET', `notifications/${u.notificationId}`)).status));
    checks.check(recorded.every((s) => s === 200), 'the poison message\'s batch mates were recorded (partial batch failure: only it is retried)');
    const dead = await waitFor('the poison message in the dead-letter queue', 240_000, async () => {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
      return received.Messages?.find((m) => isPoison(m.Body));
    });
    checks.check(dead !== undefined && Number(dead.Attributes?.ApproximateReceiveCount ?? 0) >= 1,
      `the poison message (${poisonId}) reached the dead-letter queue after ${dead ? 'its receives' : 'no move'}`);
    const sourceDepth = await queueDepth(sqs, imageMapping.queueUrl);
    checks.check(sourceDepth.visible + sourceDepth.inFlight === 0, 'the image queue is empty: every other message was deleted once processed');
    await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
  }

  if (ctx.mode === 'direct') {
    console.log('\n  ▶ an invocation that keeps failing: Lambda\'s retries, then the dead-letter queue (the function\'s async configuration)');
    await lambda.send(new InvokeCommand({ FunctionName: ctx.outputs.DataValidatorArn, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ poison: true })) }));
    const dead = await waitFor('the failing event in the dead-letter queue', 90_000, async () => {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
      return received.Messages?.find((m) => isPoison(m.Body));
    });
    checks.check(dead !== undefined, `the event reached the dead-letter queue (ErrorMessage: ${dead?.MessageAttributes?.ErrorMessage?.StringValue ?? '-'})`);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
  }

  const depth = await queueDepth(sqs, dlqUrl);
  checks.check(depth.visible + depth.inFlight === 0, `the dead-letter queue holds nothing unexpected (${depth.visible} visible, ${depth.inFlight} in flight)`);

  console.log('\n  ▶ the operations commands against the deployed stack');
  const reconciled = ctx.cli(['reconcile', '--stack', ctx.stackName]);
  checks.check(reconciled.status === 0, `reconcile --stack ${ctx.stackName} → exit ${reconciled.status} (every object has its current outcome)`);
  // An outcome lost behind the pipeline's back: both of the object's items deleted from the table.
  const lost = uploaded.find((u) => u.sample.expect === 'data.valid')!;
  const table = dataEnv[ENV.TABLE_NAME];
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: lost.sample.key }));
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: lost.notificationId! } } }));
  const versionItemId = objectVersionItemId({ bucket, key: lost.sample.key, versionId: head.VersionId, eTag: head.ETag });
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { id: { S: versionItemId } } }));
  const missing = ctx.cli(['reconcile', '--stack', ctx.stackName]);
  checks.check(missing.status === 1 && missing.output.includes(lost.sample.key), `after its outcome is deleted, reconcile → exit ${missing.status} naming ${lost.sample.key}`);
  const reprocessed = ctx.cli(['reprocess', '--stack', ctx.stackName]);
  checks.check(reprocessed.status === 0, `reprocess --stack ${ctx.stackName} → exit ${reprocessed.status}`);
  const back = await waitFor(`${lost.sample.key}'s outcome again`, 120_000, async () => {
    const res = await api.request('GET', `notifications/${lost.notificationId}`);
    return res.status === 200 ? res.json : undefined;
  });
  checks.check(back?.type === 'data.valid', `${lost.sample.key} is recorded again (${back?.type ?? 'nothing'})`);
  const complete = ctx.cli(['reconcile', '--stack', ctx.stackName]);
  checks.check(complete.status === 0, `reconcile → exit ${complete.status} again`);
}
