import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { APIGatewayProxyResult } from 'aws-lambda';
import { createNotificationsTable, dynamoClient, startBundledFunction } from '../../emulator/bundled';
import { apiRequest } from '../../emulator/events';
import { LocalFunction } from '../../emulator/local-function';
import { batchGetById } from '../../src/runtime/batch-get';
import { indexShardOf, Notification, toNotificationItem } from '../../src/runtime/notification-item';
import { putNewNotification } from '../../src/runtime/notifications-table';

// GET /notifications over sharded, keys-only indexes, end to end: the bundled notification
// handler in its own process, against DynamoDB in moto server. 1,000 notifications spread over
// 5 shards (with equal timestamps across shards, object-version index items and expired items
// mixed in) are listed page by page; every listing must be the full set, newest first, with no
// gap and no repeat.
const TABLE = 'notifications-sharded-listing';
const SHARDS = 5;
const COUNT = 1000;
const TYPES = ['image.processed', 'data.valid', 'ops.note'];
const BASE = Date.parse('2026-11-28T17:00:00.000Z');

let fn: LocalFunction;
let ddb: DynamoDBDocumentClient;
let notifications: Notification[];


const listRequest = (query: Record<string, string>) => apiRequest('GET', '/notifications', { query });

/** Every page of one listing, following nextToken to the end. */
async function listAll(limit: number, type?: string): Promise<{ ids: string[]; pages: number; sizes: number[] }> {
  const ids: string[] = [];
  const sizes: number[] = [];
  let nextToken: string | undefined;
  do {
    const query: Record<string, string> = { limit: String(limit), ...(type ? { type } : {}), ...(nextToken ? { nextToken } : {}) };
    const res = await fn.invoke<APIGatewayProxyResult>(listRequest(query));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body) as { items: Notification[]; nextToken?: string };
    expect(body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...body.items.map((n) => n.id));
    sizes.push(body.items.length);
    nextToken = body.nextToken;
    if (sizes.length > COUNT + 10) throw new Error('the listing does not end');
  } while (nextToken);
  return { ids, pages: sizes.length, sizes };
}

/** The ids of the expected listing: newest first by `<createdAt>#<id>`. */
function newestFirst(items: readonly Notification[]): string[] {
  const key = (n: Notification) => `${n.createdAt}#${n.id}`;
  return [...items].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0)).map((n) => n.id);
}

async function writeAll(items: readonly object[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    let pending: any[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const result = await ddb.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
      pending = result.UnprocessedItems?.[TABLE] ?? [];
    }
  }
}

beforeAll(async () => {
  const client = dynamoClient();
  await createNotificationsTable(client, TABLE);
  ddb = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  // Three notifications per millisecond: equal timestamps land in different shards, so the
  // merge must break ties by id exactly as the index does.
  notifications = Array.from({ length: COUNT }, (_, i) => ({
    id: `n-${String(i).padStart(4, '0')}-${(i * 7919) % 1000}`,
    type: TYPES[i % TYPES.length],
    createdAt: new Date(BASE + Math.floor(i / 3)).toISOString(),
    message: `notification ${i}`,
  }));
  const layout = { indexShards: SHARDS };
  // Not listed: expired notifications (TTL passed, not yet deleted) and object-version index items.
  const expired = Array.from({ length: 10 }, (_, i) => ({
    ...toNotificationItem({ id: `expired-${i}`, type: TYPES[i % 3], createdAt: new Date(BASE - 1000 * (i + 1)).toISOString(), message: 'old' }, layout),
    expiresAt: Math.floor(BASE / 1000) - 1,
  }));
  const versionItems = Array.from({ length: 10 }, (_, i) => ({ id: `ver-${i}`, fingerprints: new Set(['fp1']) }));
  await writeAll([...notifications.map((n) => toNotificationItem(n, layout)), ...expired, ...versionItems]);
  fn = await startBundledFunction('notification-handler', { TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(SHARDS), TAP_ENVIRONMENT: 'test' });
}, 120_000);

afterAll(async () => {
  await fn?.stop();
});

