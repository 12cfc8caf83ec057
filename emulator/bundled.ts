import * as path from 'path';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { LocalFunction } from './local-function';
import { EMULATOR_ACCOUNT_ID, EMULATOR_AWS_ENV, ROOT } from './moto';
import { encodeEventKey } from '../src/cli/reprocess';
import { DEFAULTS } from '../src/construct/defaults';
import { ENV } from '../src/contract/env-names';
import { ATTR, INDEX_BY_TIME, INDEX_BY_TYPE } from '../src/contract/notifications-model';
import { DATA_DEFAULTS } from '../src/data/data-settings';

/** The endpoint of the suite's moto server (see global-setup.ts). */
export function emulatorEndpoint(): string {
  const endpoint = process.env.TAP_TEST_ENDPOINT;
  if (!endpoint) {
    throw new Error('TAP_TEST_ENDPOINT is not set: run the tests with `npx projen test`, whose jest global setup starts moto server.');
  }
  return endpoint;
}

export function s3Client(endpoint = emulatorEndpoint()): S3Client {
  return new S3Client({ endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, forcePathStyle: true, credentials: creds() });
}

export function dynamoClient(endpoint = emulatorEndpoint()): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials: creds() });
}

/** The endpoint, region and credentials of an AWS SDK client of the emulator. */
export function emulatorClientConfig(endpoint = emulatorEndpoint()) {
  return { endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials: creds() };
}

function creds() {
  return { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY };
}

/**
 * The asset folder of a bundled function. The image processor has one per architecture (its
 * sharp binaries are native): the one matching this machine's CPU is the one that can run here.
 */
export function bundledAssetDir(name: BundledFunctionName): string {
  const feature = FEATURE_OF[name];
  const folder = name === 'image-processor' ? `${name}.lambda-${process.arch === 'arm64' ? 'arm64' : 'x64'}` : `${name}.lambda`;
  return path.join(ROOT, 'assets', feature, folder);
}

/** The feature folder (src/<feature>/, assets/<feature>/) of each function. */
const FEATURE_OF = {
  'image-processor': 'images',
  'data-validator': 'data',
  'notification-handler': 'notifications',
  'notification-export': 'notifications',
  'route-dispatcher': 'routes',
  'failure-recorder': 'failures',
} as const;

/** The bundled functions (assets/<feature>/<name>.lambda). */
export type BundledFunctionName = keyof typeof FEATURE_OF;

/**
 * Starts a bundled function (assets/<feature>/<name>.lambda, built by `npx projen bundle`) in its
 * own process with the given environment, pointed at the emulator. Stop it in afterAll.
 */
export async function startBundledFunction(
  name: BundledFunctionName,
  env: Record<string, string>,
  endpoint = emulatorEndpoint(),
): Promise<LocalFunction> {
  return startFunctionFromAsset(bundledAssetDir(name), name, env, endpoint);
}

/**
 * Starts a function from any asset directory (e.g. the one the construct staged into a cloud
 * assembly) in its own process, pointed at the emulator. Stop it in afterAll.
 */
export async function startFunctionFromAsset(
  assetDir: string,
  name: string,
  env: Record<string, string>,
  endpoint = emulatorEndpoint(),
  options: { readonly timeoutSeconds?: number } = {},
): Promise<LocalFunction> {
  return LocalFunction.start({
    ...options,
    assetDir,
    handler: 'index.handler',
    functionName: name,
    environment: {
      ...EMULATOR_AWS_ENV,
      AWS_ENDPOINT_URL: endpoint,
      POWERTOOLS_METRICS_NAMESPACE: 'TapServerless',
      POWERTOOLS_SERVICE_NAME: name,
      ...env,
    },
  });
}

/** The configuration fingerprint the test environments give the S3 functions (the construct computes real ones). */
export const TEST_FINGERPRINT = 'test0fingerprint';

