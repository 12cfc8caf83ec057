import { indexFor, sortKeyOf, toNotification, toNotificationItem } from '../../src/runtime/notification-item';

describe('notification items', () => {
  const notification = {
    id: 'n-1', type: 'ops.deploy', createdAt: '2026-11-28T17:02:11.532Z', message: 'Deployed', details: { release: '1.4.2' },
  };

  test('an item adds the feed and the sort key of both indexes', () => {
    expect(toNotificationItem(notification)).toEqual({
      ...notification, feed: 'ALL', sortKey: '2026-11-28T17:02:11.532Z#n-1',
    });
    expect(sortKeyOf('t', 'i')).toBe('t#i');
    expect(toNotificationItem(notification)).not.toHaveProperty('source');
  });

  test('the API shape keeps only public attributes', () => {
    // GIVEN an item with internal and unknown attributes
    const item = { ...toNotificationItem({ ...notification, source: 'x://y' }), ttl: 123, internalFlag: true };

    // WHEN
    const api = toNotification(item);

    // THEN
    expect(api).toEqual({ ...notification, source: 'x://y' });
    expect(Object.keys(api)).not.toEqual(expect.arrayContaining(['feed']));
    expect(api).not.toHaveProperty('sortKey');
    expect(api).not.toHaveProperty('ttl');
  });

  test('a listing without a type reads byTime, with one byType', () => {
    expect(indexFor(undefined)).toBe('byTime');
    expect(indexFor('image.processed')).toBe('byType');
  });
});
