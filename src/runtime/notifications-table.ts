import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetById } from './batch-get';
import { InvalidIntegerEnvironmentError, optionalEnv, requireEnv, requirePositiveIntEnv } from './env';
import { isConditionalCheckFailed } from './errors';
import { indexFor, isExpired, ItemLayout, Notification, toNotification, toNotificationItem } from './notification-item';
import { traceAwsClient } from './tracing';
import { ENV } from '../contract/env-names';
import { ATTR, FEED_ALL, MAX_INDEX_SHARDS, shardKey } from '../contract/notifications-model';

/** The notifications table, as the handlers reach it: a client, its name and how its items are laid out. */
export interface NotificationsTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly layout: ItemLayout;
}

/** Creates the table handle of a function. Call it once, at module scope. */
export function createNotificationsTable(tableName: string, layout: ItemLayout = { indexShards: 1 }): NotificationsTable {
  return {
    client: DynamoDBDocumentClient.from(traceAwsClient(new DynamoDBClient({})), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName,
    layout,
  };
}

/** Longest retention accepted from the environment: 100 years, in seconds. */
const MAX_RETENTION_SECONDS = 100 * 366 * 24 * 3600;

/**
 * The table handle from the environment the construct sets: `TAP_TABLE_NAME`, `TAP_INDEX_SHARDS`
 * and the optional `TAP_NOTIFICATION_RETENTION_SECONDS`. Fails clearly when one is missing or malformed.
 */
export function notificationsTableFromEnv(env: NodeJS.ProcessEnv = process.env): NotificationsTable {
  const retention = optionalEnv(ENV.NOTIFICATION_RETENTION_SECONDS, env);
  if (retention !== undefined && !(/^[0-9]+$/.test(retention) && Number(retention) >= 1 && Number(retention) <= MAX_RETENTION_SECONDS)) {
    throw new InvalidIntegerEnvironmentError(ENV.NOTIFICATION_RETENTION_SECONDS, retention, MAX_RETENTION_SECONDS);
  }
  return createNotificationsTable(requireEnv(ENV.TABLE_NAME, env), {
    indexShards: requirePositiveIntEnv(ENV.INDEX_SHARDS, env, MAX_INDEX_SHARDS),
    ...(retention !== undefined ? { retentionSeconds: Number(retention) } : {}),
  });
}

/** `created`: the item was written; `exists`: an item with that id was already there (nothing written). */
export type PutNotificationResult = 'created' | 'exists';

/**
 * Writes a new notification, only if no item has its id (`attribute_not_exists(id)`), or only an
 * expired one.
 * Throttling and other service errors are thrown unchanged.
 */
export async function putNewNotification(
  table: NotificationsTable, notification: Notification, replaceableType?: string,
): Promise<PutNotificationResult> {
  try {
    await table.client.send(new PutCommand({
      TableName: table.tableName,
      Item: toNotificationItem(notification, table.layout),
      // An item past its TTL that DynamoDB has not deleted yet counts as absent; one of the replaceable
      // type (an object's failed outcome, which its real outcome supersedes) is replaced.
      ConditionExpression: `attribute_not_exists(#id) OR #expiresAt <= :now${replaceableType !== undefined ? ' OR #type = :replaceable' : ''}`,
      ExpressionAttributeNames: { '#id': ATTR.ID, '#expiresAt': ATTR.EXPIRES_AT, ...(replaceableType !== undefined ? { '#type': ATTR.TYPE } : {}) },
      ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000), ...(replaceableType !== undefined ? { ':replaceable': replaceableType } : {}) },
    }));
    return 'created';
  } catch (err) {
    if (isConditionalCheckFailed(err)) {
      return 'exists';
    }
    throw err;
  }
}

/**
 * Reads one notification (strongly consistent, so a POST is immediately readable), or `undefined`
 * when there is none. An item that is not a notification (an object version's index item, which
 * has no type) is `undefined` too, and so is one past its TTL that DynamoDB has not deleted yet.
 */
export async function getNotification(table: NotificationsTable, id: string): Promise<Notification | undefined> {
  const result = await table.client.send(new GetCommand({
    TableName: table.tableName,
    Key: { [ATTR.ID]: id },
    ConsistentRead: true,
  }));
  const item = result.Item;
  return item && typeof item[ATTR.TYPE] === 'string' && !isExpired(item, new Date()) ? toNotification(item) : undefined;
}

export interface QueryNotificationsInput {
  /** Page size. */
  readonly limit: number;
  /** Only notifications of this type (index `byType`); otherwise all of them (index `byTime`). */
  readonly type?: string;
  /** Only notifications whose sort key (`<createdAt>#<id>`) is below this one: where the previous page stopped. */
  readonly before?: string;
  /** Clock of the TTL check (default: now). */
  readonly now?: Date;
}

export interface NotificationsPage {
  readonly items: Notification[];
  /** The sort key of the page's last entry, when there may be more items after it. */
  readonly nextBefore?: string;
}

interface IndexEntry {
  readonly id: string;
  readonly sortKey: string;
}

/**
 * Lists notifications newest first (never a Scan). The listing index is sharded: each of its
 * `indexShards` partitions is queried backwards for at most `limit` keys below `before` (KEYS_ONLY
 * entries, in parallel), the entries are merged by sort key, the newest `limit` are kept and their
 * full items read with one BatchGetItem. Read cost of a page: `indexShards` Query calls, at most
 * `indexShards × limit` index entries, and `limit` items.
 *
 * A page holds fewer than `limit` items only at the end, or when items between the index read and
 * the item read were deleted or are past their TTL (those are left out, never returned).
 */
export async function queryNotifications(table: NotificationsTable, input: QueryNotificationsInput): Promise<NotificationsPage> {
  const byType = input.type !== undefined;
  const shards = Array.from({ length: table.layout.indexShards }, (_, shard) => shard);
  const pages = await Promise.all(shards.map((shard) => table.client.send(new QueryCommand({
    TableName: table.tableName,
    IndexName: indexFor(input.type),
    KeyConditionExpression: input.before === undefined ? '#pk = :pk' : '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': byType ? ATTR.TYPE_SHARD : ATTR.FEED_SHARD, ...(input.before === undefined ? {} : { '#sk': ATTR.SORT_KEY }) },
    ExpressionAttributeValues: {
      ':pk': shardKey(byType ? input.type! : FEED_ALL, shard),
      ...(input.before === undefined ? {} : { ':before': input.before }),
    },
    ScanIndexForward: false,
    Limit: input.limit,
  }))));
  const entries: IndexEntry[] = pages.flatMap((page) => (page.Items ?? []).map((item) => ({
    id: item[ATTR.ID] as string,
    sortKey: item[ATTR.SORT_KEY] as string,
  })));
  // Newest first across shards; sort keys are unique (they end with the id).
  entries.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0));
  const page = entries.slice(0, input.limit);
  // More may follow when entries were left over, or when a shard stopped at its limit.
  const more = entries.length > input.limit || pages.some((p) => p.LastEvaluatedKey !== undefined);
  const items = page.length === 0
    ? new Map<string, Record<string, unknown>>()
    : await batchGetById(table.client, table.tableName, page.map((e) => e.id));
  const now = input.now ?? new Date();
  const notifications = page
    .map((entry) => items.get(entry.id))
    .filter((item): item is Record<string, unknown> => item !== undefined && !isExpired(item, now))
    .map(toNotification);
  return {
    items: notifications,
    ...(more && page.length > 0 ? { nextBefore: page[page.length - 1].sortKey } : {}),
  };
}
