import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ListedObject } from './objects';
import { ATTR, OBJECT_VERSION_ATTR } from '../contract/notifications-model';
import { batchGetById } from '../runtime/batch-get';
import { isExpired } from '../runtime/notification-item';
import { objectNotificationId, objectVersionItemId } from '../runtime/outcome-store';

/**
 * Whether objects have an outcome under a function's current configuration, read from the
 * notifications table by key (BatchGetItem, never a Scan): per object, its outcome id under the
 * current fingerprint and its version index item (which lists every fingerprint it was recorded
 * under).
 */

/** `current`: an outcome under the current configuration; `older-configuration`: only under earlier ones; `missing`: none. */
export type OutcomeStatus = 'current' | 'older-configuration' | 'missing';

export interface ClassifiedObject {
  readonly object: ListedObject;
  readonly status: OutcomeStatus;
  /** The current outcome's type, e.g. `image.processed`. */
  readonly type?: string;
  /** The fingerprints it was recorded under, when it is `older-configuration`. */
  readonly olderFingerprints?: string[];
}

/** BatchGetItem reads at most 100 keys: two per object. */
export const OBJECTS_PER_BATCH = 50;

/** A bucket's and table's objects, checked under one function's configuration fingerprint. */
export interface ClassifyTarget {
  readonly table: string;
  readonly bucket: string;
  readonly fingerprint: string;
  /** Clock of the TTL check (default: now). */
  readonly now?: Date;
}

/** Classifies up to {@link OBJECTS_PER_BATCH} objects (one BatchGetItem, plus retries of unprocessed keys). */
export async function classifyObjects(
  ddb: DynamoDBDocumentClient,
  target: ClassifyTarget,
  objects: readonly ListedObject[],
): Promise<ClassifiedObject[]> {
  if (objects.length > OBJECTS_PER_BATCH) throw new Error(`at most ${OBJECTS_PER_BATCH} objects per batch`);
  if (objects.length === 0) return [];
  const ids = objects.map((o) => {
    const ref = { bucket: target.bucket, key: o.key, versionId: o.versionId, eTag: o.eTag };
    return { outcome: objectNotificationId(ref, target.fingerprint), version: objectVersionItemId(ref) };
  });
  const items = await batchGetById(ddb, target.table, ids.flatMap((i) => [i.outcome, i.version]), {
    attributes: [ATTR.ID, ATTR.TYPE, ATTR.EXPIRES_AT, OBJECT_VERSION_ATTR.FINGERPRINTS],
  });
  const now = target.now ?? new Date();
  // An item past its TTL counts as absent: DynamoDB deletes it within days, and then it is.
  const live = (id: string) => {
    const item = items.get(id);
    return item && !isExpired(item, now) ? item : undefined;
  };
  return objects.map((object, i) => {
    const outcome = live(ids[i].outcome);
    if (outcome && typeof outcome[ATTR.TYPE] === 'string') {
      return { object, status: 'current', type: outcome[ATTR.TYPE] as string };
    }
    const recorded = live(ids[i].version)?.[OBJECT_VERSION_ATTR.FINGERPRINTS];
    const fingerprints = recorded instanceof Set ? [...recorded as Set<string>].filter((f) => f !== target.fingerprint) : [];
    if (fingerprints.length > 0) return { object, status: 'older-configuration', olderFingerprints: fingerprints.sort() };
    return { object, status: 'missing' };
  });
}

/** Whether a listed key is one the function processes: not under an output prefix, not a folder placeholder. */
export function isInputObject(key: string, outputPrefixes: readonly string[]): boolean {
  return !key.endsWith('/') && !outputPrefixes.some((p) => key.startsWith(p));
}
