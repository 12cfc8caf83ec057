import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from './errors';
import { indexFor, Notification, toNotification, toNotificationItem } from './notification-item';
import { ATTR, FEED_ALL } from '../contract/notifications-model';

/** The notifications table, as the handlers reach it. */
export interface NotificationsTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Creates the table handle of a function. Call it once, at module scope. */
export function createNotificationsTable(tableName: string): NotificationsTable {
  return {
    client: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName,
  };
}

/** `created`: the item was written; `exists`: an item with that id was already there (nothing written). */
export type PutNotificationResult = 'created' | 'exists';

/**
 * Writes a new notification, only if no item has its id (`attribute_not_exists(id)`).
 * Throttling and other service errors are thrown unchanged.
 */
export async function putNewNotification(table: NotificationsTable, notification: Notification): Promise<PutNotificationResult> {
  try {
    await table.client.send(new PutCommand({
      TableName: table.tableName,
      Item: toNotificationItem(notification),
      ConditionExpression: 'attribute_not_exists(#id)',
      ExpressionAttributeNames: { '#id': ATTR.ID },
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
 * has no type) is `undefined` too.
 */
export async function getNotification(table: NotificationsTable, id: string): Promise<Notification | undefined> {
  const result = await table.client.send(new GetCommand({
    TableName: table.tableName,
    Key: { [ATTR.ID]: id },
    ConsistentRead: true,
  }));
  return result.Item && typeof result.Item[ATTR.TYPE] === 'string' ? toNotification(result.Item) : undefined;
}

export interface QueryNotificationsInput {
  /** Page size. */
  readonly limit: number;
  /** Only notifications of this type (index `byType`); otherwise all of them (index `byTime`). */
  readonly type?: string;
  /** Where the previous page stopped (a validated `LastEvaluatedKey` of the same index). */
  readonly exclusiveStartKey?: Record<string, string>;
}

export interface NotificationsPage {
  readonly items: Notification[];
  /** Present when there may be more items. */
  readonly lastEvaluatedKey?: Record<string, unknown>;
}

/** Lists notifications newest first with a Query on an index (never a Scan). */
export async function queryNotifications(table: NotificationsTable, input: QueryNotificationsInput): Promise<NotificationsPage> {
  const byType = input.type !== undefined;
  const result = await table.client.send(new QueryCommand({
    TableName: table.tableName,
    IndexName: indexFor(input.type),
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': byType ? ATTR.TYPE : ATTR.FEED },
    ExpressionAttributeValues: { ':pk': byType ? input.type : FEED_ALL },
    ScanIndexForward: false,
    Limit: input.limit,
    ...(input.exclusiveStartKey ? { ExclusiveStartKey: input.exclusiveStartKey } : {}),
  }));
  return {
    items: (result.Items ?? []).map(toNotification),
    ...(result.LastEvaluatedKey ? { lastEvaluatedKey: result.LastEvaluatedKey } : {}),
  };
}
