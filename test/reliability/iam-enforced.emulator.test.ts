import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { APIGatewayProxyResult, S3EventRecord } from 'aws-lambda';
import { bundledAssetDir, s3Event, s3Record } from '../../emulator/bundled';
import { ndjson, ORDER_SCHEMA_FILE } from '../../emulator/data-files';
import { FunctionError, LocalFunction } from '../../emulator/local-function';
import { Emulator, EMULATOR_AWS_ENV, startMoto } from '../../emulator/moto';
import { DataSchema, OutcomeEvents, TapServerless } from '../../src';
import { SERVICE_NAME } from '../../src/contract/metric-names';
import { objectNotificationId } from '../../src/runtime/outcome-store';
import type { S3EventSummary } from '../../src/runtime/s3-event';
import { decodeS3Key } from '../../src/runtime/s3-key';
import { apiRequest } from '../support/fixtures';
import * as images from '../support/images';

// The IAM policies the construct synthesizes, enforced: a dedicated moto server with IAM
// authorization on (INITIAL_NO_AUTH_ACTION_COUNT: after the first requests, which create the admin
// user, every request is authorized against its caller's IAM identity policies). Each bundled
// function runs with the access key of an IAM user that carries the policy documents the template
// attaches to that function's role, their intrinsic functions resolved to the resources created in
// moto. Sufficient: each function does its whole job. Necessary: without any one statement its code
// uses, it fails with AccessDenied (before recording its outcome, except for the two writes that
// follow it: the index item's UpdateItem and the outcome event's PutEvents).
//
// What moto 5.2.5 evaluates (moto/core/authorization.py, moto/iam/access_control.py):
// - S3 and SQS requests are authorized against the action AND the resource: the object ARN
//   `arn:aws:s3:::bucket/key` (HEAD/GET of a key is s3:GetObject, GET with versionId
//   s3:GetObjectVersion), the bucket ARN, the queue ARN. Prefix scoping (images/*, reports/*) is
//   therefore enforced here.
// - Every other service (DynamoDB, EventBridge, CloudWatch Logs, X-Ray) is authorized against the
//   action only: moto passes the resource "*", which a statement scoped to an ARN never matches (so
//   the template's DynamoDB statements would deny everything). For those services the user's copy of
//   a statement keeps its actions but has `Resource: "*"`; that its real resources are the created
//   table, its indexes and the default event bus is asserted separately (`policies name...` below).
// - Conditions: moto only knows the values of trust-policy requests; an unmet condition on an Allow
//   counts as an explicit deny. The functions' conditions (dynamodb:LeadingKeys on their item
//   writes, events:source and events:detail-type on PutEvents) are on statements of services moto
//   authorizes by action only: the users' copies leave them out, the test below asserts them as
//   synthesized, and the recorder checks that every item key a function used matches its pattern.
//   A condition anywhere else makes this test fail until it is handled.
// - Resource-based policies are not evaluated: the bucket policy (deny without TLS) and the queue
//   policy are not installed. AWS-managed policies on a role (AWSLambdaBasicExecutionRole,
//   AWSXRayDaemonWriteAccess) are left out: they cover what the Lambda service and the X-Ray daemon
//   do for the function, never the function's code (the functions' roles have none today).
// - Statements the code never exercises, kept in the users' policies but whose necessity no run
//   here can show: logs:CreateLogStream/PutLogEvents (the Lambda service writes the function's
//   logs), xray:PutTraceSegments/PutTelemetryRecords (the X-Ray daemon of the Lambda environment),
//   sqs:SendMessage on the dead-letter queue (the Lambda service sends failed asynchronous events;
//   the test sends to it with the function's key instead), s3:ListBucket (S3 answers 403 instead of
//   404 for a missing key without it; moto answers 404 either way).

jest.setTimeout(90_000);

const ACCOUNT = '123456789012';
const REGION = EMULATOR_AWS_ENV.AWS_REGION;
const PARTITION = 'aws';
const STACK = 'IamEnforced';
/** Requests moto serves unauthenticated: CreateUser, PutUserPolicy, CreateAccessKey of the admin. */
const UNAUTHENTICATED_BOOTSTRAP_REQUESTS = 3;
/** The key the other emulator tests use: no IAM user of this moto has it. */
const EMULATOR_DEFAULT_KEY = { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY };
/** Services whose requests moto 5.2.5 authorizes against a resource ARN (the others: action only). */
const RESOURCE_LEVEL_SERVICES: ReadonlySet<string> = new Set(['s3', 'sqs']);
/** AWS-managed policies a function role may carry that cover the Lambda service's work, not the code's. */
const LAMBDA_SERVICE_MANAGED_POLICIES = /:iam::aws:policy\/(service-role\/AWSLambdaBasicExecutionRole|AWSXRayDaemonWriteAccess)$/;

type FunctionName = 'image-processor' | 'data-validator' | 'notification-handler';

interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly [key: string]: unknown;
}
interface PolicyDocument {
  readonly Version: string;
  readonly Statement: Statement[];
}
interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}
/** A function of the synthesized template. */
interface TemplateFunction {
  readonly name: FunctionName;
  readonly assetDir: string;
  /** The template's environment variables, intrinsic functions unresolved. */
  readonly environment: Record<string, unknown>;
  /** The role's policy documents, intrinsic functions unresolved (one per AWS::IAM::Policy / inline policy). */
  readonly policies: Array<{ readonly name: string; readonly document: PolicyDocument }>;
  /** AWS-managed policy ARNs on the role, not given to the user (see the header). */
  readonly leftOut: string[];
}
/** A created resource: what `Ref` and `Fn::GetAtt` give in moto. */
interface CreatedResource {
  readonly ref: string;
  readonly attributes: Record<string, string>;
}

