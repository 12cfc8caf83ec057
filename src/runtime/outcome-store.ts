import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { boundDetails, boundText, MAX_MESSAGE_CHARS, MAX_NOTIFICATION_BYTES } from './bounded';
import { expiresAtOf, Notification } from './notification-item';
import { NotificationsTable, putNewNotification } from './notifications-table';
import { ATTR, OBJECT_VERSION_ATTR } from '../contract/notifications-model';

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
 * The identity of an object version, as both an S3 event and a bucket listing name it: its
 * `versionId` (versioned bucket; `null` is the id S3 gives objects written while versioning was
 * off, so it names nothing), else its `eTag` (without the quotes listings put around it).
 * The event's `sequencer` is left out on purpose: a listing does not carry it, and `reconcile`
 * must find an object's outcome from a listing alone.
 */
export function objectVersionIdentity(object: Pick<S3ObjectRef, 'versionId' | 'eTag'>): [kind: 'versionId' | 'eTag', value: string] {
  if (object.versionId && object.versionId !== 'null') {
    return ['versionId', object.versionId];
  }
  return ['eTag', (object.eTag ?? '').replace(/"/g, '')];
}

/**
 * The deterministic notification id of an object version processed under one configuration:
 * `obj-` + sha256 (hex) of the bucket, the key, the version's identity
 * ({@link objectVersionIdentity}) and the function's configuration fingerprint (the
 * `TAP_CONFIG_FINGERPRINT` the construct computes from the settings that shape the output).
 * Every delivery of the same object version under the same configuration gives the same id, so
 * it is recorded once; after a configuration change the same version gets a new id, so it can be
 * processed again and recorded beside its earlier outcome.
 */
export function objectNotificationId(object: Pick<S3ObjectRef, 'bucket' | 'key' | 'versionId' | 'eTag'>, fingerprint: string): string {
  // JSON array: unambiguous field boundaries whatever the key contains.
  return `obj-${sha256([object.bucket, object.key, ...objectVersionIdentity(object), fingerprint])}`;
}

/**
 * The id of an object version's index item: `ver-` + sha256 (hex) of the bucket, the key and the
 * version's identity. The item lists (string set `fingerprints`) every configuration the version
 * has an outcome under, so that `reconcile` can tell an object recorded only under an older
 * configuration from one never recorded. It is not a notification: it has no type and no shard keys, so
 * neither the listing indexes nor `GET /notifications/{id}` ever return it.
 */
export function objectVersionItemId(object: Pick<S3ObjectRef, 'bucket' | 'key' | 'versionId' | 'eTag'>): string {
  return `ver-${sha256([object.bucket, object.key, ...objectVersionIdentity(object)])}`;
}

function sha256(fields: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
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
  /** The configuration fingerprint of the function recording (part of every outcome's id). */
  readonly fingerprint: string;
  readonly logger?: Logger;
}

/**
 * The notification an outcome is recorded as: its deterministic id, the object's details and the
 * store's fingerprint. Pass an outcome with `createdAt` set to get the same notification twice.
 */
export function outcomeNotification(store: Pick<OutcomeStore, 'fingerprint'>, outcome: ObjectOutcome): Notification {
  const { object } = outcome;
  const identity = withoutUndefined({
    bucket: object.bucket,
    key: object.key,
    size: object.size,
    versionId: object.versionId,
    eTag: object.eTag,
    sequencer: object.sequencer,
  });
  const details = boundDetails(withoutUndefined({
    bucket: object.bucket,
    key: object.key,
    size: object.size,
    versionId: object.versionId,
    eTag: object.eTag,
    sequencer: object.sequencer,
    ...outcome.details,
    fingerprint: store.fingerprint,
  })) as Record<string, unknown>;
  const notification: Notification = {
    id: objectNotificationId(object, store.fingerprint),
    type: outcome.type,
    createdAt: (outcome.createdAt ?? new Date()).toISOString(),
    message: boundText(outcome.message, MAX_MESSAGE_CHARS),
    source: `s3://${object.bucket}/${object.key}`,
    details,
  };
  const bytes = Buffer.byteLength(JSON.stringify(notification), 'utf8');
  if (bytes <= MAX_NOTIFICATION_BYTES) return notification;
  // Many bounded fields can still add up: keep the object's identity and say what was left out.
  return { ...notification, details: { ...identity, fingerprint: store.fingerprint, detailsOmitted: { bytes, maxBytes: MAX_NOTIFICATION_BYTES } } };
}

/** The failed outcome of the namespace `type` is in: `image.processed` → `image.failed`. */
export function failedTypeOf(type: string): string {
  return `${type.split('.', 1)[0]}.failed`;
}

/** Whether `type` is a failed outcome (`<kind>.failed`): recorded when an event failed every attempt, superseded by the real outcome. */
export function isFailedType(type: string): boolean {
  return type === failedTypeOf(type);
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
  const notification = outcomeNotification(store, outcome);
  const id = notification.id;
  // A real outcome supersedes the failed one (`<kind>.failed`) that an event recorded when it failed every attempt.
  const result = await putNewNotification(store.table, notification, isFailedType(outcome.type) ? undefined : failedTypeOf(outcome.type));
  if (result === 'exists') {
    store.logger?.info('Duplicate delivery: this object version already has a notification under this configuration; nothing written', {
      notificationId: id, type: outcome.type, bucket: object.bucket, key: object.key,
    });
  }
  // After the outcome, and on a duplicate too: a crash between the two writes is healed by the
  // retry or the next delivery.
  await markObjectVersionRecorded(store, object);
  return result === 'exists' ? 'duplicate' : 'recorded';
}

/**
 * Adds the store's fingerprint to the object version's index item (one UpdateItem, idempotent:
 * `ADD` to a string set). With a retention, the item's TTL moves to the retention from now, so it
 * outlives the outcome just recorded. Throttling and other service errors are thrown unchanged.
 */
export async function markObjectVersionRecorded(store: OutcomeStore, object: S3ObjectRef, now: Date = new Date()): Promise<void> {
  const expiresAt = expiresAtOf(now, store.table.layout);
  await store.table.client.send(new UpdateCommand({
    TableName: store.table.tableName,
    Key: { [ATTR.ID]: objectVersionItemId(object) },
    UpdateExpression: expiresAt === undefined ? 'ADD #fingerprints :fingerprint' : 'ADD #fingerprints :fingerprint SET #expiresAt = :expiresAt',
    ExpressionAttributeNames: { '#fingerprints': OBJECT_VERSION_ATTR.FINGERPRINTS, ...(expiresAt === undefined ? {} : { '#expiresAt': ATTR.EXPIRES_AT }) },
    ExpressionAttributeValues: { ':fingerprint': new Set([store.fingerprint]), ...(expiresAt === undefined ? {} : { ':expiresAt': expiresAt }) },
  }));
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