/** The environment the construct gives an S3 function (default prefixes and data limits), for a table and a bucket. */
export function s3FunctionEnv(table: string, bucket: string): Record<string, string> {
  return {
    [ENV.TABLE_NAME]: table,
    [ENV.INDEX_SHARDS]: String(TEST_INDEX_SHARDS),
    [ENV.BUCKET_NAME]: bucket,
    [ENV.BUCKET_OWNER]: EMULATOR_ACCOUNT_ID,
    [ENV.IMAGES_PREFIX]: DEFAULTS.imageInputPrefix,
    [ENV.DATA_PREFIX]: DEFAULTS.dataInputPrefix,
    [ENV.THUMBNAILS_PREFIX]: DEFAULTS.imageOutputPrefix,
    [ENV.REPORTS_PREFIX]: DEFAULTS.dataOutputPrefix,
    [ENV.ENVIRONMENT]: 'test',
    [ENV.CONFIG_FINGERPRINT]: TEST_FINGERPRINT,
    [ENV.DATA_MAX_BYTES]: String(DATA_DEFAULTS.dataMaxSize.toBytes()),
    [ENV.DATA_MAX_RECORD_BYTES]: String(DATA_DEFAULTS.dataMaxRecordSize.toBytes()),
    [ENV.DATA_MAX_JSON_DEPTH]: String(DATA_DEFAULTS.dataMaxJsonDepth),
    [ENV.DATA_MAX_REPORT_ERRORS]: String(DATA_DEFAULTS.dataMaxReportErrors),
  };
}

/**
 * The environment the construct gives the failure recorder (default output prefixes, 3 attempts),
 * for a table, a bucket, the dead-letter queue it forwards to and the kinds it records.
 */
export function failureRecorderEnv(
  table: string,
  bucket: string,
  deadLetterQueueUrl: string,
  routes: ReadonlyArray<{ kind: string; prefix: string; suffixes: string[]; fingerprint: string }>,
): Record<string, string> {
  return {
    [ENV.TABLE_NAME]: table,
    [ENV.INDEX_SHARDS]: String(TEST_INDEX_SHARDS),
    [ENV.ENVIRONMENT]: 'test',
    [ENV.FAILURE_ROUTES]: JSON.stringify(routes),
    [ENV.FAILURE_ATTEMPTS]: '3',
    [ENV.BUCKET_NAME]: bucket,
    [ENV.DEAD_LETTER_QUEUE_URL]: deadLetterQueueUrl,
    [ENV.THUMBNAILS_PREFIX]: DEFAULTS.imageOutputPrefix,
    [ENV.REPORTS_PREFIX]: DEFAULTS.dataOutputPrefix,
  };
}

/** Creates a versioned bucket. */
export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
}

/** Shards of the listing indexes in the test environments (the construct's default is 16). */
export const TEST_INDEX_SHARDS = 4;

/** Creates a notifications table shaped as the construct creates it (sharded, keys-only listing indexes; TTL on `expiresAt`). */
export async function createNotificationsTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  const s = (name: string) => ({ AttributeName: name, AttributeType: 'S' as const });
  const index = (name: string, partitionKey: string) => ({
    IndexName: name,
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' as const }, { AttributeName: ATTR.SORT_KEY, KeyType: 'RANGE' as const }],
    Projection: { ProjectionType: 'KEYS_ONLY' as const },
  });
  await ddb.send(new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [s(ATTR.ID), s(ATTR.FEED_SHARD), s(ATTR.SORT_KEY), s(ATTR.TYPE_SHARD)],
    KeySchema: [{ AttributeName: ATTR.ID, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [index(INDEX_BY_TIME, ATTR.FEED_SHARD), index(INDEX_BY_TYPE, ATTR.TYPE_SHARD)],
  }));
  await ddb.send(new UpdateTimeToLiveCommand({
    TableName: tableName,
    TimeToLiveSpecification: { AttributeName: ATTR.EXPIRES_AT, Enabled: true },
  }));
}

/** URL-encodes a key as S3 does in event notifications (spaces become `+`): the encoding `reprocess` sends. */
export const encodeKeyForEvent = encodeEventKey;

let sequence = 0;

/** An ObjectCreated:Put record built from a real PutObject result. */
export function s3Record(bucket: string, key: string, put: { ETag?: string; VersionId?: string }, size: number): S3EventRecord {
  sequence += 1;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: new Date().toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'test' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'test', 'x-amz-id-2': 'test' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'test',
      bucket: { name: bucket, ownerIdentity: { principalId: 'test' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeKeyForEvent(key),
        size,
        eTag: (put.ETag ?? '').replace(/"/g, ''),
        versionId: put.VersionId,
        sequencer: sequence.toString(16).toUpperCase().padStart(16, '0'),
      },
    },
  } as S3EventRecord;
}

export function s3Event(...records: S3EventRecord[]): S3Event {
  return { Records: records };
}
