import { MissingEnvironmentError } from '../../src/runtime/env';
import { notificationsTableFromEnv } from '../../src/runtime/notifications-table';

describe('notificationsTableFromEnv', () => {
  const base = { TAP_TABLE_NAME: 'notes', TAP_INDEX_SHARDS: '16' };

  test('reads the table, the shard count and the optional retention the construct sets', () => {
    expect(notificationsTableFromEnv(base)).toMatchObject({ tableName: 'notes', layout: { indexShards: 16 } });
    expect(notificationsTableFromEnv(base).layout).not.toHaveProperty('retentionSeconds');
    expect(notificationsTableFromEnv({ ...base, TAP_NOTIFICATION_RETENTION_SECONDS: '7776000' }).layout)
      .toEqual({ indexShards: 16, retentionSeconds: 7_776_000 });
    expect(notificationsTableFromEnv({ ...base, TAP_NOTIFICATION_RETENTION_SECONDS: '' }).layout).toEqual({ indexShards: 16 });
  });

  test.each([
    [{ TAP_TABLE_NAME: 'notes' }, /TAP_INDEX_SHARDS is not set/],
    [{ ...base, TAP_INDEX_SHARDS: '0' }, /TAP_INDEX_SHARDS is "0"; it must be a whole number from 1 to 64/],
    [{ ...base, TAP_INDEX_SHARDS: '65' }, /TAP_INDEX_SHARDS is "65"/],
    [{ ...base, TAP_INDEX_SHARDS: '4.5' }, /TAP_INDEX_SHARDS is "4.5"/],
    [{ ...base, TAP_NOTIFICATION_RETENTION_SECONDS: '-5' }, /TAP_NOTIFICATION_RETENTION_SECONDS is "-5"/],
    [{ ...base, TAP_NOTIFICATION_RETENTION_SECONDS: '90d' }, /TAP_NOTIFICATION_RETENTION_SECONDS is "90d"/],
  ])('fails clearly on a missing or malformed setting (%j)', (env, message) => {
    expect(() => notificationsTableFromEnv(env)).toThrow(message);
  });

  test('the table name is required', () => {
    expect(() => notificationsTableFromEnv({ TAP_INDEX_SHARDS: '4' })).toThrow(MissingEnvironmentError);
  });
});