/** A request moto denied (403), as the recorder saw it. */
interface Denial {
  /** The IAM user whose key signed the request (or the unknown key). */
  readonly user: string;
  /** S3: the method and the key's first segment (`PUT reports/`); other services: their operation. */
  readonly operation: string;
  /** `<Code>: <Message>` of moto's answer. */
  readonly answer: string;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of moto that forwards everything unchanged (the host header
 * too, so signatures stay valid) and records each 403 answer. Needed because moto answers an
 * authorization failure in XML whatever the protocol: for DynamoDB, EventBridge and SQS (JSON
 * protocols) the AWS SDK cannot parse it and throws a `SyntaxError` (status 403) instead of
 * `AccessDenied`, so what a function logs does not say which action was denied; this does.
 */
class DenialRecorder {
  public static async start(target: string): Promise<DenialRecorder> {
    const recorder = new DenialRecorder(new URL(target));
    await new Promise<void>((resolve) => recorder.server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  public readonly denials: Denial[] = [];
  /** The partition key of every DynamoDB item request (PutItem, GetItem, UpdateItem), by user. */
  public readonly itemKeys: Array<{ readonly user: string; readonly action: string; readonly key: string }> = [];
  /** IAM user names by access key id (filled by `createUser`). */
  public readonly users = new Map<string, string>();
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true });
  /** Requests forwarded and not yet answered. */
  private inFlight = 0;

  private constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => this.forward(req, res));
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The denials recorded since `since` (a length of `denials`), as `user operation → answer` lines. */
  public since(since: number): string[] {
    return this.denials.slice(since).map((d) => `${d.user} ${d.operation} → ${d.answer}`);
  }

  /**
   * Waits until no request is in flight: a function whose call failed may have returned while its
   * other calls sent at once (the listing's shard queries) are still being answered, and their
   * denials must not be counted in the next case.
   */
  public async quiet(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.inFlight++;
    res.once('close', () => this.inFlight--);
    const upstream = http.request({
      hostname: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers, agent: this.agent,
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => {
        if (answer.statusCode === 403) chunks.push(chunk);
        res.write(chunk);
      });
      answer.on('end', () => {
        if (answer.statusCode === 403) this.record(req, Buffer.concat(chunks).toString('utf8'));
        res.end();
      });
    });
    upstream.on('error', () => res.destroy());
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith('DynamoDB_20120810.') ? target.split('.')[1] : undefined;
    if (operation === 'PutItem' || operation === 'GetItem' || operation === 'UpdateItem') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const key = (body.Item ?? body.Key)?.id?.S;
        this.itemKeys.push({ user: this.userOf(req), action: `dynamodb:${operation}`, key: String(key) });
      });
    }
    req.pipe(upstream);
  }

  private userOf(req: http.IncomingMessage): string {
    const key = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '';
    return this.users.get(key) ?? `unknown key ${key}`;
  }

  private record(req: http.IncomingMessage, body: string): void {
    const target = req.headers['x-amz-target'];
    const [pathname] = (req.url ?? '').split('?');
    const segments = pathname.split('/').map(decodeURIComponent);
    const operation = typeof target === 'string'
      ? target.split('.').pop()!
      : `${req.method} ${segments.length > 3 ? `${segments[2]}/` : segments.slice(1).join('/')}`;
    const tag = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1] ?? '?';
    // A HEAD answer has no body: only its status says it was denied.
    const answer = body === '' ? '403 (no body)' : `${tag('Code')}: ${tag('Message')}`;
    this.denials.push({ user: this.userOf(req), operation, answer });
  }
}

let emulator: Emulator;
let recorder: DenialRecorder;
let outdir: string;
let template: Record<string, any>;
let fns: Record<FunctionName, TemplateFunction>;
const created = new Map<string, CreatedResource>();
let admin: Credentials;
let bucket: string;
let tableName: string;
let queueUrl: string;
/** The failure recorder's intake: the S3 functions' dead-letter target. */
let intakeUrl: string;
let s3: S3Client;
let ddb: DynamoDBDocumentClient;
let iam: IAMClient;
const started: LocalFunction[] = [];
/** The functions run by the sufficiency tests, each with its own user's key. */
const running = {} as Record<FunctionName, LocalFunction>;

// ---------------------------------------------------------------------------------------------
// The template: functions, their roles' policies, and their environments.

function synthesize(): void {
  const app = new App({ outdir });
  const stack = new Stack(app, STACK);
  const tap = new TapServerless(stack, 'Tap', {
    dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE),
    // Outcome events on the default bus: the S3 functions' policies get events:PutEvents.
    outcomeEvents: OutcomeEvents.defaultBus(),
  });
  template = Template.fromStack(stack).toJSON();
  const dataAsset = (tap.dataValidator as lambda.Function).node.findChild('Code') as Asset;
  const assetDirs: Record<FunctionName, string> = {
    // the image processor's sharp binaries are native: the bundle of this machine's CPU
    'image-processor': bundledAssetDir('image-processor'),
    // the data validator as deployed: bundled handler + the schema compiled at synth
    'data-validator': path.join(outdir, dataAsset.assetPath),
    'notification-handler': bundledAssetDir('notification-handler'),
  };
  const byService = {
    'image-processor': SERVICE_NAME.IMAGE_PROCESSOR,
    'data-validator': SERVICE_NAME.DATA_VALIDATOR,
    'notification-handler': SERVICE_NAME.NOTIFICATION_HANDLER,
  } as const;
  fns = Object.fromEntries((Object.keys(byService) as FunctionName[]).map((name) => {
    const found = resourcesOfType('AWS::Lambda::Function')
      .filter(([, r]) => r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === byService[name]);
    if (found.length !== 1) throw new Error(`expected one ${name} function in the template, found ${found.length}`);
    const props = found[0][1].Properties;
    return [name, {
      name,
      assetDir: assetDirs[name],
      environment: props.Environment.Variables,
      ...rolePolicies(roleLogicalId(props.Role)),
    }];
  })) as Record<FunctionName, TemplateFunction>;
}

