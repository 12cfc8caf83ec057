import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { isNotFound, isOverwritten, RejectionError, SkippedObjectError } from './errors';
import type { Notification } from './notification-item';
import { getNotification } from './notifications-table';
import { SupersededError } from './object-read';
import { countMetric, flushMetrics } from './observability';
import type { OutcomePublisher } from './outcome-events';
import {
  isFailedType, markObjectVersionRecorded, ObjectOutcome, OutcomeStore, S3ObjectRef, objectNotificationId, outcomeNotification, recordOutcome,
} from './outcome-store';
import { decodeS3Key, encodeS3KeyForEvent, MalformedKeyError } from './s3-key';
import type { InvocationBudget, ObjectBudget } from './time-budget';
import { setOutcome, SPAN, traceObject, traceStage } from './tracing';
import { S3_METRICS } from '../contract/metric-names';
import { OutcomeNamespace, pipelineOutcome } from '../contract/notifications-model';


/** What a function's processor made of one object. */
export interface ProcessedObject {
  /** Notification type to record, e.g. `image.processed`. */
  readonly type: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/**
 * The per-function work on one object (the swappable part of a handler). Throw a
 * {@link RejectionError} for bad input; let S3 not-found errors and every other error propagate.
 * `budget`, when the invocation has one, is when the object's work must stop: work that goes past
 * it is the input's fault (a {@link RejectionError} naming the budget), never a timeout that is retried.
 */
export type ObjectProcessor = (object: S3ObjectRef, budget?: ObjectBudget) => Promise<ProcessedObject>;

export interface ProcessS3EventOptions {
  /**
   * The function's kind (`image`, `data`) or route name: rejections are recorded as `<kind>.rejected`,
   * vanished or skipped objects as `<kind>.skipped`.
   */
  readonly kind: OutcomeNamespace;
  /** The function's input prefix, e.g. `images/`. Keys outside it are skipped without a notification. */
  readonly inputPrefix: string;
  /** Output prefixes (e.g. `thumbnails/`, `reports/`): keys under them are always skipped, so outputs never re-trigger a function. */
  readonly outputPrefixes: readonly string[];
  /**
   * Key endings the function takes (e.g. `.pdf`): other keys under the input prefix are skipped
   * without a notification, as keys outside it are.
   *
   * @default - every key under the input prefix
   */
  readonly suffixes?: readonly string[];
  readonly processor: ObjectProcessor;
  readonly store: OutcomeStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /**
   * The bucket the function was deployed for: a record naming another bucket is refused (logged as
   * an error and failed, so that its event is retried and then dead-lettered), never processed.
   */
  readonly expectedBucket?: string;
  /**
   * Whether to look up an object version's notification before processing it (one GetItem), and
   * skip the object as a duplicate when it exists: for processors whose work is costly or writes
   * outputs (thumbnails), so that a duplicate delivery redoes nothing. Without it, duplicates are
   * still caught by the conditional write, after processing. Needs `dynamodb:GetItem`.
   *
   * @default false
   */
  readonly skipRecordedObjects?: boolean;
  /**
   * Publishes every outcome recorded — and, on a duplicate delivery, the outcome recorded before,
   * so that a retry after a failed publication publishes it (at least once). A failed publication
   * fails the record (retried).
   *
   * @default - no outcome events
   */
  readonly publisher?: OutcomePublisher;
  /**
   * The invocation's time, shared among its objects: each object's processor is given its share.
   *
   * @default - no deadline (the function's timeout)
   */
  readonly budget?: InvocationBudget;
}

/**
 * What happened to one record: the recorded notification type (e.g. `image.processed`,
 * `image.rejected`, `image.skipped`), `skipped` (not an input object: nothing recorded),
 * `duplicate` (already recorded by an earlier delivery) or `failed` (transient error: retried).
 */
export interface S3RecordSummary {
  readonly bucket: string;
  /** The decoded key, or the raw key when it could not be decoded. */
  readonly key: string;
  readonly outcome: string;
  /** The notification type recorded, or attempted for a duplicate. */
  readonly type?: string;
  readonly notificationId?: string;
  /** Why a record was skipped, rejected (`<kind>.rejected`), skipped as gone (`<kind>.skipped`) or failed. */
  readonly reason?: string;
}

export interface S3EventSummary {
  readonly records: S3RecordSummary[];
}

/**
 * Thrown at the end of an event when some records failed with a possibly transient error,
 * after every other record was processed: Lambda retries the whole event, then sends it to the
 * dead-letter queue. Records already recorded come back as harmless duplicates.
 */
export class S3EventProcessingError extends Error {
  public readonly summary: S3EventSummary;
  public readonly failures: readonly unknown[];

