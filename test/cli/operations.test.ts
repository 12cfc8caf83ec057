import { gzipSync } from 'node:zlib';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetBucketVersioningCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { functionScopes } from '../../src/cli/audit';
import { inventoryObjects } from '../../src/cli/objects';
import { Progress } from '../../src/cli/progress';
import { encodeEventKey, RateLimiter, reprocess } from '../../src/cli/reprocess';
import { Pipeline, resolvePipeline } from '../../src/cli/stack';

const cloudformation = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const sqs = mockClient(SQSClient);
const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  for (const m of [cloudformation, lambda, sqs, s3, ddb]) m.reset();
});

function fnConfig(name: string, service: string, prefixVar: string, prefix: string) {
  return {
    FunctionName: name,
    DeadLetterConfig: { TargetArn: 'arn:aws:sqs:eu-west-1:111122223333:tap-dlq' },
    Environment: {
      Variables: {
        POWERTOOLS_SERVICE_NAME: service,
        [prefixVar]: prefix,
        TAP_BUCKET_NAME: 'uploads',
        TAP_TABLE_NAME: 'notes',
        TAP_THUMBNAILS_PREFIX: 'thumbnails/',
        TAP_REPORTS_PREFIX: 'reports/',
        TAP_CONFIG_FINGERPRINT: `${service}-fp`,
      },
    },
  };
}

const clients = () => ({
  cloudformation: new CloudFormationClient({}), lambda: new LambdaClient({}), sqs: new SQSClient({}),
});

describe('resolvePipeline', () => {
  test('one stack name gives the functions, bucket, table, prefixes, fingerprints and the dead-letter queue', async () => {
    cloudformation.on(ListStackResourcesCommand).resolvesOnce({
      StackResourceSummaries: [
        { ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: 'img', LogicalResourceId: 'a', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
        { ResourceType: 'AWS::S3::Bucket', PhysicalResourceId: 'uploads', LogicalResourceId: 'b', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
      ],
      NextToken: 'page2',
    }).resolvesOnce({
      StackResourceSummaries: [
        { ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: 'data', LogicalResourceId: 'c', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
        { ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: 'api', LogicalResourceId: 'd', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date() },
      ],
    });
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'img' }).resolves(fnConfig('img', 'image-processor', 'TAP_IMAGES_PREFIX', 'images/'));
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'data' }).resolves(fnConfig('data', 'data-validator', 'TAP_DATA_PREFIX', 'data/'));
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'api' }).resolves({ FunctionName: 'api', Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'notification-handler' } } });
    sqs.on(GetQueueUrlCommand, { QueueName: 'tap-dlq', QueueOwnerAWSAccountId: '111122223333' }).resolves({ QueueUrl: 'https://sqs/tap-dlq' });

    const pipeline = await resolvePipeline(clients(), { stackName: 'Tap' });

    expect(pipeline).toMatchObject({ bucket: 'uploads', table: 'notes', queueUrl: 'https://sqs/tap-dlq' });
    expect(pipeline.functions.map((f) => [f.kind, f.functionName, f.inputPrefix, f.fingerprint]))
      .toEqual([['images', 'img', 'images/', 'image-processor-fp'], ['data', 'data', 'data/', 'data-validator-fp']]);
    expect(cloudformation.commandCalls(ListStackResourcesCommand)[1].args[0].input.NextToken).toBe('page2');
  });

  test('two constructs in one stack need the function named; an explicit name wins', async () => {
    cloudformation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: ['img1', 'img2'].map((id) => ({
        ResourceType: 'AWS::Lambda::Function', PhysicalResourceId: id, LogicalResourceId: id, ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date(),
      })),
    });
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'img1' }).resolves(fnConfig('img1', 'image-processor', 'TAP_IMAGES_PREFIX', 'images/'));
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'img2' }).resolves(fnConfig('img2', 'image-processor', 'TAP_IMAGES_PREFIX', 'images/'));
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: 'q' });

    await expect(resolvePipeline(clients(), { stackName: 'Tap' })).rejects.toThrow(/holds 2 TapServerless images functions \(img1, img2\): pass --image-function/);
    const pipeline = await resolvePipeline(clients(), { stackName: 'Tap', imageFunction: 'img2', bucket: 'other', queueUrl: 'explicit' });
    expect(pipeline).toMatchObject({ bucket: 'other', queueUrl: 'explicit', functions: [{ functionName: 'img2', bucket: 'other' }] });
  });

  test('a function that is not a TapServerless S3 function is refused by name', async () => {
    lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: 'x', Environment: { Variables: {} } });
    await expect(resolvePipeline(clients(), { imageFunction: 'x' })).rejects.toThrow(/x is not a TapServerless image or data function/);
  });
});

const pipeline: Pipeline = {
  bucket: 'uploads',
  table: 'notes',
  functions: [
    { kind: 'images', functionName: 'img', bucket: 'uploads', table: 'notes', inputPrefix: 'images/', outputPrefixes: ['thumbnails/'], fingerprint: 'fp1' },
    { kind: 'data', functionName: 'data', bucket: 'uploads', table: 'notes', inputPrefix: 'data/', outputPrefixes: ['reports/'], fingerprint: 'fp2' },
  ],
};

