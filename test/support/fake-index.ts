import { BatchGetCommand, BatchGetCommandInput, QueryCommand, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { DocumentClientStub } from './fake-table';

export interface FakeIndexStats {
  queries: number;
  batchGets: number;
  /** Largest Limit a Query asked for. */
  maxLimit: number;
}

/**
 * Makes the mocked QueryCommand and BatchGetCommand behave like DynamoDB over `items` (table items
 * as written by toNotificationItem): Query reads one partition of a keys-only index by its
 * partition attribute, honours `#sk < :until` and `#sk BETWEEN :since AND :until`, ScanIndexForward,
 * Limit and ExclusiveStartKey, and returns LastEvaluatedKey whenever a page is full (as DynamoDB
 * does, even when nothing follows). BatchGetItem returns the items found by id; `unprocessedOnce`
 * leaves the first call's last key unprocessed; ids in `deleted` are in the indexes but BatchGetItem
 * finds no item (deleted between the two reads).
 */
export function fakeIndexes(
  ddb: DocumentClientStub,
  itemsGiven: ReadonlyArray<object>,
  options: { unprocessedOnce?: boolean; deleted?: ReadonlySet<string> } = {},
): FakeIndexStats {
  const items = itemsGiven as ReadonlyArray<Record<string, unknown>>;
  const stats: FakeIndexStats = { queries: 0, batchGets: 0, maxLimit: 0 };
  const byId = new Map(items.map((item) => [item.id as string, item]));
  ddb.on(QueryCommand).callsFake(async (input: QueryCommandInput) => {
    stats.queries += 1;
    stats.maxLimit = Math.max(stats.maxLimit, input.Limit ?? 0);
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    const pkName = names['#pk'];
    const skName = names['#sk'];
    const expression = input.KeyConditionExpression ?? '';
    const inRange = (sk: string): boolean => {
      if (expression.endsWith('#sk < :until')) return sk < (values[':until'] as string);
      if (expression.endsWith('#sk BETWEEN :since AND :until')) return sk >= (values[':since'] as string) && sk <= (values[':until'] as string);
      throw new Error(`unexpected key condition ${expression}`);
    };
    let matches = items
      .filter((item) => item[pkName] === values[':pk'] && inRange(item[skName] as string))
      .sort((a, b) => ((a[skName] as string) < (b[skName] as string) ? -1 : 1));
    if (input.ScanIndexForward === false) matches.reverse();
    const start = input.ExclusiveStartKey?.[skName] as string | undefined;
    if (start !== undefined) {
      matches = matches.filter((item) => (input.ScanIndexForward === false ? (item[skName] as string) < start : (item[skName] as string) > start));
    }
    const page = matches.slice(0, input.Limit ?? matches.length);
    const keys = page.map((item) => ({ id: item.id, [pkName]: item[pkName], [skName]: item[skName] }));
    const last = keys[keys.length - 1];
    return { Items: keys, ...(input.Limit !== undefined && page.length === input.Limit ? { LastEvaluatedKey: last } : {}) };
  });
  ddb.on(BatchGetCommand).callsFake(async (input: BatchGetCommandInput) => {
    stats.batchGets += 1;
    const [table, request] = Object.entries(input.RequestItems ?? {})[0];
    const keys = request.Keys ?? [];
    const deferred = options.unprocessedOnce && stats.batchGets === 1 && keys.length > 1 ? keys.slice(-1) : [];
    const served = keys.slice(0, keys.length - deferred.length);
    return {
      Responses: {
        [table]: served
          .filter((key) => !options.deleted?.has(key.id as string))
          .map((key) => byId.get(key.id as string))
          .filter((item) => item !== undefined),
      },
      ...(deferred.length > 0 ? { UnprocessedKeys: { [table]: { Keys: deferred } } } : {}),
    };
  });
  return stats;
}