  constructor(summary: S3EventSummary, failures: readonly unknown[]) {
    const failedRecords = summary.records.filter((r) => r.outcome === 'failed');
    const failed = failedRecords.map((r) => r.key);
    // The first reason too: the dead-letter queue's error message attribute and the invocation's error show it.
    const first = failedRecords[0]?.reason;
    super(`${failed.length} of ${summary.records.length} S3 records failed and will be retried: ${JSON.stringify(failed)}`
      + (first ? `; the first: ${first.slice(0, 512)}` : ''), {
      cause: failures[0],
    });
    this.name = 'S3EventProcessingError';
    this.summary = summary;
    this.failures = failures;
  }
}

/** The name of one of the S3 functions' Count metrics (S3_METRICS). */
export type S3MetricName = (typeof S3_METRICS)[keyof typeof S3_METRICS];

/** Adds one to a Count metric of the current invocation. */
export type CountMetric = (name: S3MetricName) => void;

/** The Count metrics of one invocation, added up in memory and published once by `flush`. */
export interface InvocationCounts {
  readonly count: CountMetric;
  /** Publishes the counts and flushes the stored metrics (call it once, in a `finally`). */
  readonly flush: () => void;
}

/** Starts the Count metrics of one invocation. */
export function startInvocationCounts(metrics: Metrics): InvocationCounts {
  const counts = new Map<S3MetricName, number>();
  return {
    count: (name) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    },
    flush: () => {
      for (const [name, value] of counts) {
        countMetric(metrics, name, value);
      }
      flushMetrics(metrics);
    },
  };
}

/** A record names a bucket other than the function's: it is refused, never processed. */
export class ForeignBucketError extends Error {
  constructor(bucket: string, expectedBucket: string) {
    super(`The record names bucket ${JSON.stringify(bucket)}, not ${JSON.stringify(expectedBucket)}, the bucket this function was deployed for: `
      + 'refused, nothing read or recorded (a misrouted notification or a forged record)');
    this.name = 'ForeignBucketError';
  }
}

/**
 * Processes EVERY record of an S3 event (the outcome rule in docs/architecture.md):
 *
 * 1. a record naming a bucket other than `expectedBucket` is refused (a failure, see 4: nothing is
 *    read or recorded); the key is URL-decoded; a malformed key is recorded as `<kind>.rejected`
 *    (raw key, no throw);
 * 2. keys outside the input prefix, or under an output prefix, are skipped with a log line and
 *    no notification (no recursion through the functions' own outputs);
 * 3. the processor's outcome is recorded; an object deleted before processing is recorded as
 *    `<kind>.skipped`, a {@link RejectionError} as `<kind>.rejected`;
 * 4. any other error is collected and the remaining records are still processed; at the end one
 *    {@link S3EventProcessingError} is thrown so that Lambda retries the event.
 *
 * Every outcome is written at most once per object version and configuration fingerprint
 * (deterministic id, conditional write), so retries and duplicate deliveries are harmless. Metrics are flushed before returning or throwing.
 */
