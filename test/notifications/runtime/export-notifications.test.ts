import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { exportNotifications } from '../../../src/notifications/runtime/export-notifications';
import { ExportQuery } from '../../../src/notifications/runtime/export-query';
import { indexShardOf, Notification, toNotificationItem } from '../../../src/runtime/notification-item';
import { createNotificationsTable, NotificationsTable } from '../../../src/runtime/notifications-table';
import { fakeIndexes } from '../../support/fake-index';

const ddb = mockClient(DynamoDBDocumentClient);
const SHARDS = 4;
const BASE = Date.parse('2026-12-01T00:00:00.000Z');
const TYPES = ['image.processed', 'data.valid', 'ops.note'];
process.env.AWS_REGION = 'us-east-1';
const table: NotificationsTable = createNotificationsTable('t', { indexShards: SHARDS });

// 300 notifications, five per millisecond (equal timestamps in different shards), ids not in time order.
const notifications: Notification[] = Array.from({ length: 300 }, (_, i) => ({
  id: `n-${(i * 7919) % 1000}-${i}`,
  type: TYPES[i % TYPES.length],
  createdAt: new Date(BASE + Math.floor(i / 5)).toISOString(),
  message: `notification ${i}`,
}));

const key = (n: Notification) => `${n.createdAt}#${n.id}`;
const newestFirst = (list: readonly Notification[]) => [...list].sort((a, b) => (key(a) < key(b) ? 1 : -1)).map((n) => n.id);

async function collect(query: ExportQuery, options: Parameters<typeof exportNotifications>[2] = {}): Promise<{ ids: string[]; batches: number[] }> {
  const ids: string[] = [];
  const batches: number[] = [];
  for await (const batch of exportNotifications(table, query, options)) {
    ids.push(...batch.map((n) => n.id));
    batches.push(batch.length);
  }
  return { ids, batches };
}

beforeEach(() => ddb.reset());

describe('exportNotifications (a k-way merge of the shards)', () => {
  test('every notification, newest first, timestamp ties across shards broken by id as the index does', async () => {
    // GIVEN notifications over every shard, with equal timestamps in different shards
    const stats = fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
    const tiedShards = new Set(notifications.filter((n) => n.createdAt === notifications[0].createdAt).map((n) => indexShardOf(n.id, SHARDS)));
    expect(tiedShards.size).toBeGreaterThan(1);
    // WHEN exported with small pages (paging with ExclusiveStartKey) and batches of 7
    const { ids, batches } = await collect({ until: '2027-01-01T00:00:00.000Z' }, { pageSize: 3, batchSize: 7 });
    // THEN
    expect(ids).toEqual(newestFirst(notifications));
    expect(batches.every((size) => size <= 7)).toBe(true);
    expect(stats.maxLimit).toBe(3);
    // Every shard was read page by page: about 300 / 3 pages, never the whole shard at once.
    expect(stats.queries).toBeGreaterThanOrEqual(100);
  });

  test('since is included and until excluded, on the creation time', async () => {
    fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
    const since = new Date(BASE + 10).toISOString();
    const until = new Date(BASE + 20).toISOString();
    const { ids } = await collect({ since, until }, { pageSize: 4 });
    const expected = notifications.filter((n) => n.createdAt >= since && n.createdAt < until);
    expect(expected).toHaveLength(50);
    expect(ids).toEqual(newestFirst(expected));
  });

  test('until alone: everything before it', async () => {
    fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
    const until = new Date(BASE + 3).toISOString();
    const { ids } = await collect({ until });
    expect(ids).toEqual(newestFirst(notifications.filter((n) => n.createdAt < until)));
    expect(ids).toHaveLength(15);
  });

  test('the type filter reads the by-type index: only that type, newest first', async () => {
    fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
    const { ids } = await collect({ type: 'data.valid', until: '2027-01-01T00:00:00.000Z' }, { pageSize: 5 });
    expect(ids).toEqual(newestFirst(notifications.filter((n) => n.type === 'data.valid')));
  });

  test('items past their TTL, deleted since the index read, or not notifications are left out; unprocessed keys are retried', async () => {
    const items: Record<string, unknown>[] = notifications.slice(0, 20).map((n) => ({ ...toNotificationItem(n, table.layout) }));
    items[3] = { ...items[3], expiresAt: Math.floor(BASE / 1000) - 1 };
    const { type: _dropped, ...typeless } = items[4];
    items[4] = typeless;
    const stats = fakeIndexes(ddb, items, { unprocessedOnce: true, deleted: new Set([notifications[5].id]) });
    const { ids } = await collect({ until: '2027-01-01T00:00:00.000Z' }, { now: () => new Date(BASE) });
    const expected = newestFirst(notifications.slice(0, 20).filter((_, i) => i !== 3 && i !== 4 && i !== 5));
    expect(ids).toEqual(expected);
    expect(stats.batchGets).toBe(2);
  });

  test('an empty range yields nothing', async () => {
    fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
    const { ids, batches } = await collect({ until: new Date(BASE).toISOString() });
    expect(ids).toEqual([]);
    expect(batches).toEqual([]);
  });
});
