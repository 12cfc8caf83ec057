import { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createNotificationsTable, dynamoClient, startBundledFunction, TEST_INDEX_SHARDS } from '../../emulator/bundled';
import { LocalFunction } from '../../emulator/local-function';
import { apiRequest as request } from '../support/fixtures';

// The bundled notification handler (assets/), in its own process, against DynamoDB in moto server
// (docs/testing.md cases 11 and 12 end to end).
const TABLE = 'notifications-api-test';
let fn: LocalFunction;
const handler = (event: APIGatewayProxyEvent) => fn.invoke<APIGatewayProxyResult>(event);

beforeAll(async () => {
  await createNotificationsTable(dynamoClient(), TABLE);
  fn = await startBundledFunction('notification-handler', { TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(TEST_INDEX_SHARDS), TAP_ENVIRONMENT: 'test' });
});

afterAll(async () => {
  await fn.stop();
});

test('POST stores a notification that GET by id and the newest-first listing return', async () => {
  // GIVEN two notifications created through the API
  const created = [];
  for (const message of ['first', 'second']) {
    const res = await handler(request('POST', '/notifications', {
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ type: 'ops.note', message }),
    }));
    expect(res.statusCode).toBe(201);
    created.push(JSON.parse(res.body));
  }
  // WHEN read back by id
  const one = await handler(request('GET', '/notifications/{id}', { pathParameters: { id: created[0].id } }));
  // THEN
  expect(one.statusCode).toBe(200);
  expect(JSON.parse(one.body)).toEqual(created[0]);
  // AND the listing pages newest first with a working nextToken
  const page1 = await handler(request('GET', '/notifications', { queryStringParameters: { limit: '1', type: 'ops.note' } }));
  const body1 = JSON.parse(page1.body);
  expect(body1.items.map((i: any) => i.message)).toEqual(['second']);
  const page2 = await handler(request('GET', '/notifications', { queryStringParameters: { limit: '1', type: 'ops.note', nextToken: body1.nextToken } }));
  expect(JSON.parse(page2.body).items.map((i: any) => i.message)).toEqual(['first']);
});

test('a forged pipeline outcome (POST data.valid) gets a 400 and is never listed', async () => {
  // GIVEN a caller allowed to POST, trying the pipeline's own outcome type
  const res = await handler(request('POST', '/notifications', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'data.valid', message: 'forged', source: 's3://bucket/data/orders.ndjson' }),
  }));
  // THEN it is refused, naming the field, and the type's listing stays empty
  expect(res.statusCode).toBe(400);
  expect(JSON.parse(res.body).errors).toEqual([expect.objectContaining({ field: '/type' })]);
  const listed = await handler(request('GET', '/notifications', { queryStringParameters: { type: 'data.valid' } }));
  expect(JSON.parse(listed.body).items).toEqual([]);
});

test('errors are JSON: 404 unknown id, 400 bad limit, 400 forged token, 415 wrong type, 413 large body', async () => {
  const cases: Array<[APIGatewayProxyEvent, number]> = [
    [request('GET', '/notifications/{id}', { pathParameters: { id: 'nope' } }), 404],
    [request('GET', '/notifications', { queryStringParameters: { limit: '0' } }), 400],
    [request('GET', '/notifications', { queryStringParameters: { nextToken: Buffer.from('{"id":"x"}').toString('base64url') } }), 400],
    [request('POST', '/notifications', { headers: { 'content-type': 'text/plain' }, body: 'hello' }), 415],
    [request('POST', '/notifications', { headers: { 'content-type': 'application/json' }, body: '{"type": "a.b", "message": "' + 'x'.repeat(1024 * 1024) + '"}' }), 413],
    [request('POST', '/notifications', { headers: { 'content-type': 'application/json' }, body: '{"type": ' }), 400],
    [request('POST', '/notifications', { headers: { 'content-type': 'application/json' }, body: '{"type": "a.b"}' }), 400],
  ];
  for (const [event, status] of cases) {
    const res = await handler(event);
    expect({ status: res.statusCode, json: typeof JSON.parse(res.body).message }).toEqual({ status, json: 'string' });
  }
});