export async function processS3Event(event: S3Event, options: ProcessS3EventOptions): Promise<S3EventSummary> {
  const { logger, metrics } = options;
  const records: S3RecordSummary[] = [];
  const failures: unknown[] = [];
  const { count, flush } = startInvocationCounts(metrics);

  try {
    const eventRecords: readonly S3EventRecord[] = Array.isArray(event?.Records) ? event.Records : [];
    if (eventRecords.length === 0) {
      // e.g. the s3:TestEvent S3 sends when a notification configuration is created.
      logger.info('Event has no S3 records; nothing to do', { event });
    }
    for (const record of eventRecords) {
      count(S3_METRICS.RECEIVED);
      const bucket = record?.s3?.bucket?.name ?? '';
      const rawKey = record?.s3?.object?.key ?? '';
      try {
        const summary = await processRecord(record, options, count);
        records.push(summary);
      } catch (err) {
        count(S3_METRICS.FAILED);
        failures.push(err);
        records.push({ bucket, key: safeDecode(rawKey), outcome: 'failed', reason: describeError(err) });
        logger.error('Record failed with a possibly transient error; the event will be retried', {
          bucket, rawKey, error: err as Error,
        });
      }
    }
    const summary: S3EventSummary = { records };
    logger.info('S3 event processed', { summary });
    if (failures.length > 0) {
      throw new S3EventProcessingError(summary, failures);
    }
    return summary;
  } finally {
    flush();
  }
}

async function processRecord(
  record: S3EventRecord,
  options: ProcessS3EventOptions,
  count: CountMetric,
): Promise<S3RecordSummary> {
  const { logger } = options;
  const s3Object = record?.s3?.object;
  const bucket = record?.s3?.bucket?.name;
  if (!bucket || !s3Object || typeof s3Object.key !== 'string') {
    count(S3_METRICS.IGNORED);
    logger.warn('Skipping a record that names no S3 object', { record });
    return { bucket: bucket ?? '', key: '', outcome: 'skipped', reason: 'not an S3 object record' };
  }
  const rawKey = s3Object.key;
  const ref = (key: string): S3ObjectRef => ({
    bucket,
    key,
    size: s3Object.size,
    versionId: s3Object.versionId || undefined,
    eTag: s3Object.eTag || undefined,
    sequencer: s3Object.sequencer || undefined,
  });
  const skip = (key: string, reason: string): S3RecordSummary => {
    count(S3_METRICS.IGNORED);
    logger.info('Skipping record: not an input object of this function', { bucket, key, reason, eventName: record.eventName });
    return { bucket, key, outcome: 'skipped', reason };
  };

  if (typeof record.eventName !== 'string' || !record.eventName.startsWith('ObjectCreated:')) {
    return skip(rawKey, `event ${String(record.eventName)} is not an ObjectCreated event`);
  }
  if (options.expectedBucket !== undefined && bucket !== options.expectedBucket) {
    // Not an upload of this pipeline: nothing is read or recorded. The record fails (retried, then
    // dead-lettered with its event), so that a misrouted notification or a forged record is seen.
    logger.error('Record refused: it names a bucket other than the one this function was deployed for; nothing is read or recorded', {
      bucket, expectedBucket: options.expectedBucket, rawKey,
    });
    throw new ForeignBucketError(bucket, options.expectedBucket);
  }

  const check = checkObjectKey(rawKey, options);
  if (check.kind === 'skip') {
    return skip(check.key, check.reason);
  }
  if (check.kind === 'malformed') {
    return rejectMalformedKey(ref(rawKey), check.error, options, count);
  }
  return processObject(ref(check.key), options, count);
}

/**
 * What an event key names for a function: `input` (an object to process, with its decoded key),
 * `skip` (not an input object: under an output prefix, outside the input prefix, or a folder
 * placeholder; nothing is recorded) or `malformed` (not valid URL encoding, under the input
 * prefix: recorded as a rejection, see {@link rejectMalformedKey}).
 */
export type ObjectKeyCheck =
  | { readonly kind: 'input'; readonly key: string }
  | { readonly kind: 'skip'; readonly key: string; readonly skip: KeySkipKind; readonly reason: string }
  | { readonly kind: 'malformed'; readonly key: string; readonly error: MalformedKeyError };

/** Why a key is not an input object of a function. */
export type KeySkipKind = 'output-prefix' | 'outside-input-prefix' | 'folder-placeholder' | 'suffix';

/**
 * Decodes a key as S3 event notifications (and S3 Batch Operations) encode it, and checks it
 * against the function's prefixes: keys under an output prefix are skipped first (so that
 * outputs never re-trigger a function), then keys outside the input prefix and folder
 * placeholders. A key that cannot be decoded is compared with the prefixes in its raw form.
 */
