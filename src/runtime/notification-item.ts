import { ATTR, FEED_ALL, INDEX_BY_TIME, INDEX_BY_TYPE } from '../contract/notifications-model';

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
  readonly feed: typeof FEED_ALL;
  readonly sortKey: string;
}

/** The sort key of both indexes: `<createdAt>#<id>`, so that equal timestamps still sort uniquely. */
export function sortKeyOf(createdAt: string, id: string): string {
  return `${createdAt}#${id}`;
}

/** The table item of a notification (undefined optional attributes are left out). */
export function toNotificationItem(notification: Notification): NotificationItem {
  return {
    [ATTR.ID]: notification.id,
    [ATTR.TYPE]: notification.type,
    [ATTR.CREATED_AT]: notification.createdAt,
    message: notification.message,
    ...(notification.source !== undefined ? { source: notification.source } : {}),
    ...(notification.details !== undefined ? { details: notification.details } : {}),
    [ATTR.FEED]: FEED_ALL,
    [ATTR.SORT_KEY]: sortKeyOf(notification.createdAt, notification.id),
  };
}

/**
 * The API shape of a stored item: only the public attributes, so that internal ones
 * (`feed`, `sortKey`, anything added later) never leak through the API.
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
