import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { NotificationsTable, putNewNotification } from './notifications-table';

/** One S3 object version, as named by an event record. */
export interface S3ObjectRef {
  readonly bucket: string;
  /** The decoded key (or the raw key when it could not be decoded). */
  readonly key: string;
  readonly size?: number;
  readonly versionId?: string;
  readonly eTag?: string;
  readonly sequencer?: string;
}

/**
 * The deterministic notification id of an object version: `obj-` + sha256 (hex) of the bucket,
 * the key and the version's identity: its `versionId` (versioned bucket), else the event's
 * `sequencer` (unique per write of a key), else its `eTag`. Every delivery of the same event
 * gives the same id.
 */
export function objectNotificationId(object: Pick<S3ObjectRef, 'bucket' | 'key' | 'versionId' | 'eTag' | 'sequencer'>): string {
  const identity: [string, string] = object.versionId
    ? ['versionId', object.versionId]
    : object.sequencer
      ? ['sequencer', object.sequencer]
      : ['eTag', object.eTag ?? ''];
  // JSON array: unambiguous field boundaries whatever the key contains.
  const material = JSON.stringify([object.bucket, object.key, ...identity]);
  return `obj-${createHash('sha256').update(material, 'utf8').digest('hex')}`;
}

/** The outcome of processing one object. */
export interface ObjectOutcome {
  /** Notification type, e.g. `image.processed`, `data.rejected`. */
  readonly type: string;
  /** Human-readable summary. */
  readonly message: string;
  readonly object: S3ObjectRef;
  /** Outcome-specific details, merged over the object's key, size, versionId, eTag and bucket. */
  readonly details?: Record<string, unknown>;
  /** Defaults to now. */
  readonly createdAt?: Date;
}

export interface OutcomeStore {
  readonly table: NotificationsTable;
  readonly logger?: Logger;
}

/** `recorded`: the notification was written; `duplicate`: this object version already has one. */
export type RecordOutcomeResult = 'recorded' | 'duplicate';

/**
 * Records the outcome of one object version as a notification, at most once.
 *
 * Why a deterministic id and a conditional write rather than Powertools idempotency: S3 may
 * deliver an event more than once, and Lambda retries a failed event. The id is derived from
 * the object version, and the write only succeeds if no item has that id yet, so a duplicate
 * delivery costs one rejected write and never produces a second notification. This needs no
 * extra idempotency table, no lock item with its expiry, and exactly one write per object.
 */
export async function recordOutcome(store: OutcomeStore, outcome: ObjectOutcome): Promise<RecordOutcomeResult> {
  const { object } = outcome;
  const id = objectNotificationId(object);
  const details = withoutUndefined({
    bucket: object.bucket,
    key: object.key,
    size: object.size,
    versionId: object.versionId,
    eTag: object.eTag,
    sequencer: object.sequencer,
    ...outcome.details,
  });
  const result = await putNewNotification(store.table, {
    id,
    type: outcome.type,
    createdAt: (outcome.createdAt ?? new Date()).toISOString(),
    message: outcome.message,
    source: `s3://${object.bucket}/${object.key}`,
    details,
  });
  if (result === 'exists') {
    store.logger?.info('Duplicate delivery: this object version already has a notification; nothing written', {
      notificationId: id, type: outcome.type, bucket: object.bucket, key: object.key,
    });
    return 'duplicate';
  }
  return 'recorded';
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
