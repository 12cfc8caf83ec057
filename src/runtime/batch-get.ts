import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ATTR } from '../contract/notifications-model';

/** BatchGetItem reads at most 100 keys per call. */
export const MAX_BATCH_GET_KEYS = 100;

/** Attempts of a batch whose keys DynamoDB keeps leaving unprocessed, before giving up. */
const MAX_ATTEMPTS = 9;

/** DynamoDB left keys unprocessed (throttling) through every attempt. */
export class UnprocessedKeysError extends Error {
  constructor(table: string, left: number, attempts: number) {
    super(`DynamoDB left ${left} keys of ${table} unprocessed after ${attempts} attempts`);
    this.name = 'UnprocessedKeysError';
  }
}

export interface BatchGetOptions {
  /** Attributes to read (all of them when absent). */
  readonly attributes?: readonly string[];
  /** Pause before retry `attempt` (1, 2, …), in ms: 50·2^attempt up to 5 s by default. */
  readonly backoffMs?: (attempt: number) => number;
}

/**
 * Reads items by id (BatchGetItem, at most {@link MAX_BATCH_GET_KEYS} ids, eventually consistent);
 * keys DynamoDB leaves unprocessed are retried with exponential back-off. Ids with no item are
 * absent from the result.
 *
 * @throws UnprocessedKeysError when keys are still unprocessed after every attempt
 */
export async function batchGetById(
  client: DynamoDBDocumentClient,
  table: string,
  ids: readonly string[],
  options: BatchGetOptions = {},
): Promise<Map<string, Record<string, unknown>>> {
  if (ids.length > MAX_BATCH_GET_KEYS) throw new Error(`at most ${MAX_BATCH_GET_KEYS} ids per BatchGetItem, got ${ids.length}`);
  const backoff = options.backoffMs ?? ((attempt: number) => Math.min(5000, 50 * 2 ** attempt));
  const names = options.attributes?.map((name, i) => [`#a${i}`, name] as const);
  const projection = names ? {
    ProjectionExpression: names.map(([alias]) => alias).join(', '),
    ExpressionAttributeNames: Object.fromEntries(names),
  } : {};
  const found = new Map<string, Record<string, unknown>>();
  let keys: Record<string, unknown>[] = [...new Set(ids)].map((id) => ({ [ATTR.ID]: id }));
  for (let attempt = 0; keys.length > 0; attempt++) {
    if (attempt > 0) {
      if (attempt >= MAX_ATTEMPTS) throw new UnprocessedKeysError(table, keys.length, attempt);
      await sleep(backoff(attempt));
    }
    const result = await client.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ...projection } } }));
    for (const item of result.Responses?.[table] ?? []) found.set(item[ATTR.ID] as string, item);
    keys = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
  }
  return found;
}