function resourcesOfType(type: string): Array<[string, any]> {
  return Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
}

function roleLogicalId(role: unknown): string {
  const getAtt = (role as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (!getAtt || getAtt[1] !== 'Arn') throw new Error(`the function's Role is not a role of the template: ${JSON.stringify(role)}`);
  return getAtt[0];
}

/** Every policy document attached to a role: AWS::IAM::Policy and ::ManagedPolicy naming it, inline and managed policies on it. */
function rolePolicies(roleId: string): Pick<TemplateFunction, 'policies' | 'leftOut'> {
  const namesRole = (r: any) => (r.Properties.Roles ?? []).some((ref: unknown) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }));
  const attached = [...resourcesOfType('AWS::IAM::Policy'), ...resourcesOfType('AWS::IAM::ManagedPolicy')]
    .filter(([, r]) => namesRole(r))
    .map(([id, r]) => ({ name: id, document: r.Properties.PolicyDocument as PolicyDocument }));
  const role = template.Resources[roleId].Properties;
  const inline = (role.Policies ?? []).map((p: any) => ({ name: p.PolicyName, document: p.PolicyDocument as PolicyDocument }));
  const leftOut: string[] = [];
  for (const arn of (role.ManagedPolicyArns ?? []).map((a: unknown) => String(resolveIntrinsics(a)))) {
    if (!LAMBDA_SERVICE_MANAGED_POLICIES.test(arn)) {
      throw new Error(`role ${roleId} has the managed policy ${arn}: give its statements to the test users`);
    }
    leftOut.push(arn);
  }
  return { policies: [...attached, ...inline], leftOut };
}

// ---------------------------------------------------------------------------------------------
// CloudFormation intrinsic functions, resolved to the resources created in moto.

const PSEUDO: Record<string, string> = {
  'AWS::Partition': PARTITION,
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': STACK,
};

function refOf(name: string): string {
  if (name in PSEUDO) return PSEUDO[name];
  const resource = created.get(name);
  if (!resource) throw new Error(`Ref ${name}: not a resource this test creates (${template.Resources[name]?.Type ?? 'unknown'})`);
  return resource.ref;
}

function getAttOf(name: string, attribute: string): string {
  const value = created.get(name)?.attributes[attribute];
  if (value === undefined) throw new Error(`Fn::GetAtt ${name}.${attribute}: not an attribute this test resolves`);
  return value;
}

function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0] as [string, any];
    switch (fn) {
      case 'Ref':
        return refOf(arg);
      case 'Fn::GetAtt': {
        const [name, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return getAttOf(name, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number, unknown];
        return (resolveIntrinsics(list) as unknown[])[Number(index)];
      }
      case 'Fn::Sub': {
        const [text, vars] = (typeof arg === 'string' ? [arg, {}] : arg) as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}!][^}]*)\}/g, (_all, name: string) => {
          if (name in vars) return String(resolveIntrinsics(vars[name]));
          const dot = name.indexOf('.');
          return dot > 0 && !name.startsWith('AWS::') ? getAttOf(name.slice(0, dot), name.slice(dot + 1)) : refOf(name);
        });
      }
      default:
        if (fn.startsWith('Fn::')) throw new Error(`${fn} is not resolved by this test: ${JSON.stringify(value)}`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v)]));
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const serviceOf = (action: string) => action.split(':')[0];

/**
 * A template policy document as a moto user carries it: intrinsic functions resolved, and the
 * resources of services moto authorizes by action only widened to "*" (see the header).
 */
function forMoto(document: PolicyDocument): PolicyDocument {
  const resolved = resolveIntrinsics(document) as PolicyDocument;
  return {
    Version: resolved.Version,
    Statement: resolved.Statement.map((s) => {
      for (const unsupported of ['NotAction', 'NotResource', 'Principal']) {
        if (unsupported in s) throw new Error(`a function's statement has ${unsupported}, which moto does not evaluate as AWS does: ${JSON.stringify(s)}`);
      }
      const services = new Set(asList(s.Action).map(serviceOf));
      if ([...services].every((service) => RESOURCE_LEVEL_SERVICES.has(service))) {
        if ('Condition' in s) throw new Error(`a statement moto scopes by resource has a condition it does not evaluate: ${JSON.stringify(s)}`);
        return s;
      }
      if ([...services].some((service) => RESOURCE_LEVEL_SERVICES.has(service))) {
        throw new Error(`a statement mixes services moto scopes by resource and by action only: ${JSON.stringify(s)}`);
      }
      const { Condition: _unevaluated, ...unconditional } = s;
      return { ...unconditional, Resource: '*' };
    }),
  };
}

/** A function's whole policy (every document's statements) for moto, optionally without some statements. */
function userPolicy(fn: TemplateFunction, keep: (s: Statement) => boolean = () => true): PolicyDocument {
  return { Version: '2012-10-17', Statement: fn.policies.flatMap((p) => forMoto(p.document).Statement).filter(keep) };
}

const actionsOf = (s: Statement) => asList(s.Action).join(',');

/** The conditions of a function's statements, by their actions. */
function conditionsByAction(fn: TemplateFunction): Record<string, unknown> {
  return Object.fromEntries(fn.policies.flatMap((p) => p.document.Statement)
    .filter((s) => 'Condition' in s).map((s) => [actionsOf(s), resolveIntrinsics(s.Condition)]));
}

