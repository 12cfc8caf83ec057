import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ExportQuery } from './export-query';
import { ATTR, FEED_ALL, shardKey } from '../../contract/notifications-model';
import { batchGetById, MAX_BATCH_GET_KEYS } from '../../runtime/batch-get';
import { indexFor, isExpired, Notification, toNotification } from '../../runtime/notification-item';
import { NotificationsTable } from '../../runtime/notifications-table';

/** Index entries one Query call reads from one shard (KEYS_ONLY entries, about 100 bytes each). */
export const EXPORT_QUERY_PAGE = 200;

interface IndexEntry {
  readonly id: string;
  readonly sortKey: string;
}

/**
 * One shard of a listing index read backwards (newest first) between the export's bounds, one
 * Query page at a time: at most {@link EXPORT_QUERY_PAGE} entries are held per shard.
 */
class ShardCursor {
  private entries: IndexEntry[] = [];
  private position = 0;
  private startKey: Record<string, unknown> | undefined;
  private exhausted = false;

  constructor(
    private readonly table: NotificationsTable,
    private readonly query: ExportQuery,
    private readonly shard: number,
    private readonly pageSize: number,
  ) {}

  /** Whether the entries held are used up while the shard has more: call {@link fill} first. */
  public get needsPage(): boolean {
    return this.position >= this.entries.length && !this.exhausted;
  }

  /** Reads pages until an entry is held or the shard ends (a page can be empty yet not the last). */
  public async fill(): Promise<void> {
    while (this.needsPage) {
      await this.readPage();
    }
  }

  /** The newest entry not yet taken (after {@link fill}); undefined at the end of the shard. */
  public head(): IndexEntry | undefined {
    return this.entries[this.position];
  }

  public take(): void {
    this.position += 1;
  }

  private async readPage(): Promise<void> {
    const byType = this.query.type !== undefined;
    const { since, until } = this.query;
    // Sort keys are `<createdAt>#<id>`: `since` ≤ key includes that instant, key < `until` excludes it.
    const page = await this.table.client.send(new QueryCommand({
      TableName: this.table.tableName,
      IndexName: indexFor(this.query.type),
      KeyConditionExpression: since === undefined ? '#pk = :pk AND #sk < :until' : '#pk = :pk AND #sk BETWEEN :since AND :until',
      ExpressionAttributeNames: { '#pk': byType ? ATTR.TYPE_SHARD : ATTR.FEED_SHARD, '#sk': ATTR.SORT_KEY },
      ExpressionAttributeValues: {
        ':pk': shardKey(byType ? this.query.type! : FEED_ALL, this.shard),
        ':until': until,
        ...(since === undefined ? {} : { ':since': since }),
      },
      ScanIndexForward: false,
      Limit: this.pageSize,
      ExclusiveStartKey: this.startKey,
    }));
    this.entries = (page.Items ?? []).map((item) => ({ id: item[ATTR.ID] as string, sortKey: item[ATTR.SORT_KEY] as string }));
    this.position = 0;
    this.startKey = page.LastEvaluatedKey;
    this.exhausted = this.startKey === undefined;
  }
}

export interface ExportOptions {
  /** Entries read per Query call and shard (default {@link EXPORT_QUERY_PAGE}). */
  readonly pageSize?: number;
  /** Items read per BatchGetItem call (default and maximum 100). */
  readonly batchSize?: number;
  /** Clock of the TTL check (default: now, read at each batch). */
  readonly now?: () => Date;
}

/**
 * Every notification of the export's range, newest first, in batches of at most 100: a k-way merge
 * of the index's shards, each read backwards page by page (Query with `ExclusiveStartKey`, bounded by
 * `since`/`until` on the sort key), then one BatchGetItem per batch (unprocessed keys retried).
 * Items deleted since the index read, past their TTL, or not notifications are left out, as in
 * the listing. One batch is read ahead while the caller handles the previous one. Memory is
 * bounded by `shards × pageSize` index entries plus two batches, whatever the number of notifications.
 */
export async function* exportNotifications(
  table: NotificationsTable,
  query: ExportQuery,
  options: ExportOptions = {},
): AsyncGenerator<Notification[]> {
  const pageSize = options.pageSize ?? EXPORT_QUERY_PAGE;
  const batchSize = Math.min(options.batchSize ?? MAX_BATCH_GET_KEYS, MAX_BATCH_GET_KEYS);
  const now = options.now ?? (() => new Date());
  const cursors = Array.from({ length: table.layout.indexShards }, (_, shard) => new ShardCursor(table, query, shard, pageSize));
  // The first page of every shard, in parallel; later pages are read as each shard runs dry.
  await Promise.all(cursors.map((cursor) => cursor.fill()));
  let batch: IndexEntry[] = [];
  // One batch read ahead: its BatchGetItem runs while the caller writes the previous batch out.
  let ahead: Promise<Notification[]> | undefined;
  for (;;) {
    // The newest head across shards. Sort keys are unique (they end with the id), so ties of
    // `createdAt` across shards are ordered by id, exactly as within one shard.
    let best: ShardCursor | undefined;
    let bestEntry: IndexEntry | undefined;
    for (const cursor of cursors) {
      if (cursor.needsPage) await cursor.fill();
      const entry = cursor.head();
      if (entry !== undefined && (bestEntry === undefined || entry.sortKey > bestEntry.sortKey)) {
        best = cursor;
        bestEntry = entry;
      }
    }
    if (best === undefined || bestEntry === undefined) break;
    best.take();
    batch.push(bestEntry);
    if (batch.length === batchSize) {
      const read = readBatch(table, batch, now());
      // Settled later: keep an early rejection from being reported as unhandled meanwhile.
      read.catch(() => undefined);
      batch = [];
      if (ahead) yield await ahead;
      ahead = read;
    }
  }
  if (ahead) yield await ahead;
  if (batch.length > 0) {
    yield await readBatch(table, batch, now());
  }
}

async function readBatch(table: NotificationsTable, entries: readonly IndexEntry[], now: Date): Promise<Notification[]> {
  const items = await batchGetById(table.client, table.tableName, entries.map((e) => e.id));
  return entries
    .map((entry) => items.get(entry.id))
    .filter((item): item is Record<string, unknown> => item !== undefined && typeof item[ATTR.TYPE] === 'string' && !isExpired(item, now))
    .map(toNotification);
}