describe('functionScopes', () => {
  test('one --start-after resumes a walk over both prefixes in key order', () => {
    const scopes = (startAfter?: string, prefix?: string) => functionScopes({ pipeline, startAfter, prefix })
      .map((s) => [s.fn.functionName, s.listPrefix, s.startAfter]);
    expect(scopes()).toEqual([['data', 'data/', undefined], ['img', 'images/', undefined]]);
    expect(scopes('data/b.csv')).toEqual([['data', 'data/', 'data/b.csv'], ['img', 'images/', undefined]]);
    expect(scopes('images/k.png')).toEqual([['img', 'images/', 'images/k.png']]);
    expect(scopes(undefined, 'images/2026/')).toEqual([['img', 'images/2026/', undefined]]);
  });
});

function body(bytes: Buffer | string) {
  return { transformToByteArray: async () => new Uint8Array(Buffer.from(bytes)) };
}

describe('inventoryObjects', () => {
  test('reads the current versions under the prefix from a gzipped CSV inventory, keys URL-decoded', async () => {
    s3.on(GetObjectCommand, { Bucket: 'inv', Key: 'uploads/cfg/2026-12-01T00-00Z/manifest.json' }).resolves({
      Body: body(JSON.stringify({
        sourceBucket: 'uploads',
        destinationBucket: 'arn:aws:s3:::inv',
        fileFormat: 'CSV',
        fileSchema: 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, ETag',
        files: [{ key: 'uploads/cfg/data/1.csv.gz' }],
      })),
    } as never);
    const rows = [
      '"uploads","images/My+Photo%C3%A9.png","v2","true","false","10","abc"',
      '"uploads","images/My+Photo%C3%A9.png","v1","false","false","9","old"',
      '"uploads","images/deleted.png","v3","true","true","","" ',
      '"uploads","data/x.csv","v4","true","false","3","def"',
    ].join('\n');
    s3.on(GetObjectCommand, { Bucket: 'inv', Key: 'uploads/cfg/data/1.csv.gz' }).resolves({ Body: body(gzipSync(rows)) } as never);

    const found = [];
    for await (const o of inventoryObjects(new S3Client({}), 's3://inv/uploads/cfg/2026-12-01T00-00Z/manifest.json', { bucket: 'uploads', prefix: 'images/' })) found.push(o);

    expect(found).toEqual([{ key: 'images/My Photoé.png', versionId: 'v2', eTag: 'abc', size: 10 }]);
  });

  test('Parquet inventories and inventories of another bucket are refused', async () => {
    s3.on(GetObjectCommand).resolvesOnce({ Body: body(JSON.stringify({ fileFormat: 'Parquet' })) } as never)
      .resolvesOnce({ Body: body(JSON.stringify({ fileFormat: 'CSV', sourceBucket: 'elsewhere' })) } as never);
    const first = async (url: string) => inventoryObjects(new S3Client({}), url, { bucket: 'uploads', prefix: '' }).next();
    await expect(first('s3://inv/m.json')).rejects.toThrow(/is Parquet: only CSV inventories can be read/);
    await expect(first('s3://inv/m.json')).rejects.toThrow(/lists bucket elsewhere, not uploads/);
    await expect(first('inv/m.json')).rejects.toThrow(/not an s3:\/\/bucket\/key URL/);
  });
});

describe('reprocess', () => {
  const keys = Array.from({ length: 7 }, (_, i) => `data/f${i}.csv`);
  beforeEach(() => {
    s3.on(GetBucketVersioningCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, ETag: `"e-${Key}"`, Size: 5 })) });
    ddb.on(BatchGetCommand).resolves({ Responses: { notes: [] } });
  });
  const run = (options: Partial<Parameters<typeof reprocess>[1]> = {}) => reprocess(
    { s3: new S3Client({}), ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), lambda: new LambdaClient({}) },
    { pipeline: { ...pipeline, functions: [pipeline.functions[1]] }, batchSize: 3, concurrency: 1, ...options },
  );

  test('events of up to --batch records, S3-encoded keys, retried when throttled', async () => {
    const throttle = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    lambda.on(InvokeCommand).rejectsOnce(throttle).resolves({ StatusCode: 202 });

    const summary = await run();

    expect(summary).toMatchObject({ listed: 7, selected: 7, delivered: 7, events: 3, failed: 0, throttled: 1, resumeAfter: 'data/f6.csv' });
    const payloads = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
    expect(payloads.map((p) => p.Records.length)).toEqual([3, 3, 3, 1]); // the first, throttled, sent twice
    expect(payloads[0].Records[0]).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'uploads' }, object: { key: 'data/f0.csv', eTag: 'e-data/f0.csv', size: 5 } },
    });
    expect(lambda.commandCalls(InvokeCommand).every((c) => c.args[0].input.InvocationType === 'Event')).toBe(true);
  });

  test('a refused delivery fails the run and the resume point stays before it', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    lambda.on(InvokeCommand).resolvesOnce({ StatusCode: 202 }).rejectsOnce(denied).resolves({ StatusCode: 202 });

    const summary = await run();

    expect(summary).toMatchObject({ delivered: 4, failed: 3, resumeAfter: 'data/f2.csv' });
    expect(summary.failures).toEqual([{ functionName: 'data', keys: ['data/f3.csv', 'data/f4.csv', 'data/f5.csv'], error: 'AccessDeniedException: not authorized' }]);
  });

  test('objects already recorded under the current fingerprint are not selected', async () => {
    ddb.on(BatchGetCommand).callsFake((input) => ({
      Responses: { notes: input.RequestItems.notes.Keys.filter((_: unknown, i: number) => i % 4 === 0).map((k: { id: string }) => ({ ...k, type: 'data.valid' })) },
    }));
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    expect(await run()).toMatchObject({ listed: 7, selected: 3, delivered: 3 });
  });

  test('with --rate below --batch, no event carries more than one second\'s worth (finding: --rate 5 sent 10 at once)', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

    const summary = await run({ batchSize: 10, ratePerSecond: 3 });

    const payloads = lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
    expect(payloads.map((p) => p.Records.length)).toEqual([3, 3, 1]);
    expect(summary).toMatchObject({ delivered: 7, events: 3 });
  });

  test('a stop request sends no further event', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    let calls = 0;
    const summary = await run({ stopRequested: () => ++calls > 4 });
    expect(summary).toMatchObject({ stopped: true, delivered: 3, resumeAfter: 'data/f2.csv' });
  });
});