export function checkObjectKey(rawKey: string, options: Pick<ProcessS3EventOptions, 'inputPrefix' | 'outputPrefixes' | 'suffixes'>): ObjectKeyCheck {
  let key: string;
  try {
    key = decodeS3Key(rawKey);
  } catch (err) {
    if (!(err instanceof MalformedKeyError)) {
      throw err;
    }
    const outputPrefix = options.outputPrefixes.find((p) => startsWithPrefix(rawKey, p));
    if (outputPrefix !== undefined) {
      return outputPrefixSkip(rawKey, outputPrefix);
    }
    if (!startsWithPrefix(rawKey, options.inputPrefix)) {
      return outsideInputPrefixSkip(rawKey, options.inputPrefix);
    }
    return { kind: 'malformed', key: rawKey, error: err };
  }
  const outputPrefix = options.outputPrefixes.find((p) => key.startsWith(p));
  if (outputPrefix !== undefined) {
    return outputPrefixSkip(key, outputPrefix);
  }
  if (!key.startsWith(options.inputPrefix)) {
    return outsideInputPrefixSkip(key, options.inputPrefix);
  }
  if (key.endsWith('/')) {
    return { kind: 'skip', key, skip: 'folder-placeholder', reason: 'key is a folder placeholder' };
  }
  if (options.suffixes !== undefined && options.suffixes.length > 0 && !options.suffixes.some((suffix) => key.endsWith(suffix))) {
    return { kind: 'skip', key, skip: 'suffix', reason: `key does not end with ${options.suffixes.map((s) => JSON.stringify(s)).join(' or ')}` };
  }
  return { kind: 'input', key };
}

function outputPrefixSkip(key: string, prefix: string): ObjectKeyCheck {
  return { kind: 'skip', key, skip: 'output-prefix', reason: `key is under the output prefix ${prefix}` };
}

function outsideInputPrefixSkip(key: string, prefix: string): ObjectKeyCheck {
  return { kind: 'skip', key, skip: 'outside-input-prefix', reason: `key is not under the input prefix ${prefix}` };
}

/** Records an object whose key is not valid URL encoding as `<kind>.rejected` (the object names the raw key). */
export async function rejectMalformedKey(
  object: S3ObjectRef,
  error: MalformedKeyError,
  options: ProcessS3EventOptions,
  count: CountMetric,
): Promise<S3RecordSummary> {
  return recordAndSummarize(options, count, {
    type: pipelineOutcome(options.kind, 'rejected'),
    message: `Rejected s3://${object.bucket}/${object.key}: ${error.message}`,
    object,
    details: { reason: error.message },
  }, S3_METRICS.REJECTED);
}

/**
 * The per-object part of {@link processS3Event}, for an input object (see {@link checkObjectKey}):
 * skips a version already recorded under this configuration (`skipRecordedObjects`), runs the
 * processor and records its outcome, or `<kind>.skipped` when the object no longer exists, or
 * `<kind>.rejected` for a {@link RejectionError}. Any other error (throttling, S3 and DynamoDB
 * faults, timeouts, bugs) is thrown: the caller decides how it is retried.
 */
export async function processObject(object: S3ObjectRef, options: ProcessS3EventOptions, count: CountMetric): Promise<S3RecordSummary> {
  // With tracing, one `### object` span per object, with its bucket, the hash of its key and its outcome.
  return traceObject(object.bucket, object.key, async () => {
    const summary = await processObjectUntraced(object, options, count);
    setOutcome(summary.outcome, summary.type);
    return summary;
  });
}

