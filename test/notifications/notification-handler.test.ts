import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { TEST_INDEX_SHARDS } from '../../emulator/bundled';
import { shardKey } from '../../src/contract/notifications-model';
import { indexShardOf } from '../../src/runtime/notification-item';
import { CapturedOutput, captureConsole } from '../support/console-capture';
import { apiEvent, FUNCTION_ENV, lambdaContext } from '../support/fixtures';

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const ddb = mockClient(DynamoDBDocumentClient);
let handler: Handler;
let output: CapturedOutput;

const ALLOWED_ORIGIN = 'https://app.example.com';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

beforeAll(() => {
  // The handler reads its environment at module load: set it first, then load the module
  // (into this file's module registry, so that the client mock above applies to it).
  Object.assign(process.env, FUNCTION_ENV, { TAP_CORS_ORIGINS: `${ALLOWED_ORIGIN},https://admin.example.com` });
  ({ handler } = jest.requireActual<typeof import('../../src/notifications/notification-handler.lambda')>('../../src/notifications/notification-handler.lambda'));
});

beforeEach(() => {
  ddb.reset();
  output = captureConsole();
});

afterEach(() => {
  output.restore();
});

const invoke = (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => handler(event, lambdaContext('tap-test-notification-handler'));
const bodyOf = (response: APIGatewayProxyResult): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

function post(body: string | null, headers: Record<string, string> = { 'Content-Type': 'application/json' }, isBase64Encoded = false): APIGatewayProxyEvent {
  const event = apiEvent('apigw-create-notification.json');
  const { ['Content-Type']: _dropped, ...otherHeaders } = event.headers;
  return { ...event, headers: { ...otherHeaders, ...headers }, body, isBase64Encoded };
}

function list(query: Record<string, string> | null): APIGatewayProxyEvent {
  return apiEvent('apigw-list-notifications.json', {
    queryStringParameters: query,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
  });
}

/** Asserts a JSON error response and returns its body. */
function expectJsonError(response: APIGatewayProxyResult, statusCode: number): Record<string, unknown> {
  expect(response.statusCode).toBe(statusCode);
  expect(response.headers?.['Content-Type']).toBe('application/json');
  const body = bodyOf(response);
  expect(typeof body.message).toBe('string');
  return body;
}

const storedItem = {
  id: '4f9c2b7e-3d51-4a8e-9b0f-6c2d1e7a5b31',
  type: 'image.received',
  createdAt: '2026-11-28T17:02:11.532Z',
  message: 'Received s3://bucket/images/a.jpg (4096 bytes)',
  source: 's3://bucket/images/a.jpg',
  details: { size: 4096 },
  feedShard: shardKey('ALL', indexShardOf('4f9c2b7e-3d51-4a8e-9b0f-6c2d1e7a5b31', TEST_INDEX_SHARDS)),
  typeShard: shardKey('image.received', indexShardOf('4f9c2b7e-3d51-4a8e-9b0f-6c2d1e7a5b31', TEST_INDEX_SHARDS)),
  sortKey: '2026-11-28T17:02:11.532Z#4f9c2b7e-3d51-4a8e-9b0f-6c2d1e7a5b31',
};
const storedKeys = { id: storedItem.id, feedShard: storedItem.feedShard, sortKey: storedItem.sortKey };
/** The shard the stored item is in answers with its keys; the other shards are empty. */
const shardOfStoredItem = (input: { ExpressionAttributeValues?: Record<string, unknown> }): boolean =>
  String(input.ExpressionAttributeValues?.[':pk']).endsWith(storedItem.feedShard.slice(-3));

describe('POST /notifications', () => {
  test('stores a valid notification and answers 201 with the record', async () => {
    // GIVEN
    ddb.on(PutCommand).resolves({});

    // WHEN
    const response = await invoke(apiEvent('apigw-create-notification.json'));

    // THEN the record is returned without internal attributes
    expect(response.statusCode).toBe(201);
    expect(response.headers?.['Content-Type']).toBe('application/json');
    const body = bodyOf(response);
    expect(body).toEqual({
      id: expect.stringMatching(UUID),
      type: 'ops.deploy',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      message: 'Deployed release 1.4.2',
      source: 'pipeline://release/1.4.2',
      details: { release: '1.4.2', durationSeconds: 312, canary: true },
    });
    // AND stored once, conditionally, with the index attributes
    const puts = ddb.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0].args[0].input).toEqual({
      TableName: 'tap-dev-notifications',
      Item: {
        ...body,
        feedShard: shardKey('ALL', indexShardOf(String(body.id), TEST_INDEX_SHARDS)),
        typeShard: shardKey(String(body.type), indexShardOf(String(body.id), TEST_INDEX_SHARDS)),
        sortKey: `${String(body.createdAt)}#${String(body.id)}`,
      },
      ConditionExpression: 'attribute_not_exists(#id) OR #expiresAt <= :now',
      ExpressionAttributeNames: { '#id': 'id', '#expiresAt': 'expiresAt' },
      ExpressionAttributeValues: { ':now': expect.any(Number) },
    });
    // AND counted
    expect(output.metric('NotificationsCreated')).toBe(1);
  });

  test('each POST gets a fresh id', async () => {
    ddb.on(PutCommand).resolves({});
    const first = bodyOf(await invoke(apiEvent('apigw-create-notification.json')));
    const second = bodyOf(await invoke(apiEvent('apigw-create-notification.json')));
    expect(first.id).not.toBe(second.id);
  });

  test('accepts any header casing, a charset and a base64-encoded body', async () => {
    ddb.on(PutCommand).resolves({});
    const body = Buffer.from(JSON.stringify({ type: 'ops.note', message: 'Été' })).toString('base64');

    const response = await invoke(post(body, { 'content-type': 'Application/JSON; charset=UTF-8' }, true));

    expect(response.statusCode).toBe(201);
    expect(bodyOf(response)).toEqual(expect.objectContaining({ type: 'ops.note', message: 'Été' }));
  });

  test('broken JSON is a 400 (case 11)', async () => {
    const body = expectJsonError(await invoke(post('{"type": "ops.deploy", "message": ')), 400);
    expect(body.message).toBe('Request body is not valid JSON');
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test.each([
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['form data', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['a non-UTF-8 charset', { 'Content-Type': 'application/json; charset=iso-8859-1' }],
    ['no Content-Type', {}],
  ])('a wrong content type (%s) is a 415 (case 11)', async (_name, headers) => {
    const body = expectJsonError(await invoke(post('{"type":"ops.deploy","message":"x"}', headers)), 415);
    expect(body.message).toMatch(/application\/json/);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('missing fields are a 400 naming them (case 11)', async () => {
    const body = expectJsonError(await invoke(post(JSON.stringify({ details: {} }))), 400);
    expect(body.errors).toEqual(expect.arrayContaining([
      { field: '/type', message: 'is required' },
      { field: '/message', message: 'is required' },
    ]));
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('a 1 MB body is a 413 (case 11)', async () => {
    const huge = JSON.stringify({ type: 'ops.deploy', message: 'x', details: { blob: 'a'.repeat(1024 * 1024) } });
    const body = expectJsonError(await invoke(post(huge)), 413);
    expect(body.maxBytes).toBe(16 * 1024);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});

describe('GET /notifications/{id}', () => {
  test('returns a stored notification without internal attributes', async () => {
    ddb.on(GetCommand).resolves({ Item: storedItem });

    const response = await invoke(apiEvent('apigw-get-notification.json'));

    expect(response.statusCode).toBe(200);
    const { feedShard: _feed, typeShard: _type, sortKey: _sortKey, ...publicAttributes } = storedItem;
    expect(bodyOf(response)).toEqual(publicAttributes);
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({
      TableName: 'tap-dev-notifications', Key: { id: storedItem.id }, ConsistentRead: true,
    });
  });

  test('an unknown id is a 404 (case 12)', async () => {
    ddb.on(GetCommand).resolves({});
    const body = expectJsonError(await invoke(apiEvent('apigw-get-notification.json')), 404);
    expect(body.message).toBe('Notification not found');
  });

  test('an object-version index item is not a notification: 404', async () => {
    ddb.on(GetCommand).resolves({ Item: { id: storedItem.id, fingerprints: new Set(['ed61f63109a39a54']) } });
    const body = expectJsonError(await invoke(apiEvent('apigw-get-notification.json')), 404);
    expect(body.message).toBe('Notification not found');
  });

  test('an id we could never have issued is a 404 without reading the table', async () => {
    const event = apiEvent('apigw-get-notification.json', { pathParameters: { id: 'x'.repeat(5000) } });
    expectJsonError(await invoke(event), 404);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('GET /notifications', () => {
  test('lists the whole feed newest first: a keys-only Query per byTime shard, then the items by key (never a Scan)', async () => {
    ddb.on(QueryCommand).callsFake(async (input) => ({ Items: shardOfStoredItem(input) ? [storedKeys] : [] }));
    ddb.on(BatchGetCommand).resolves({ Responses: { 'tap-dev-notifications': [storedItem] } });

    const response = await invoke(list(null));

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ items: [expect.not.objectContaining({ feedShard: expect.anything() })] });
    expect(bodyOf(response).items).toEqual([expect.objectContaining({ id: storedItem.id, message: storedItem.message })]);
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(TEST_INDEX_SHARDS);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':pk']).sort()).toEqual(['ALL#00', 'ALL#01', 'ALL#02', 'ALL#03']);
    expect(queries[0]).toEqual({
      TableName: 'tap-dev-notifications',
      IndexName: 'byTime',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'feedShard' },
      ExpressionAttributeValues: { ':pk': 'ALL#00' },
      ScanIndexForward: false,
      Limit: 20,
    });
    expect(ddb.commandCalls(BatchGetCommand)[0].args[0].input).toEqual({
      RequestItems: { 'tap-dev-notifications': { Keys: [{ id: storedItem.id }] } },
    });
    expect(ddb.commandCalls(ScanCommand)).toHaveLength(0);
  });

  test('merges the shards newest first and keeps the page size; the token resumes below the last item', async () => {
    // GIVEN two shards with interleaved times (shard 1 also at its limit)
    const key = (shard: number, ms: number) => ({ id: `n${shard}-${ms}`, sortKey: `2026-11-28T17:00:00.${String(ms).padStart(3, '0')}Z#n${shard}-${ms}` });
    const shards: Record<string, Array<{ id: string; sortKey: string }>> = {
      'ALL#00': [key(0, 900), key(0, 500)],
      'ALL#01': [key(1, 800), key(1, 700), key(1, 100)],
    };
    ddb.on(QueryCommand).callsFake(async (input) => {
      const items = shards[String(input.ExpressionAttributeValues[':pk'])] ?? [];
      return { Items: items.slice(0, input.Limit), ...(items.length >= input.Limit ? { LastEvaluatedKey: items[input.Limit - 1] } : {}) };
    });
    // (BatchGetItem answers in any order: this one answers backwards.)
    ddb.on(BatchGetCommand).callsFake(async (input) => {
      const keys = [...input.RequestItems['tap-dev-notifications'].Keys as Array<{ id: string }>].reverse();
      return { Responses: { 'tap-dev-notifications': keys.map((k) => ({ ...storedItem, id: k.id, type: 'ops.x' })) } };
    });

    // WHEN a page of 3 is asked for
    const response = await invoke(list({ limit: '3' }));

    // THEN it holds the 3 newest across shards, in order, and a token
    const page = bodyOf(response);
    expect((page.items as Array<{ id: string }>).map((i) => i.id)).toEqual(['n0-900', 'n1-800', 'n1-700']);
    expect(page.nextToken).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));

    // WHEN the token is sent back
    ddb.resetHistory();
    await invoke(list({ limit: '3', nextToken: String(page.nextToken) }));

    // THEN every shard is read below the last item's sort key
    for (const call of ddb.commandCalls(QueryCommand)) {
      expect(call.args[0].input.KeyConditionExpression).toBe('#pk = :pk AND #sk < :before');
      expect(call.args[0].input.ExpressionAttributeValues?.[':before']).toBe(key(1, 700).sortKey);
    }
  });

  test('a type filter queries the byType shards of that type and returns a nextToken bound to it', async () => {
    // GIVEN a first page that stops after one item
    ddb.on(QueryCommand).callsFake(async (input) => (shardOfStoredItem(input)
      ? { Items: [storedKeys], LastEvaluatedKey: storedKeys }
      : { Items: [] }));
    ddb.on(BatchGetCommand).resolves({ Responses: { 'tap-dev-notifications': [storedItem] } });

    // WHEN
    const first = await invoke(list({ type: 'image.received', limit: '1' }));

    // THEN
    expect(first.statusCode).toBe(200);
    const page = bodyOf(first);
    expect(page.items).toEqual([expect.objectContaining({ id: storedItem.id, type: 'image.received' })]);
    expect((page.items as Record<string, unknown>[])[0]).not.toHaveProperty('sortKey');
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues?.[':pk']).sort())
      .toEqual(['image.received#00', 'image.received#01', 'image.received#02', 'image.received#03']);
    expect(queries.every((q) => q.IndexName === 'byType' && q.ExpressionAttributeNames?.['#pk'] === 'typeShard' && q.Limit === 1)).toBe(true);
    expect(page.nextToken).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));

    // WHEN the token is sent back, and then used without the filter
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
    const second = await invoke(list({ type: 'image.received', limit: '1', nextToken: String(page.nextToken) }));
    const unfiltered = await invoke(list({ limit: '1', nextToken: String(page.nextToken) }));

    // THEN the next page starts below the first one's item and is the last; the token does not fit another listing
    expect(second.statusCode).toBe(200);
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input.ExpressionAttributeValues?.[':before']).toBe(storedItem.sortKey);
    expect(bodyOf(second)).toEqual({ items: [] });
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(0);
    expect(expectJsonError(unfiltered, 400).parameter).toBe('nextToken');
  });

  test('items past their TTL, or gone between the index read and the item read, are left out', async () => {
    const expired = { ...storedItem, id: 'gone-1', sortKey: '2026-11-28T17:02:11.600Z#gone-1', expiresAt: 1 };
    ddb.on(QueryCommand).callsFake(async (input) => (shardOfStoredItem(input)
      ? { Items: [{ id: 'gone-2', sortKey: '2026-11-28T17:02:11.700Z#gone-2' }, expired, storedKeys] }
      : { Items: [] }));
    ddb.on(BatchGetCommand).resolves({ Responses: { 'tap-dev-notifications': [storedItem, expired] } });

    const page = bodyOf(await invoke(list(null)));

    expect((page.items as Array<{ id: string }>).map((i) => i.id)).toEqual([storedItem.id]);
  });

  test('keys DynamoDB leaves unprocessed are read again', async () => {
    ddb.on(QueryCommand).callsFake(async (input) => ({ Items: shardOfStoredItem(input) ? [storedKeys] : [] }));
    ddb.on(BatchGetCommand)
      .resolvesOnce({ Responses: {}, UnprocessedKeys: { 'tap-dev-notifications': { Keys: [{ id: storedItem.id }] } } })
      .resolves({ Responses: { 'tap-dev-notifications': [storedItem] } });

    const page = bodyOf(await invoke(list(null)));

    expect(page.items).toEqual([expect.objectContaining({ id: storedItem.id })]);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);
  });

  test.each(['0', '101', 'abc', '1.5', '-3', ''])('a bad limit (%j) is a 400 (case 12)', async (limit) => {
    const body = expectJsonError(await invoke(list({ limit })), 400);
    expect(body.parameter).toBe('limit');
    expect(ddb.calls()).toHaveLength(0);
  });

  test('a bad type filter is a 400', async () => {
    expectJsonError(await invoke(list({ type: 'NOT A TYPE' })), 400);
    expect(ddb.calls()).toHaveLength(0);
  });

  test.each([
    ['garbage', 'not-a-token!'],
    ['base64url of non-JSON', Buffer.from('hello').toString('base64url')],
    ['a DynamoDB key', Buffer.from(JSON.stringify({ id: 'a', feedShard: 'ALL#01', sortKey: '2026-11-28T17:02:11.532Z#a' })).toString('base64url')],
    ['a forged position', Buffer.from(JSON.stringify({ b: 'ALL' })).toString('base64url')],
  ])('a forged nextToken (%s) is a 400 (case 12)', async (_name, nextToken) => {
    const body = expectJsonError(await invoke(list({ nextToken })), 400);
    expect(body.parameter).toBe('nextToken');
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('routing, failures and CORS', () => {
  test('an unknown resource is a 404 and a wrong method a 405 with Allow', async () => {
    expectJsonError(await invoke(apiEvent('apigw-list-notifications.json', { resource: '/admin', path: '/admin' })), 404);
    const response = await invoke(apiEvent('apigw-get-notification.json', { httpMethod: 'DELETE' }));
    expectJsonError(response, 405);
    expect(response.headers?.Allow).toBe('GET');
  });

  test('an unexpected error is a generic 500; the details are only logged', async () => {
    ddb.on(QueryCommand).rejects(new InternalServerError({ message: 'secret internal detail', $metadata: { httpStatusCode: 500 } }));

    const response = await invoke(list(null));

    const body = expectJsonError(response, 500);
    expect(body).toEqual({ message: 'Internal server error' });
    expect(response.body).not.toContain('secret internal detail');
    expect(output.logs().some((l) => l.level === 'ERROR' && JSON.stringify(l).includes('secret internal detail'))).toBe(true);
  });

  test('DynamoDB throttling is a 503 with Retry-After', async () => {
    ddb.on(GetCommand).rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const response = await invoke(apiEvent('apigw-get-notification.json'));
    expectJsonError(response, 503);
    expect(response.headers?.['Retry-After']).toBe('1');
  });

  test('Access-Control-Allow-Origin is set only for an allowed Origin', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    const withOrigin = (origin: string): APIGatewayProxyEvent => {
      const event = list(null);
      return { ...event, headers: { ...event.headers, origin } };
    };

    const allowed = await invoke(withOrigin(ALLOWED_ORIGIN));
    const denied = await invoke(withOrigin('https://evil.example.com'));
    const error = await invoke({ ...withOrigin(ALLOWED_ORIGIN), resource: '/nope' });

    expect(allowed.headers?.['Access-Control-Allow-Origin']).toBe(ALLOWED_ORIGIN);
    expect(denied.headers).not.toHaveProperty('Access-Control-Allow-Origin');
    expect(error.statusCode).toBe(404);
    expect(error.headers?.['Access-Control-Allow-Origin']).toBe(ALLOWED_ORIGIN);
  });
});
