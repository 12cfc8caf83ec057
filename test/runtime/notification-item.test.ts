import { shardKey } from '../../src/contract/notifications-model';
import { expiresAtOf, indexFor, indexShardOf, isExpired, sortKeyOf, toNotification, toNotificationItem } from '../../src/runtime/notification-item';

describe('notification items', () => {
  const notification = {
    id: 'n-1', type: 'ops.deploy', createdAt: '2026-11-28T17:02:11.532Z', message: 'Deployed', details: { release: '1.4.2' },
  };

  test('an item adds its shard of both indexes and the sort key; no TTL without a retention', () => {
    const shard = indexShardOf('n-1', 16);
    expect(toNotificationItem(notification, { indexShards: 16 })).toEqual({
      ...notification,
      feedShard: shardKey('ALL', shard),
      typeShard: shardKey('ops.deploy', shard),
      sortKey: '2026-11-28T17:02:11.532Z#n-1',
    });
    expect(sortKeyOf('t', 'i')).toBe('t#i');
    expect(toNotificationItem(notification, { indexShards: 16 })).not.toHaveProperty('source');
    expect(toNotificationItem(notification, { indexShards: 16 })).not.toHaveProperty('expiresAt');
  });

  test('with a retention, the item expires that many seconds after its creation', () => {
    const item = toNotificationItem(notification, { indexShards: 4, retentionSeconds: 86_400 });
    expect(item.expiresAt).toBe(Math.floor(Date.parse(notification.createdAt) / 1000) + 86_400);
    expect(expiresAtOf(new Date(0), { indexShards: 1 })).toBeUndefined();
    expect(isExpired(item, new Date(Date.parse(notification.createdAt) + 86_399_000))).toBe(false);
    expect(isExpired(item, new Date(Date.parse(notification.createdAt) + 86_400_000))).toBe(true);
    expect(isExpired({ id: 'x' }, new Date(8e15))).toBe(false);
  });

  test('shards are stable, in range, two-digit, and spread ids evenly', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[indexShardOf(`obj-${i}`, 16)] += 1;
    // Uniform: each of 16 shards gets 1,000 ± 15 % of 16,000 ids.
    for (const n of counts) expect(Math.abs(n - 1000)).toBeLessThan(150);
    expect(indexShardOf('obj-7', 16)).toBe(indexShardOf('obj-7', 16));
    expect(indexShardOf('anything', 1)).toBe(0);
    expect(shardKey('ALL', 3)).toBe('ALL#03');
    expect(shardKey('image.processed', 63)).toBe('image.processed#63');
  });

  test('the API shape keeps only public attributes', () => {
    // GIVEN an item with internal and unknown attributes
    const item = { ...toNotificationItem({ ...notification, source: 'x://y' }, { indexShards: 8, retentionSeconds: 60 }), internalFlag: true };

    // WHEN
    const api = toNotification(item);

    // THEN
    expect(api).toEqual({ ...notification, source: 'x://y' });
    for (const internal of ['feedShard', 'typeShard', 'sortKey', 'expiresAt', 'internalFlag']) {
      expect(api).not.toHaveProperty(internal);
    }
  });

  test('a listing without a type reads byTime, with one byType', () => {
    expect(indexFor(undefined)).toBe('byTime');
    expect(indexFor('image.processed')).toBe('byType');
  });
});