async function processObjectUntraced(object: S3ObjectRef, options: ProcessS3EventOptions, count: CountMetric): Promise<S3RecordSummary> {
  const { logger, kind } = options;
  const { bucket, key } = object;
  let superseded: Notification | undefined;
  if (options.skipRecordedObjects) {
    const notificationId = objectNotificationId(object, options.store.fingerprint);
    const found = await traceStage(SPAN.CHECK_RECORDED, () => getNotification(options.store.table, notificationId));
    // A failed outcome (the event failed every attempt, then was redriven or reprocessed) is no outcome: processed again, and superseded.
    superseded = found !== undefined && isFailedType(found.type) ? found : undefined;
    const existing = superseded === undefined ? found : undefined;
    if (existing !== undefined) {
      await markObjectVersionRecorded(options.store, object);
      await options.publisher?.publish(existing);
      count(S3_METRICS.DUPLICATES);
      logger.info('Duplicate delivery: this object version already has a notification under this configuration; not processed again', {
        bucket, key, notificationId, type: existing.type,
      });
      return { bucket, key, outcome: 'duplicate', type: existing.type, notificationId };
    }
  }
  let processed: ProcessedObject;
  try {
    processed = await options.processor(object, options.budget?.nextObject());
  } catch (err) {
    if (err instanceof SupersededError || err instanceof SkippedObjectError) {
      return recordAndSummarize(options, count, {
        type: pipelineOutcome(kind, 'skipped'),
        message: `Skipped s3://${bucket}/${key}: ${err.message}`,
        object,
        details: {
          reason: err.message,
          ...(err instanceof SupersededError && err.current ? { current: err.current } : {}),
          ...(err instanceof SkippedObjectError ? err.details : {}),
        },
      }, S3_METRICS.SKIPPED);
    }
    if (isNotFound(err) || isOverwritten(err)) {
      const reason = isOverwritten(err)
        ? 'The object was overwritten before it could be processed (unversioned bucket): its content is no longer the one this event announced; the new write has its own event'
        : 'The object no longer exists: it was deleted (or overwritten in an unversioned bucket) before it could be processed';
      return recordAndSummarize(options, count, {
        type: pipelineOutcome(kind, 'skipped'),
        message: `Skipped s3://${bucket}/${key}: ${reason}`,
        object,
        details: { reason },
      }, S3_METRICS.SKIPPED);
    }
    if (err instanceof RejectionError) {
      return recordAndSummarize(options, count, {
        type: pipelineOutcome(kind, 'rejected'),
        message: `Rejected s3://${bucket}/${key}: ${err.message}`,
        object,
        details: { reason: err.message, ...err.details },
      }, S3_METRICS.REJECTED);
    }
    throw err;
  }
  const supersedes = superseded !== undefined
    ? { supersedes: { type: superseded.type, createdAt: superseded.createdAt, message: superseded.message } }
    : {};
  return recordAndSummarize(options, count, { ...processed, object, details: { ...processed.details, ...supersedes } }, S3_METRICS.PROCESSED);
}

async function recordAndSummarize(
  options: ProcessS3EventOptions,
  count: CountMetric,
  outcome: ObjectOutcome,
  counter: S3MetricName,
): Promise<S3RecordSummary> {
  const { bucket, key } = outcome.object;
  // One creation time for the record and its event.
  const timed: ObjectOutcome = { ...outcome, createdAt: outcome.createdAt ?? new Date() };
  const notificationId = objectNotificationId(outcome.object, options.store.fingerprint);
  const result = await traceStage(SPAN.RECORD_OUTCOME, async () => {
    const recorded = await recordOutcome(options.store, timed);
    if (options.publisher) {
      // A duplicate publishes the notification recorded before (its own time and details).
      const published = recorded === 'duplicate' ? await getNotification(options.store.table, notificationId) : outcomeNotification(options.store, timed);
      if (published) await options.publisher.publish(published);
    }
    return recorded;
  });
  if (result === 'duplicate') {
    count(S3_METRICS.DUPLICATES);
    return { bucket, key, outcome: 'duplicate', type: outcome.type, notificationId };
  }
  count(counter);
  options.logger.info('Outcome recorded', { bucket, key, type: outcome.type, notificationId });
  const reason = counter === S3_METRICS.PROCESSED ? undefined : outcome.details?.reason;
  return { bucket, key, outcome: outcome.type, type: outcome.type, notificationId, ...(typeof reason === 'string' ? { reason } : {}) };
}

/** Whether a raw (still encoded) event key lies under a prefix, in its plain or encoded form. */
function startsWithPrefix(rawKey: string, prefix: string): boolean {
  return rawKey.startsWith(prefix) || rawKey.startsWith(encodeS3KeyForEvent(prefix));
}

function safeDecode(rawKey: string): string {
  try {
    return decodeS3Key(rawKey);
  } catch {
    return rawKey;
  }
}

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
