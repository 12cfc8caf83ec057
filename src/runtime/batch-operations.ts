import { HeadObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { errorName, isNotFound } from './errors';
import { headObjectExact } from './object-read';
import type { S3ObjectRef } from './outcome-store';
import {
  checkObjectKey,
  CountMetric,
  processObject,
  ProcessS3EventOptions,
  rejectMalformedKey,
  S3RecordSummary,
  startInvocationCounts,
} from './s3-event';
import { S3_METRICS } from '../contract/metric-names';
import { pipelineOutcome } from '../contract/notifications-model';

/*
 * S3 Batch Operations "Invoke AWS Lambda function" (LambdaInvoke), so that a job can run the S3
 * functions over every object of an S3 Inventory manifest (a backfill). Request and response
 * schemas: https://docs.aws.amazon.com/AmazonS3/latest/userguide/batch-ops-invoke-lambda.html
 */

/** The invocation schema versions this adapter understands (the job's `InvocationSchemaVersion`). */
export const BATCH_OPERATIONS_SCHEMA_VERSIONS: readonly string[] = ['1.0', '2.0'];

/**
 * Longest `resultString` returned: S3 Batch Operations copies it into the completion report (CSV
 * column `ResultMessage`). No limit is documented; reasons are cut to 1,024 characters so that
 * one task never bloats the report.
 */
export const MAX_RESULT_STRING_LENGTH = 1024;

/** One object of a Batch Operations invocation. */
export interface BatchOperationsTask {
  readonly taskId: string;
  /** The object key, URL-encoded (as in the manifest). */
  readonly s3Key: string;
  /** The object version of the manifest line; `null` when the manifest names none. */
  readonly s3VersionId?: string | null;
  /** Schema 1.0: the bucket's ARN, e.g. `arn:aws:s3:::my-bucket`. */
  readonly s3BucketArn?: string;
  /** Schema 2.0: the bucket's name. */
  readonly s3Bucket?: string;
}

/** The payload S3 Batch Operations sends to a function (`LambdaInvoke`, schema 1.0 or 2.0). */
export interface BatchOperationsEvent {
  readonly invocationSchemaVersion: string;
  readonly invocationId: string;
  readonly job: {
    readonly id: string;
    /** Schema 2.0: the job's `UserArguments` (not used by the S3 functions). */
    readonly userArguments?: Readonly<Record<string, string>>;
  };
  readonly tasks: readonly BatchOperationsTask[];
}

/**
 * A task's result code: `Succeeded` (written to the report with the result string),
 * `TemporaryFailure` (redriven before the job completes) or `PermanentFailure` (the task fails).
 */
export type BatchOperationsResultCode = 'Succeeded' | 'TemporaryFailure' | 'PermanentFailure';

export interface BatchOperationsTaskResult {
  readonly taskId: string;
  readonly resultCode: BatchOperationsResultCode;
  readonly resultString: string;
}

/** What a function returns to S3 Batch Operations: one result per task. */
export interface BatchOperationsResponse {
  /** The request's schema version, echoed. */
  readonly invocationSchemaVersion: string;
  /** A task without a result (which should not happen) fails. */
  readonly treatMissingKeysAs: 'PermanentFailure';
  readonly invocationId: string;
  readonly results: readonly BatchOperationsTaskResult[];
}

export interface ProcessBatchOperationsOptions extends ProcessS3EventOptions {
  /** Reads each task's object (HeadObject: its size, eTag and current version). */
  readonly s3: S3Client;
}

/**
 * Whether a Lambda event comes from S3 Batch Operations: an object with an
 * `invocationSchemaVersion`, which S3 event notifications never carry. A payload of an unknown
 * schema version, or one missing its fields, is still one: {@link processBatchOperationsEvent}
 * throws for it rather than treating it as an S3 event without records.
 */
export function isBatchOperationsEvent(event: unknown): event is BatchOperationsEvent {
  return typeof event === 'object' && event !== null && 'invocationSchemaVersion' in event
    && typeof event.invocationSchemaVersion === 'string';
}

/**
 * Runs the per-object processing of an S3 event record ({@link processObject}: the same
 * deduplication, processor, outcome and notification id) on every task of a Batch Operations
 * invocation, and answers with one result per task. It never throws for a task:
 *
 * - `Succeeded`: the outcome was recorded (`recorded <type> <id>`), the version already had one
 *   under this configuration (`duplicate <type> <id>`), or the key is not for processing
 *   (`skipped: key is under the output prefix …`, folder placeholders);
 * - `PermanentFailure`: bad input, with the reason: the processor's rejection or a malformed key
 *   (both recorded as `<kind>.rejected`, as for an S3 event), a key outside the input prefix, a
 *   bucket other than the function's, or an object that does not exist;
 * - `TemporaryFailure`: any other error (throttling, S3 and DynamoDB faults, connection resets,
 *   timeouts), with the error's name and message: Batch Operations redrives the task, and the
 *   retry is harmless (the outcome is written at most once).
 *
 * @throws Error when the invocation schema version is not 1.0 or 2.0, or the payload is not a
 *   Batch Operations invocation (no `invocationId` or `tasks`): the whole invocation fails loudly.
 */
export async function processBatchOperationsEvent(
  event: BatchOperationsEvent,
  options: ProcessBatchOperationsOptions,
): Promise<BatchOperationsResponse> {
  assertSupportedInvocation(event);
  const { count, flush } = startInvocationCounts(options.metrics);
  try {
    const results: BatchOperationsTaskResult[] = [];
    for (const task of event.tasks) {
      count(S3_METRICS.RECEIVED);
      results.push(await processTaskSafely(task, options, count));
    }
    options.logger.info('S3 Batch Operations invocation processed', {
      jobId: event.job?.id, invocationId: event.invocationId, results,
    });
    return {
      invocationSchemaVersion: event.invocationSchemaVersion,
      treatMissingKeysAs: 'PermanentFailure',
      invocationId: event.invocationId,
      results,
    };
  } finally {
    flush();
  }
}

function assertSupportedInvocation(event: BatchOperationsEvent): void {
  if (!BATCH_OPERATIONS_SCHEMA_VERSIONS.includes(event.invocationSchemaVersion)) {
    throw new Error(`Unsupported S3 Batch Operations invocationSchemaVersion ${JSON.stringify(event.invocationSchemaVersion)}: `
      + `this function understands ${BATCH_OPERATIONS_SCHEMA_VERSIONS.join(' and ')} (set InvocationSchemaVersion in the job's LambdaInvoke operation)`);
  }
  if (typeof event.invocationId !== 'string' || !Array.isArray(event.tasks)) {
    throw new Error('Malformed S3 Batch Operations invocation: it needs a string invocationId and a tasks array');
  }
}

async function processTaskSafely(
  task: BatchOperationsTask,
  options: ProcessBatchOperationsOptions,
  count: CountMetric,
): Promise<BatchOperationsTaskResult> {
  const taskId = String(task?.taskId);
  try {
    return { taskId, ...await processTask(task, options, count) };
  } catch (err) {
    // The outcome rule: an error that is neither a rejection nor a vanished object may be
    // transient. Batch Operations redrives the task; its final failure is in the job's report.
    count(S3_METRICS.FAILED);
    options.logger.error('Task failed with a possibly transient error; S3 Batch Operations will redrive it', {
      taskId, bucket: task?.s3Bucket ?? task?.s3BucketArn, rawKey: task?.s3Key, error: err as Error,
    });
    return result(taskId, 'TemporaryFailure', describeError(err));
  }
}

type TaskOutcome = Omit<BatchOperationsTaskResult, 'taskId'>;

async function processTask(task: BatchOperationsTask, options: ProcessBatchOperationsOptions, count: CountMetric): Promise<TaskOutcome> {
  const bucket = taskBucket(task);
  if (bucket === undefined || typeof task.s3Key !== 'string' || task.s3Key === '') {
    return notProcessed(options, count, 'PermanentFailure', 'rejected: the task names no bucket or no key', task);
  }
  if (options.expectedBucket !== undefined && bucket !== options.expectedBucket) {
    return notProcessed(options, count, 'PermanentFailure',
      `rejected: bucket ${bucket} is not the bucket this function was deployed for (${options.expectedBucket})`, task);
  }
  const versionId = task.s3VersionId || undefined;
  const check = checkObjectKey(task.s3Key, options);
  if (check.kind === 'skip') {
    const code = check.skip === 'outside-input-prefix' ? 'PermanentFailure' : 'Succeeded';
    return notProcessed(options, count, code, `${code === 'Succeeded' ? 'skipped' : 'rejected'}: ${check.reason}`, task);
  }
  if (check.kind === 'malformed') {
    return fromSummary(await rejectMalformedKey({ bucket, key: task.s3Key, versionId }, check.error, options, count), options);
  }
  const object = await headObject(options.s3, bucket, check.key, versionId);
  if (object === undefined) {
    const version = versionId === undefined ? '' : ` (version ${versionId})`;
    return notProcessed(options, count, 'PermanentFailure', `object not found: s3://${bucket}/${check.key}${version}`, task);
  }
  return fromSummary(await processObject(object, options, count), options);
}

/** The bucket of a task: `s3Bucket` (schema 2.0) or the last part of `s3BucketArn` (schema 1.0). */
function taskBucket(task: BatchOperationsTask): string | undefined {
  if (typeof task.s3Bucket === 'string' && task.s3Bucket !== '') {
    return task.s3Bucket;
  }
  if (typeof task.s3BucketArn === 'string' && task.s3BucketArn.startsWith('arn:')) {
    // arn:aws:s3:::my-bucket (bucket names have no colon).
    const name = task.s3BucketArn.slice(task.s3BucketArn.lastIndexOf(':') + 1);
    return name === '' ? undefined : name;
  }
  return undefined;
}

/**
 * The object a task names, as an S3 event record would: HeadObject gives its size and eTag, and
 * its current version when the manifest names none (so that the notification id is the one an
 * S3 event for that version gives). `undefined` when the object (version) does not exist.
 */
async function headObject(s3: S3Client, bucket: string, key: string, versionId: string | undefined): Promise<S3ObjectRef | undefined> {
  let head: HeadObjectCommandOutput;
  try {
    head = await headObjectExact(s3, { Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) });
  } catch (err) {
    if (isNotFound(err)) {
      return undefined;
    }
    throw err;
  }
  return {
    bucket,
    key,
    size: head.ContentLength,
    versionId: versionId ?? (head.VersionId || undefined),
    eTag: head.ETag?.replace(/"/g, '') || undefined,
  };
}

/** The result of a processed object, from its summary (see {@link processBatchOperationsEvent}). */
function fromSummary(summary: S3RecordSummary, options: ProcessS3EventOptions): TaskOutcome {
  const id = `${summary.type} ${summary.notificationId}`;
  if (summary.outcome === 'duplicate') {
    return outcome('Succeeded', `duplicate ${id}`);
  }
  const REJECTED = pipelineOutcome(options.kind, 'rejected');
  const SKIPPED = pipelineOutcome(options.kind, 'skipped');
  if (summary.outcome === REJECTED || summary.outcome === SKIPPED) {
    return outcome('PermanentFailure', `${id}: ${summary.reason ?? 'no reason given'}`);
  }
  return outcome('Succeeded', `recorded ${id}`);
}

/** A task that was not processed (nothing recorded), logged and counted as ignored. */
function notProcessed(
  options: ProcessS3EventOptions,
  count: CountMetric,
  resultCode: BatchOperationsResultCode,
  resultString: string,
  task: BatchOperationsTask,
): TaskOutcome {
  count(S3_METRICS.IGNORED);
  const log = resultCode === 'Succeeded' ? options.logger.info.bind(options.logger) : options.logger.warn.bind(options.logger);
  log('Task not processed', { taskId: task.taskId, bucket: task.s3Bucket ?? task.s3BucketArn, rawKey: task.s3Key, resultCode, resultString });
  return outcome(resultCode, resultString);
}

function outcome(resultCode: BatchOperationsResultCode, resultString: string): TaskOutcome {
  return { resultCode, resultString: truncate(resultString) };
}

function result(taskId: string, resultCode: BatchOperationsResultCode, resultString: string): BatchOperationsTaskResult {
  return { taskId, ...outcome(resultCode, resultString) };
}

function truncate(text: string): string {
  return text.length <= MAX_RESULT_STRING_LENGTH ? text : `${text.slice(0, MAX_RESULT_STRING_LENGTH - 1)}…`;
}

function describeError(err: unknown): string {
  const name = errorName(err) ?? 'Error';
  return err instanceof Error ? `${name}: ${err.message}` : `${name}: ${String(err)}`;
}