/** Whether `value` matches an IAM StringLike pattern (`*`: any characters, `?`: one). */
function stringLike(pattern: string, value: string): boolean {
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`, 's').test(value);
}

// ---------------------------------------------------------------------------------------------
// moto: users, resources, functions.

/** An SDK client configuration for moto: the admin's directly, any other key through the recorder. */
function clientConfig(credentials: Credentials) {
  return { endpoint: credentials === admin ? emulator.endpoint : recorder.endpoint, region: REGION, credentials, maxAttempts: 1 };
}

async function createUser(name: string, policies: Array<{ name: string; document: PolicyDocument }>, as: IAMClient = iam): Promise<Credentials> {
  await as.send(new CreateUserCommand({ UserName: name }));
  for (const policy of policies) {
    await as.send(new PutUserPolicyCommand({ UserName: name, PolicyName: policy.name, PolicyDocument: JSON.stringify(policy.document) }));
  }
  const { AccessKey } = await as.send(new CreateAccessKeyCommand({ UserName: name }));
  recorder.users.set(AccessKey!.AccessKeyId!, name);
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

async function setUserPolicy(user: string, document: PolicyDocument): Promise<void> {
  await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'policy', PolicyDocument: JSON.stringify(document) }));
}

/** Creates the template's bucket, table, queue (as the template defines them) and names its log groups. */
async function createResources(): Promise<void> {
  const [[bucketId], ...otherBuckets] = resourcesOfType('AWS::S3::Bucket');
  const [[tableId, table], ...otherTables] = resourcesOfType('AWS::DynamoDB::Table');
  // The dead-letter queue and the failure recorder's intake queue.
  const queues = resourcesOfType('AWS::SQS::Queue');
  const [[queueId]] = queues.filter(([id]) => id.startsWith('TapDeadLetterQueue'));
  expect([otherBuckets, otherTables, queues.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()])
    .toEqual([[], [], ['TapDeadLetterQueue', 'TapFailureIntakeQueue']]);

  bucket = 'tap-iam-enforced';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  created.set(bucketId, { ref: bucket, attributes: { Arn: `arn:${PARTITION}:s3:::${bucket}` } });

  // The table as the template defines it: attributes, key schema, global secondary indexes.
  tableName = 'tap-iam-enforced-notifications';
  const { AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode } = table.Properties;
  const { TableDescription } = await new DynamoDBClient(clientConfig(admin)).send(new CreateTableCommand({
    TableName: tableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode,
  } as CreateTableCommandInput));
  created.set(tableId, { ref: tableName, attributes: { Arn: TableDescription!.TableArn! } });

  const sqs = new SQSClient(clientConfig(admin));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'tap-iam-enforced-dlq' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  created.set(queueId, { ref: queueUrl, attributes: { Arn: queueArn, QueueName: 'tap-iam-enforced-dlq' } });
  const [[intakeId]] = queues.filter(([id]) => id.startsWith('TapFailureIntakeQueue'));
  intakeUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'tap-iam-enforced-intake' }))).QueueUrl!;
  const intakeArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: intakeUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  created.set(intakeId, { ref: intakeUrl, attributes: { Arn: intakeArn, QueueName: 'tap-iam-enforced-intake' } });

  // Log groups are not created (the project has no CloudWatch Logs client, and none is needed: only
  // the Lambda service writes them, and moto authorizes logs:* by action only). Their ARNs are the
  // ones CloudFormation would give them.
  for (const [id, r] of resourcesOfType('AWS::Logs::LogGroup')) {
    const name = r.Properties?.LogGroupName ?? `${STACK}-${id}`;
    created.set(id, { ref: name, attributes: { Arn: `arn:${PARTITION}:logs:${REGION}:${ACCOUNT}:log-group:${name}:*` } });
  }
}

/** Starts a function with the template's environment (resolved) and exactly these credentials. */
async function startAs(fn: TemplateFunction, credentials: Credentials): Promise<LocalFunction> {
  const environment = Object.fromEntries(Object.entries(fn.environment).map(([k, v]) => [k, String(resolveIntrinsics(v))]));
  const started_ = await LocalFunction.start({
    assetDir: fn.assetDir,
    handler: 'index.handler',
    functionName: fn.name,
    environment: {
      ...environment,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ENDPOINT_URL: recorder.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    },
  });
  started.push(started_);
  return started_;
}

// ---------------------------------------------------------------------------------------------
// What the functions do, and what they log when they fail.

let uploads = 0;

/** Uploads (as the admin) an object and returns the ObjectCreated record S3 would send for it. */
async function upload(key: string, body: Buffer | string): Promise<S3EventRecord> {
  const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return s3Record(bucket, key, put, Buffer.byteLength(body));
}

let lastUpload: { bucket: string; key: string; versionId?: string; eTag: string } | undefined;

/** Uploads a new object its function processes into a valid outcome. */
async function uploadFor(name: 'image-processor' | 'data-validator', label: string): Promise<S3EventRecord> {
  uploads += 1;
  const key = name === 'image-processor' ? `images/iam/${label}-${uploads}.png` : `data/iam/${label}-${uploads}.ndjson`;
  const record = await upload(key, name === 'image-processor' ? await images.png(40, 30) : ndjson(3));
  lastUpload = { bucket, key, versionId: record.s3.object.versionId, eTag: record.s3.object.eTag };
  return record;
}

/** An error a function logged (Powertools JSON logs): its name and message. */
interface LoggedError {
  readonly name: string;
  readonly message: string;
  /** The logged error without its stack and location. */
  readonly logged: string;
}

function loggedErrors(fn: LocalFunction, since: number): LoggedError[] {
  return fn.logs.slice(since).flatMap((line) => {
    try {
      const entry = JSON.parse(line);
      if (entry.level !== 'ERROR' || !entry.error) return [];
      const { stack: _stack, location: _location, ...error } = entry.error;
      return [{ name: error.name, message: error.message, logged: `${entry.message}: ${JSON.stringify(error)}` }];
    } catch {
      return [];
    }
  });
}

/** What a run of a function gave: its outcome, or the first error it logged. */
interface RunResult {
  readonly ok: boolean;
  readonly outcome?: string;
  readonly notificationId?: string;
  readonly functionError?: FunctionError;
  readonly errors: LoggedError[];
  /** moto's 403 answers to the function's requests (see DenialRecorder). */
  readonly denials: string[];
}

async function processUpload(fn: LocalFunction, record: S3EventRecord): Promise<RunResult> {
  const since = fn.logs.length;
  const denialsSince = recorder.denials.length;
  try {
    const summary = await fn.invoke<S3EventSummary>(s3Event(record));
    const { outcome, notificationId } = summary.records[0];
    return { ok: true, outcome, notificationId, errors: loggedErrors(fn, since), denials: recorder.since(denialsSince) };
  } catch (err) {
    if (!(err instanceof FunctionError)) throw err;
    return { ok: false, functionError: err, errors: loggedErrors(fn, since), denials: recorder.since(denialsSince) };
  }
}


/** POST /notifications, GET /notifications/{id} and GET /notifications, as API Gateway invokes the handler. */
async function useApi(fn: LocalFunction): Promise<{ statuses: number[]; created?: any; listed?: any; errors: LoggedError[]; denials: string[] }> {
  const since = fn.logs.length;
  const denialsSince = recorder.denials.length;
  const post = await fn.invoke<APIGatewayProxyResult>(apiRequest('POST', '/notifications', {
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'ops.iam-check', message: 'written with the API role\'s policy only' }),
  }));
  const created_ = post.statusCode === 201 ? JSON.parse(post.body) : undefined;
  const byId = await fn.invoke<APIGatewayProxyResult>(apiRequest('GET', '/notifications/{id}', {
    pathParameters: { id: created_?.id ?? 'ffffffffffffffffffffffffffffffff' },
  }));
  const list = await fn.invoke<APIGatewayProxyResult>(apiRequest('GET', '/notifications', { queryStringParameters: { limit: '50' } }));
  return {
    statuses: [post.statusCode, byId.statusCode, list.statusCode],
    created: created_,
    listed: list.statusCode === 200 ? JSON.parse(list.body) : undefined,
    errors: loggedErrors(fn, since),
    denials: recorder.since(denialsSince),
  };
}

async function notification(id: string | undefined): Promise<Record<string, any> | undefined> {
  if (!id) return undefined;
  return (await ddb.send(new GetCommand({ TableName: tableName, Key: { id } }))).Item;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

/** Runs an SDK call made with a non-admin key: `allowed`, or moto's answer(s) to it, as the recorder saw them. */
async function attempt(call: () => Promise<unknown>): Promise<string> {
  const since = recorder.denials.length;
  try {
    await call();
    return 'allowed';
  } catch (err) {
    const answers = recorder.denials.slice(since).map((d) => d.answer);
    if (answers.length === 0) throw err;
    return answers.join('\n');
  }
}

const S3_ACCESS_DENIED = /^AccessDenied: Access Denied$/;
const deniedTo = (user: string, action: string) => new RegExp(`^AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/${user} is not authorized to perform: ${action}$`);

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'tap-iam-enforced-'));
  emulator = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: String(UNAUTHENTICATED_BOOTSTRAP_REQUESTS) } });
  recorder = await DenialRecorder.start(emulator.endpoint);
  // The admin: created by the only unauthenticated requests moto serves (bootstrap count above).
  admin = await createUser('admin', [{
    name: 'everything',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  }], new IAMClient(clientConfig(EMULATOR_DEFAULT_KEY)));
  iam = new IAMClient(clientConfig(admin));
  s3 = new S3Client({ ...clientConfig(admin), forcePathStyle: true });
  ddb = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(admin)));
  synthesize();
  await createResources();
});

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await recorder?.stop();
  await emulator?.stop();
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('moto enforces IAM in this file', () => {
  test('the emulator\'s default key is an unknown identity; a user without a policy is denied S3 and DynamoDB; the admin is allowed', async () => {
    const getItem = new GetItemCommand({ TableName: tableName, Key: { id: { S: 'x' } } });
    const anonymous = new DynamoDBClient(clientConfig(EMULATOR_DEFAULT_KEY));
    expect(await attempt(() => anonymous.send(getItem))).toBe('InvalidClientTokenId: The security token included in the request is invalid.');

    const nobody = await createUser('no-policy', []);
    expect(await attempt(() => new DynamoDBClient(clientConfig(nobody)).send(getItem))).toMatch(deniedTo('no-policy', 'dynamodb:GetItem'));
    const put = new PutObjectCommand({ Bucket: bucket, Key: 'images/x.png', Body: 'x' });
    expect(await attempt(() => new S3Client({ ...clientConfig(nobody), forcePathStyle: true }).send(put))).toMatch(S3_ACCESS_DENIED);

    await expect(ddb.send(new GetCommand({ TableName: tableName, Key: { id: 'x' } }))).resolves.toBeDefined();
  });
});

describe('the policies the template gives the functions\' roles', () => {
  test('are AWS::IAM::Policy documents only (no inline, managed or AWS-managed policy), with conditions on the item writes and the outcome events (finding: wide blast radius)', () => {
    for (const fn of Object.values(fns)) {
      expect({ fn: fn.name, policies: fn.policies.length, leftOut: fn.leftOut }).toEqual({ fn: fn.name, policies: 1, leftOut: [] });
    }
    const leading = (pattern: string) => ({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] } });
    const s3Function = (kind: string) => ({
      'dynamodb:PutItem': leading('obj-*'),
      'dynamodb:GetItem': leading('obj-*'),
      'dynamodb:UpdateItem': leading('ver-*'),
      'events:PutEvents': { StringEquals: { 'events:source': 'cdk-tap-serverless' }, StringLike: { 'events:detail-type': `${kind}.*` } },
    });
    expect(conditionsByAction(fns['image-processor'])).toEqual(s3Function('image'));
    expect(conditionsByAction(fns['data-validator'])).toEqual(s3Function('data'));
    expect(conditionsByAction(fns['notification-handler'])).toEqual({ 'dynamodb:PutItem': leading('????????-????-????-????-????????????') });
  });

  test('name the created resources: prefixes of the bucket, the queue, and (checked here: moto authorizes them by action only) the table, its indexes, the default bus', () => {
    const tableArn = [...created.values()].find((r) => r.ref === tableName)!.attributes.Arn;
    const resourcesByAction = (fn: TemplateFunction) => Object.fromEntries(
      fn.policies.flatMap((p) => (resolveIntrinsics(p.document) as PolicyDocument).Statement)
        .filter((s) => !actionsOf(s).startsWith('logs:'))
        .map((s) => [actionsOf(s), asList(s.Resource)]),
    );
    const s3Function = (input: string, output: string) => ({
      'sqs:SendMessage': [`arn:aws:sqs:${REGION}:${ACCOUNT}:tap-iam-enforced-intake`],
      'xray:PutTraceSegments,xray:PutTelemetryRecords': ['*'],
      's3:GetObject,s3:GetObjectVersion': [`arn:aws:s3:::${bucket}/${input}/*`],
      's3:ListBucket': [`arn:aws:s3:::${bucket}`],
      's3:GetObject,s3:PutObject': [`arn:aws:s3:::${bucket}/${output}/*`],
      'dynamodb:PutItem': [tableArn],
      'dynamodb:GetItem': [tableArn],
      'dynamodb:UpdateItem': [tableArn],
      'events:PutEvents': [`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`],
    });
    expect(tableArn).toBe(`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableName}`);
    expect(resourcesByAction(fns['image-processor'])).toEqual(s3Function('images', 'thumbnails'));
    expect(resourcesByAction(fns['data-validator'])).toEqual(s3Function('data', 'reports'));
    expect(resourcesByAction(fns['notification-handler'])).toEqual({
      'xray:PutTraceSegments,xray:PutTelemetryRecords': ['*'],
      'dynamodb:PutItem': [tableArn],
      'dynamodb:GetItem': [tableArn],
      'dynamodb:Query': [`${tableArn}/index/byTime`, `${tableArn}/index/byType`],
      'dynamodb:BatchGetItem': [tableArn],
    });
  });
});

describe('sufficient: each function, with only its role\'s policy, does its whole job', () => {
  beforeAll(async () => {
    for (const fn of Object.values(fns)) {
      const credentials = await createUser(fn.name, fn.policies.map((p) => ({ name: p.name, document: forMoto(p.document) })));
      running[fn.name] = await startAs(fn, credentials);
    }
  });

  let imageNotification: string | undefined;
  let dataNotification: string | undefined;

  test('image processor: an upload under images/ ends in image.processed, with its thumbnails', async () => {
    const record = await upload('images/iam/photo.png', await images.png(640, 480));

    const result = await processUpload(running['image-processor'], record);

    expect(result).toMatchObject({ ok: true, outcome: 'image.processed', errors: [], denials: [] });
    imageNotification = result.notificationId;
    expect(await notification(imageNotification)).toMatchObject({ type: 'image.processed', source: `s3://${bucket}/images/iam/photo.png` });
    expect(await keysUnder('thumbnails/iam/photo.png/')).toEqual(['thumbnails/iam/photo.png/128.webp', 'thumbnails/iam/photo.png/512.webp']);
  });

  test('data validator: an upload under data/ ends in data.valid, with its report', async () => {
    const record = await upload('data/iam/orders.ndjson', ndjson(20));

    const result = await processUpload(running['data-validator'], record);

    expect(result).toMatchObject({ ok: true, outcome: 'data.valid', errors: [], denials: [] });
    dataNotification = result.notificationId;
    expect(await notification(dataNotification)).toMatchObject({ type: 'data.valid', details: { records: 20, reportKey: 'reports/data/iam/orders.ndjson.report.json' } });
    const report = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'reports/data/iam/orders.ndjson.report.json' }));
    expect(JSON.parse(await report.Body!.transformToString())).toMatchObject({ valid: true, counts: { records: 20, valid: 20 } });
  });

  test('notification handler: POST, GET by id, and GET /notifications listing the image and data outcomes', async () => {
    const result = await useApi(running['notification-handler']);

    expect(result).toMatchObject({ statuses: [201, 200, 200], errors: [], denials: [] });
    const listed = result.listed.items.map((i: any) => [i.id, i.type]);
    expect(listed).toEqual(expect.arrayContaining([
      [result.created.id, 'ops.iam-check'],
      [imageNotification, 'image.processed'],
      [dataNotification, 'data.valid'],
    ]));
  });

  test('the S3 statements are scoped to the prefixes: the image processor\'s key reads images/ only, writes thumbnails/ only', async () => {
    const imageUser = await createUser('image-processor-probe', fns['image-processor'].policies.map((p) => ({ name: p.name, document: forMoto(p.document) })));
    const asImageProcessor = new S3Client({ ...clientConfig(imageUser), forcePathStyle: true });
    const get = (key: string) => attempt(() => asImageProcessor.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    const put = (key: string) => attempt(() => asImageProcessor.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })));

    expect(await get('images/iam/photo.png')).toBe('allowed');
    expect(await get('data/iam/orders.ndjson')).toMatch(S3_ACCESS_DENIED);
    expect(await put('thumbnails/probe/64.webp')).toBe('allowed');
    expect(await put('reports/probe.json')).toMatch(S3_ACCESS_DENIED);
    expect(await put('images/probe.png')).toMatch(S3_ACCESS_DENIED);
  });

  test('every item key a function read or wrote matches its dynamodb:LeadingKeys condition, and no other writer\'s keys do', () => {
    for (const fn of Object.values(fns)) {
      const patterns = Object.fromEntries(Object.entries(conditionsByAction(fn))
        .filter(([action]) => action.startsWith('dynamodb:'))
        .map(([action, condition]) => [action, (condition as any)['ForAllValues:StringLike']['dynamodb:LeadingKeys'] as string[]]));
      const used = recorder.itemKeys.filter((k) => k.user === fn.name && patterns[k.action] !== undefined);
      for (const { action, key } of used) {
        const allowed = patterns[action].some((p) => stringLike(p, key));
        expect({ fn: fn.name, action, key, allowed }).toEqual({ fn: fn.name, action, key, allowed: true });
      }
    }
    const usedBy = (name: string) => [...new Set(recorder.itemKeys.filter((k) => k.user === name).map((k) => `${k.action} ${k.key.slice(0, 4)}`))].sort();
    expect(usedBy('image-processor')).toEqual(['dynamodb:GetItem obj-', 'dynamodb:PutItem obj-', 'dynamodb:UpdateItem ver-']);
    expect(usedBy('data-validator')).toEqual(['dynamodb:GetItem obj-', 'dynamodb:PutItem obj-', 'dynamodb:UpdateItem ver-']);
    const posted = recorder.itemKeys.find((k) => k.user === 'notification-handler' && k.action === 'dynamodb:PutItem')!.key;
    expect(stringLike('????????-????-????-????-????????????', posted)).toBe(true);
    // The patterns keep the writers apart: the API's keys are no outcome, an outcome is no posted key.
    expect(stringLike('obj-*', posted)).toBe(false);
    expect(stringLike('????????-????-????-????-????????????', recorder.itemKeys.find((k) => k.user === 'image-processor')!.key)).toBe(false);
  });

  test('the dead-letter statement (Lambda sends failed async events with the role) allows the failure recorder\'s intake only, not the dead-letter queue itself', async () => {
    const dataUser = await createUser('data-validator-probe', fns['data-validator'].policies.map((p) => ({ name: p.name, document: forMoto(p.document) })));
    const asDataValidator = new SQSClient(clientConfig(dataUser));
    const otherQueue = (await new SQSClient(clientConfig(admin)).send(new CreateQueueCommand({ QueueName: 'some-other-queue' }))).QueueUrl!;
    const send = (url: string) => attempt(() => asDataValidator.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{}' })));

    expect(await send(intakeUrl)).toBe('allowed');
    expect(await send(queueUrl)).toMatch(deniedTo('data-validator-probe', 'sqs:SendMessage'));
    expect(await send(otherQueue)).toMatch(deniedTo('data-validator-probe', 'sqs:SendMessage'));
  });
});

describe('necessary: without any one statement its code uses, a function is denied (AccessDenied)', () => {
  /** One user per function whose policy each test replaces, and the function running with its key. */
  const reduced = {} as Record<FunctionName, LocalFunction>;
  const reducedUser = (name: FunctionName) => `${name}-reduced`;
  /** What the denials looked like, printed once (afterAll) to be quoted. */
  const quotes: string[] = [];
  /** The function's policy without one action (a statement left with no action goes too). */
  const without = (name: FunctionName, action: string) => {
    const policy = userPolicy(fns[name]);
    return setUserPolicy(reducedUser(name), {
      ...policy,
      Statement: policy.Statement.map((s) => ({ ...s, Action: asList(s.Action).filter((a) => a !== action) })).filter((s) => s.Action.length > 0),
    });
  };

  beforeAll(async () => {
    for (const fn of Object.values(fns)) {
      const credentials = await createUser(reducedUser(fn.name), [{ name: 'policy', document: userPolicy(fn) }]);
      reduced[fn.name] = await startAs(fn, credentials);
    }
  });

  afterAll(() => {
    if (quotes.length > 0) console.log(quotes.join('\n'));
  });

  /** The id the data validator records an upload's outcome under (its configuration's fingerprint). */
  const dataOutcomeId = (record: S3EventRecord) => objectNotificationId(
    { bucket, key: decodeS3Key(record.s3.object.key), versionId: record.s3.object.versionId, eTag: record.s3.object.eTag },
    String(fns['data-validator'].environment.TAP_CONFIG_FINGERPRINT),
  );
  /** The AccessDenied output of a run, printed once after the tests (for the record). */
  const quote = (title: string, result: RunResult) => quotes.push(
    title,
    `  invocation: ${result.functionError!.message}`,
    `  logged:     ${result.errors[0].logged}`,
    `  moto:       ${result.denials.join('; ')}`,
  );

  test('data validator without s3:PutObject on reports/: the upload fails with AccessDenied; no report, no outcome', async () => {
    await without('data-validator', 's3:PutObject');
    const record = await upload('data/iam/no-report-permission.ndjson', ndjson(3));

    const result = await processUpload(reduced['data-validator'], record);

    // The invocation fails (Lambda retries it, then dead-letters it) because S3 denied the report.
    expect(result.ok).toBe(false);
    expect(result.functionError).toMatchObject({
      errorName: 'S3EventProcessingError',
      message: 'data-validator failed: S3EventProcessingError: 1 of 1 S3 records failed and will be retried: ["data/iam/no-report-permission.ndjson"]; '
        + 'the first: AccessDenied: Access Denied',
    });
    expect(result.errors.map((e) => `${e.name}: ${e.message}`)).toEqual(['AccessDenied: Access Denied']);
    expect(result.denials).toEqual(['data-validator-reduced PUT reports/ → AccessDenied: Access Denied']);
    expect(await keysUnder('reports/data/iam/no-report-permission')).toEqual([]);
    expect(await notification(dataOutcomeId(record))).toBeUndefined();
    quote('data validator without s3:PutObject on reports/*:', result);
  });

  test('data validator without the statement granting dynamodb:PutItem: denied dynamodb:PutItem; the report is written, no outcome recorded', async () => {
    await without('data-validator', 'dynamodb:PutItem');
    const record = await upload('data/iam/no-put-item.ndjson', ndjson(3));

    const result = await processUpload(reduced['data-validator'], record);

    expect(result.functionError).toMatchObject({ errorName: 'S3EventProcessingError' });
    expect(result.denials).toEqual([
      `data-validator-reduced PutItem → AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/data-validator-reduced is not authorized to perform: dynamodb:PutItem`,
    ]);
    // What the function sees: moto answers the JSON protocol's 403 in XML, which the SDK cannot
    // parse (DynamoDB itself answers JSON: AccessDeniedException).
    expect(result.errors.map((e) => e.name)).toEqual(['SyntaxError']);
    expect(result.errors[0].message).toMatch(/^Unexpected token '<', "<\?xml vers"\.\.\. is not valid JSON/);
    expect(await keysUnder('reports/data/iam/no-put-item')).toEqual(['reports/data/iam/no-put-item.ndjson.report.json']);
    expect(await notification(dataOutcomeId(record))).toBeUndefined();
    quote('data validator without dynamodb:PutItem:', result);
  });

  /** What happens without one statement: `works` (nothing denied), or the denials and what was recorded. */
  async function withoutEach(name: FunctionName, run: () => Promise<string>): Promise<Record<string, string>> {
    const matrix: Record<string, string> = {};
    for (const statement of userPolicy(fns[name]).Statement) {
      const actions = actionsOf(statement);
      await setUserPolicy(reducedUser(name), userPolicy(fns[name], (s) => actionsOf(s) !== actions));
      matrix[actions] = await run();
      await recorder.quiet();
    }
    return matrix;
  }

  const NOT_USED_BY_THE_CODE = {
    'logs:CreateLogStream,logs:PutLogEvents': 'works', // the Lambda service writes the function's logs
    'xray:PutTraceSegments,xray:PutTelemetryRecords': 'works', // the X-Ray daemon of the Lambda environment
  };
  const denied = (user: string, action: string) => `${user}-reduced ${action.split(':')[1]} → AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/${user}-reduced is not authorized to perform: ${action}`;

  test.each(['image-processor', 'data-validator'] as const)('%s: each statement removed in turn: every one its code uses is denied; logs, X-Ray, DLQ and ListBucket are not exercised here', async (name) => {
    const [input, output] = name === 'image-processor' ? ['images', 'thumbnails'] : ['data', 'reports'];
    const fn = reduced[name];

    const matrix = await withoutEach(name, async () => {
      const result = await processUpload(fn, await uploadFor(name, 'without'));
      // Requests sent at once (the HEADs of several outputs) are denied alike: each denial once.
      const denials = [...new Set(result.denials)];
      if (result.ok) return denials.length === 0 ? 'works' : `works despite ${denials.join('; ')}`;
      const recorded = await notification(objectNotificationIdOf(name, result));
      return `${denials.join('; ')}${recorded ? ` (after recording ${recorded.type})` : ''}`;
    });

    expect(matrix).toEqual({
      ...NOT_USED_BY_THE_CODE,
      'sqs:SendMessage': 'works', // the Lambda service sends failed asynchronous events to the dead-letter queue
      's3:ListBucket': 'works', // S3 needs it to answer 404 (not 403) for a deleted object; moto answers 404 without it
      // the image processor reads the object's size first (HEAD), the data validator reads it (GET)
      's3:GetObject,s3:GetObjectVersion': `${name}-reduced ${name === 'image-processor' ? 'HEAD' : 'GET'} ${input}/ → ${name === 'image-processor' ? '403 (no body)' : 'AccessDenied: Access Denied'}`,
      // its outputs are looked at (HEAD, one per output, at once) before they are written (the conditional writes)
      's3:GetObject,s3:PutObject': `${name}-reduced HEAD ${output}/ → 403 (no body)`,
      'dynamodb:GetItem': denied(name, 'dynamodb:GetItem'),
      'dynamodb:PutItem': denied(name, 'dynamodb:PutItem'),
      'dynamodb:UpdateItem': `${denied(name, 'dynamodb:UpdateItem')} (after recording ${name === 'image-processor' ? 'image.processed' : 'data.valid'})`,
      'events:PutEvents': `${denied(name, 'events:PutEvents')} (after recording ${name === 'image-processor' ? 'image.processed' : 'data.valid'})`,
    });
  });

  test('notification handler: each statement removed in turn: every one its code uses is denied (HTTP 500); logs and X-Ray are not exercised here', async () => {
    const matrix = await withoutEach('notification-handler', async () => {
      const result = await useApi(reduced['notification-handler']);
      const denials = [...new Set(result.denials)];
      return denials.length === 0 ? (result.statuses.every((s) => s < 300) ? 'works' : `HTTP ${result.statuses.join(',')}`) : `HTTP ${result.statuses.join(',')}: ${denials.join('; ')}`;
    });

    expect(matrix).toEqual({
      ...NOT_USED_BY_THE_CODE,
      // POST /notifications, GET /notifications/{id}, GET /notifications
      'dynamodb:PutItem': `HTTP 500,404,200: ${denied('notification-handler', 'dynamodb:PutItem')}`,
      'dynamodb:GetItem': `HTTP 201,500,200: ${denied('notification-handler', 'dynamodb:GetItem')}`,
      'dynamodb:Query': `HTTP 201,200,500: ${denied('notification-handler', 'dynamodb:Query')}`,
      'dynamodb:BatchGetItem': `HTTP 201,200,500: ${denied('notification-handler', 'dynamodb:BatchGetItem')}`,
    });
  });
});

/** The notification id of the upload a run processed (from its S3 record, as the function derives it). */
function objectNotificationIdOf(name: 'image-processor' | 'data-validator', result: RunResult): string | undefined {
  return result.notificationId ?? (lastUpload && objectNotificationId(lastUpload, String(fns[name].environment.TAP_CONFIG_FINGERPRINT)));
}