test('event keys are encoded as S3 encodes them', () => {
  expect(encodeEventKey('images/My Photo+été.png')).toBe('images/My+Photo%2B%C3%A9t%C3%A9.png');
});

test('progress shows a bar when the total is known', () => {
  let t = 0;
  const lines: string[] = [];
  const progress = new Progress('reprocess', { write: (l) => lines.push(l), tty: false, rateOf: 'delivered', total: 200, now: () => t });
  t = 10_000;
  progress.update({ delivered: 50, failed: 0 });
  expect(lines).toEqual(['reprocess: [#####...............]  25% delivered 50, failed 0 · 5.0/s · 10.0s · 30.0s left\n']);
});

test('reprocess --count: one listing first, then a bar over the objects in scope, the rate counted from then on', async () => {
  const keys = Array.from({ length: 4 }, (_, i) => `data/f${i}.csv`);
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(ListObjectsV2Command).resolves({ Contents: keys.map((Key) => ({ Key, ETag: `"e-${Key}"`, Size: 5 })) });
  ddb.on(BatchGetCommand).resolves({ Responses: { notes: [] } });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  let t = 0;
  const lines: string[] = [];
  const progress = new Progress('reprocess', { write: (l) => lines.push(l), tty: false, intervalSeconds: 0, rateOf: 'listed', now: () => (t += 500) });

  const summary = await reprocess(
    { s3: new S3Client({}), ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})), lambda: new LambdaClient({}) },
    { pipeline: { ...pipeline, functions: [pipeline.functions[1]] }, batchSize: 2, concurrency: 1, countFirst: true, progress },
  );

  expect(summary).toMatchObject({ counted: 4, listed: 4, delivered: 4 });
  expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(2); // the count, then the walk
  expect(lines[lines.length - 1]).toMatch(/^reprocess: \[#{20}\] 100% listed 4, selected 4, delivered 4, failed 0 · [\d.]+\/s · [\d.]+s\n$/);
  expect(lines.some((l) => / {2}50% listed 2,/.test(l))).toBe(true);
});

describe('RateLimiter (finding: the rate held only on average)', () => {
  function paced(perSecond: number) {
    let now = 0;
    const sent: number[] = [];
    const limiter = new RateLimiter(perSecond, { now: () => now, sleep: async (ms) => { now += ms; } });
    const take = async (units: number) => {
      await limiter.take(units);
      sent.push(now);
    };
    return { take, sent, wait: (ms: number) => { now += ms; } };
  }

  test('paces takes evenly from the first one: no burst at the start', async () => {
    const { take, sent } = paced(5);
    for (let i = 0; i < 6; i++) await take(1);
    expect(sent).toEqual([0, 200, 400, 600, 800, 1000]);
  });

  test('a take of several units holds the next one back by their share of the second', async () => {
    const { take, sent } = paced(5);
    for (let i = 0; i < 3; i++) await take(5);
    expect(sent).toEqual([0, 1000, 2000]);
  });

  test('idle time is not saved up into a burst', async () => {
    const { take, sent, wait } = paced(4);
    await take(1);
    wait(10_000);
    for (let i = 0; i < 3; i++) await take(1);
    expect(sent).toEqual([0, 10_000, 10_250, 10_500]);
  });

  test('any one-second window holds at most the rate, for one-unit takes', async () => {
    const { take, sent } = paced(8);
    for (let i = 0; i < 50; i++) await take(1);
    for (const start of sent) expect(sent.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(8);
  });

  test('without a rate, nothing waits', async () => {
    const limiter = new RateLimiter(undefined, { now: () => 0, sleep: async () => { throw new Error('must not sleep'); } });
    await limiter.take(1_000_000);
  });
});
