import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, Context, S3Event } from 'aws-lambda';
import { s3FunctionEnv } from '../../emulator/bundled';

const FIXTURES = join(__dirname, '..', 'fixtures');

/** A recorded event fixture from test/fixtures (a fresh copy each time). */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

export function s3Event(name: string): S3Event {
  return loadFixture<S3Event>(name);
}

/** An API Gateway REST proxy event fixture, with fields overridden. */
export function apiEvent(name: string, overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return { ...loadFixture<APIGatewayProxyEvent>(name), ...overrides };
}

/** The one API Gateway event builder (the demo uses it too). */
export { apiRequest } from '../../emulator/events';

/** The bucket named by the S3 fixtures. */
export const FIXTURE_BUCKET = 'tap-dev-ingest-123456789012';

/** The environment the construct gives the functions. */
export const FUNCTION_ENV: Readonly<Record<string, string>> = {
  ...s3FunctionEnv('tap-dev-notifications', FIXTURE_BUCKET),
  POWERTOOLS_SERVICE_NAME: 'tap-test',
  POWERTOOLS_METRICS_NAMESPACE: 'TapServerless',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  // Dev mode: Powertools writes through the global console, which the tests capture;
  // metrics stay enabled so that the EMF output can be asserted.
  POWERTOOLS_DEV: 'true',
  POWERTOOLS_METRICS_DISABLED: 'false',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDTESTONLY',
  AWS_SECRET_ACCESS_KEY: 'test-only-secret',
};

/** A Lambda context for in-process invocations. */
export function lambdaContext(functionName = 'tap-test-function'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/28/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The version of `key` the fixture events announce, as HeadObject of the key (no version id) would
 * describe the current version: `{ VersionId, ETag }`. Keys no fixture names have none.
 *
 * @param versionId a version id to answer instead (a double whose GetObject answers a fixed one)
 */
export function currentVersionOf(key: string, versionId?: string): { VersionId?: string; ETag?: string } {
  const found = FIXTURE_VERSIONS().get(key);
  if (versionId !== undefined) return { VersionId: versionId, ...(found?.ETag ? { ETag: found.ETag } : {}) };
  return found ?? {};
}

let fixtureVersions: Map<string, { VersionId?: string; ETag?: string }> | undefined;
function FIXTURE_VERSIONS(): Map<string, { VersionId?: string; ETag?: string }> {
  if (fixtureVersions) return fixtureVersions;
  fixtureVersions = new Map();
  for (const file of readdirSync(FIXTURES).filter((f) => f.startsWith('s3-') && f.endsWith('.json'))) {
    const event = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as S3Event;
    for (const record of event.Records ?? []) {
      const o = record?.s3?.object;
      if (!o?.key) continue;
      let key: string;
      try {
        key = decodeURIComponent(o.key.replace(/\+/g, ' '));
      } catch {
        continue;
      }
      fixtureVersions.set(key, { ...(o.versionId ? { VersionId: o.versionId } : {}), ...(o.eTag ? { ETag: `"${o.eTag}"` } : {}) });
    }
  }
  return fixtureVersions;
}