test('the notifications are spread over every shard of both indexes', async () => {
  const perShard = new Map<string, number>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (typeof item.feedShard === 'string') perShard.set(item.feedShard, (perShard.get(item.feedShard) ?? 0) + 1);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  expect([...perShard.keys()].sort()).toEqual(['ALL#00', 'ALL#01', 'ALL#02', 'ALL#03', 'ALL#04']);
  // Hashing spreads 1,010 ids evenly: every shard holds 202 ± 30 %.
  for (const count of perShard.values()) expect(Math.abs(count - 202)).toBeLessThan(61);
  expect(new Set(notifications.map((n) => indexShardOf(n.id, SHARDS))).size).toBe(SHARDS);
});

describe.each([1, 7, 100])('page size %i', (limit) => {
  test('the whole feed, page by page, is the full set newest first with no gap and no repeat', async () => {
    const { ids, pages, sizes } = await listAll(limit);
    expect(ids).toEqual(newestFirst(notifications));
    expect(new Set(ids).size).toBe(COUNT);
    // Pages are full until the live items run out; the expired ones (all older) only shorten the
    // page they fall in and leave the pages after it empty.
    const firstShort = sizes.findIndex((n) => n < limit);
    expect(firstShort).toBeGreaterThanOrEqual(Math.floor(COUNT / limit) - 1);
    expect(sizes.slice(firstShort + 1).every((n) => n === 0)).toBe(true);
    expect(pages).toBeLessThanOrEqual(Math.ceil((COUNT + 10) / limit) + 1);
  }, 300_000);

  // Every type at the largest page; one type at every size (small pages cost a listing per item).
  test.each(limit === 100 ? TYPES : TYPES.slice(0, 1))('filtered by type (%s), page by page, is that type\'s full set newest first', async (type) => {
    const { ids } = await listAll(limit, type);
    const expected = newestFirst(notifications.filter((n) => n.type === type));
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(expected.length);
  }, 300_000);
});

describe('items past their TTL, before DynamoDB deletes them', () => {
  const table = () => ({ client: ddb, tableName: TABLE, layout: { indexShards: SHARDS, retentionSeconds: 86_400 } });
  const notification = (id: string): Notification => ({ id, type: 'ops.note', createdAt: new Date().toISOString(), message: 'new' });

  test('the conditional write replaces an expired item, never a live one nor one kept without TTL', async () => {
    // GIVEN an expired item, a live one and one written without a retention
    const now = Math.floor(Date.now() / 1000);
    await writeAll([
      { ...toNotificationItem(notification('ttl-expired'), { indexShards: SHARDS }), message: 'old', expiresAt: now - 10 },
      { ...toNotificationItem(notification('ttl-live'), { indexShards: SHARDS }), message: 'old', expiresAt: now + 3600 },
      { ...toNotificationItem(notification('ttl-none'), { indexShards: SHARDS }), message: 'old' },
    ]);

    // WHEN the same ids are written again
    const results = await Promise.all(['ttl-expired', 'ttl-live', 'ttl-none'].map((id) => putNewNotification(table(), notification(id))));

    // THEN only the expired one is replaced, with a new TTL
    expect(results).toEqual(['created', 'exists', 'exists']);
    const stored = await batchGetById(ddb, TABLE, ['ttl-expired', 'ttl-live', 'ttl-none']);
    expect(stored.get('ttl-expired')).toMatchObject({ message: 'new', expiresAt: expect.any(Number) });
    expect(stored.get('ttl-expired')!.expiresAt as number).toBeGreaterThan(now + 86_000);
    expect(stored.get('ttl-live')).toMatchObject({ message: 'old' });
    expect(stored.get('ttl-none')).toMatchObject({ message: 'old' });
  });

  test('GET by id answers 404 for an expired item', async () => {
    await writeAll([{ ...toNotificationItem(notification('ttl-gone'), { indexShards: SHARDS }), expiresAt: 1 }]);
    const res = await fn.invoke<APIGatewayProxyResult>({
      ...listRequest({}),
      resource: '/notifications/{id}',
      path: '/notifications/ttl-gone',
      pathParameters: { id: 'ttl-gone' },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
    expect(res.statusCode).toBe(404);
  });
});
