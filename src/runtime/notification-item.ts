import { createHash } from 'node:crypto';
import { ATTR, FEED_ALL, INDEX_BY_TIME, INDEX_BY_TYPE, shardKey } from '../contract/notifications-model';

/** A notification as the API returns it. */
export interface Notification {
  readonly id: string;
  readonly type: string;
  /** ISO-8601 creation time (UTC, millisecond precision). */
  readonly createdAt: string;
  readonly message: string;
  readonly source?: string;
  readonly details?: Record<string, unknown>;
}

/** A notification as stored in the table: the API shape plus the index attributes. */
export interface NotificationItem extends Notification {
  /** `ALL#<shard>`. */
  readonly feedShard: string;
  /** `<type>#<shard>`. */
  readonly typeShard: string;
  readonly sortKey: string;
  /** TTL, epoch seconds (only when a retention is set). */
  readonly expiresAt?: number;
}

/**
 * The shard of a notification: the first 32 bits of sha256(id), modulo the shard count. Stable
 * for an id, uniform over random or hashed ids, and the same in every function.
 */
export function indexShardOf(id: string, shards: number): number {
  return parseInt(createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 8), 16) % shards;
}

/** How a deployment lays out its items: the shard count of the listing indexes and the retention. */
export interface ItemLayout {
  /** Shards of each listing index (1 to 64). */
  readonly indexShards: number;
  /** Seconds an item is kept (TTL); undefined: kept until deleted. */
  readonly retentionSeconds?: number;
}

/** The TTL of an item created at `createdAt` (epoch seconds), or undefined when items are kept. */
export function expiresAtOf(createdAt: Date, layout: ItemLayout): number | undefined {
  return layout.retentionSeconds === undefined ? undefined : Math.floor(createdAt.getTime() / 1000) + layout.retentionSeconds;
}

/** The sort key of both indexes: `<createdAt>#<id>`, so that equal timestamps still sort uniquely. */
export function sortKeyOf(createdAt: string, id: string): string {
  return `${createdAt}#${id}`;
}

/**
 * The table item of a notification (undefined optional attributes are left out): its shard of
 * both listing indexes from its id, its TTL from its creation time.
 */
export function toNotificationItem(notification: Notification, layout: ItemLayout): NotificationItem {
  const shard = indexShardOf(notification.id, layout.indexShards);
  const expiresAt = expiresAtOf(new Date(notification.createdAt), layout);
  return {
    [ATTR.ID]: notification.id,
    [ATTR.TYPE]: notification.type,
    [ATTR.CREATED_AT]: notification.createdAt,
    message: notification.message,
    ...(notification.source !== undefined ? { source: notification.source } : {}),
    ...(notification.details !== undefined ? { details: notification.details } : {}),
    [ATTR.FEED_SHARD]: shardKey(FEED_ALL, shard),
    [ATTR.TYPE_SHARD]: shardKey(notification.type, shard),
    [ATTR.SORT_KEY]: sortKeyOf(notification.createdAt, notification.id),
    ...(expiresAt !== undefined ? { [ATTR.EXPIRES_AT]: expiresAt } : {}),
  };
}

/**
 * The API shape of a stored item: only the public attributes, so that internal ones
 * (`feedShard`, `typeShard`, `sortKey`, `expiresAt`, anything added later) never leak through the API.
 */
export function toNotification(item: Record<string, unknown>): Notification {
  const text = (name: string): string => (typeof item[name] === 'string' ? (item[name] as string) : '');
  const details = item.details;
  return {
    id: text(ATTR.ID),
    type: text(ATTR.TYPE),
    createdAt: text(ATTR.CREATED_AT),
    message: text('message'),
    ...(typeof item.source === 'string' ? { source: item.source } : {}),
    ...(typeof details === 'object' && details !== null && !Array.isArray(details) ? { details: details as Record<string, unknown> } : {}),
  };
}

/** The index a listing reads: `byType` when filtering by type, `byTime` otherwise. */
export function indexFor(type: string | undefined): typeof INDEX_BY_TIME | typeof INDEX_BY_TYPE {
  return type === undefined ? INDEX_BY_TIME : INDEX_BY_TYPE;
}

/** Whether an item's TTL has passed (DynamoDB deletes expired items within days, not at once). */
export function isExpired(item: object, now: Date): boolean {
  const expiresAt = (item as Record<string, unknown>)[ATTR.EXPIRES_AT];
  return typeof expiresAt === 'number' && expiresAt <= Math.floor(now.getTime() / 1000);
}
