import { readFileSync } from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { bundledAssetDir, createNotificationsTable, dynamoClient, startBundledFunction, TEST_INDEX_SHARDS } from '../../emulator/bundled';
import { apiRequest } from '../../emulator/events';
import { LocalFunction } from '../../emulator/local-function';
import { ROOT } from '../../emulator/moto';

// The functions' bundles carry a two-link credential chain (scripts/bundle-shims/lambda-credentials.js)
// instead of the AWS SDK's full default chain: the environment variables Lambda sets, then a
// container credentials endpoint. Run here on the bundled API handler against moto server, with a
// credentials endpoint on 127.0.0.1.

const TABLE = 'notifications-credentials-test';
const FUNCTIONS = ['notification-handler', 'notification-export', 'data-validator', 'image-processor'] as const;

interface CredentialsRequest { readonly url: string; readonly authorization?: string }

let endpoint: http.Server;
let endpointUrl: string;
const requests: CredentialsRequest[] = [];
const started: LocalFunction[] = [];

beforeAll(async () => {
  await createNotificationsTable(dynamoClient(), TABLE);
  endpoint = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({
      AccessKeyId: 'ASIACONTAINERTEST',
      SecretAccessKey: 'container-secret',
      Token: 'container-token',
      Expiration: new Date(Date.now() + 3600_000).toISOString(),
    }));
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/v1/credentials`;
});

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await new Promise<void>((resolve) => endpoint?.close(() => resolve()));
});


const request = (httpMethod: string, body: string | null) => apiRequest(httpMethod, '/notifications', { body, headers: { 'Content-Type': 'application/json' } });

async function startApi(env: Record<string, string>): Promise<LocalFunction> {
  const fn = await startBundledFunction('notification-handler', {
    TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(TEST_INDEX_SHARDS), TAP_ENVIRONMENT: 'test', ...env,
  });
  started.push(fn);
  return fn;
}

test('with no credentials in the environment, a function fetches them from the container endpoint, with its token', async () => {
  // GIVEN the bundled API handler with no key in its environment, only a container credentials endpoint
  const fn = await startApi({
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: endpointUrl,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth-token',
  });
  // WHEN it writes and reads the table
  const created = await fn.invoke<APIGatewayProxyResult>(request('POST', JSON.stringify({ type: 'ops.credentials', message: 'container' })));
  const listed = await fn.invoke<APIGatewayProxyResult>(request('GET', null));
  // THEN both calls succeed, signed with credentials from the endpoint, fetched once and reused
  expect(created.statusCode).toBe(201);
  expect(listed.statusCode).toBe(200);
  expect(JSON.parse(listed.body).items.map((i: { message: string }) => i.message)).toContain('container');
  expect(requests).toEqual([{ url: '/v1/credentials', authorization: 'container-auth-token' }]);
});

test('with no credentials anywhere, a call fails with an error naming where credentials are read from', async () => {
  // GIVEN the bundled API handler with neither environment credentials nor a container endpoint
  const fn = await startApi({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' });
  // WHEN it is asked to list notifications
  const listed = await fn.invoke<APIGatewayProxyResult>(request('GET', null)).catch((e: Error) => e);
  // THEN the request fails (a 5xx or a function error), and the log or the error says why
  const failure = listed instanceof Error ? listed.message : `${listed.statusCode} ${fn.logs.join('\n')}`;
  if (!(listed instanceof Error)) expect(listed.statusCode).toBeGreaterThanOrEqual(500);
  expect(failure).toContain('No AWS credentials: this function bundle reads them from AWS_ACCESS_KEY_ID');
});

test.each(FUNCTIONS)('the %s bundle carries the two-link chain, not the SDK\'s STS, SSO and sign-in clients', (name) => {
  const code = readFileSync(path.join(bundledAssetDir(name), 'index.js'), 'utf8');
  expect(code).toContain('No AWS credentials: this function bundle reads them');
  for (const operation of ['AssumeRoleWithWebIdentity', 'GetRoleCredentials', 'CreateOAuth2Token']) {
    expect(code).not.toContain(operation);
  }
});

test('the operations CLI keeps the full default chain (profiles, SSO, web identity)', () => {
  const code = readFileSync(path.join(ROOT, 'assets', 'cli', 'main', 'index.js'), 'utf8');
  expect(code).not.toContain('No AWS credentials: this function bundle reads them');
  expect(code).toContain('AssumeRoleWithWebIdentity');
  expect(code).toContain('GetRoleCredentials');
});
