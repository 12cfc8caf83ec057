import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MessageAttributeValue, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { FAILURE_METRICS } from '../../contract/metric-names';
import { parseJson, s3PayloadOf } from '../../runtime/event-shapes';
import type { NotificationsTable } from '../../runtime/notifications-table';
import { countMetric, flushMetrics } from '../../runtime/observability';
import type { OutcomePublisher } from '../../runtime/outcome-events';
import { outcomeNotification, OutcomeStore, recordOutcome } from '../../runtime/outcome-store';
import { checkObjectKey } from '../../runtime/s3-event';

/** One S3 function's inputs: a failed object under them is recorded as `<kind>.failed` under its fingerprint. */
export interface FailureRoute {
  readonly kind: string;
  readonly prefix: string;
  readonly suffixes: readonly string[];
  readonly fingerprint: string;
}

export interface FailureRecorderOptions {
  readonly routes: readonly FailureRoute[];
  /** The pipeline's bucket: an event naming another bucket is forwarded without an outcome. */
  readonly bucket: string;
  /** Output prefixes: keys under them are never inputs. */
  readonly outputPrefixes: readonly string[];
  /** How many times an event was tried before it reached the recorder (retries or receives, plus one). */
  readonly attempts: number;
  readonly table: NotificationsTable;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly deadLetterQueueUrl: string;
  readonly publisher?: OutcomePublisher;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The most of an error message a failed outcome keeps. */
const MAX_ERROR_CHARS = 1024;

/**
 * The failure recorder's SQS batch: every message is an event an S3 function failed for good
 * (Lambda's dead-letter target after its retries, the ingestion queue's redrive after its
 * receives, an EventBridge rule's dead letter). For each object of the event, the first outcome
 * of its version under its function's configuration is `<kind>.failed`, with the error and the
 * attempts (an object that already has an outcome keeps it); then the event is forwarded, as it
 * came, to the dead-letter queue, where `redrive` finds it. A message that cannot be recorded or
 * forwarded is reported as failed (SQS retries it, then moves it to the dead-letter queue itself).
 */
export async function recordFailedEvents(event: SQSEvent, options: FailureRecorderOptions): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  try {
    for (const message of event.Records) {
      try {
        await recordFailedEvent(message, options);
      } catch (err) {
        batchItemFailures.push({ itemIdentifier: message.messageId });
        options.logger.error('Failed event not recorded or not forwarded: reported as failed, so that SQS delivers it again', {
          messageId: message.messageId, error: err as Error,
        });
      }
    }
  } finally {
    flushMetrics(options.metrics);
  }
  return { batchItemFailures };
}

/** The error a dead-letter message carries: Lambda's `ErrorMessage`, EventBridge's `ERROR_MESSAGE`; none after SQS receives. */
export function failureReason(message: Pick<SQSRecord, 'messageAttributes'>, attempts: number): string {
  const attribute = (name: string) => message.messageAttributes?.[name]?.stringValue;
  const error = attribute('ErrorMessage') ?? attribute('ERROR_MESSAGE');
  const text = error !== undefined
    ? error
    : `its event failed ${attempts} attempt${attempts === 1 ? '' : 's'} (the errors are in the function's logs)`;
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

async function recordFailedEvent(message: SQSRecord, options: FailureRecorderOptions): Promise<void> {
  const { logger } = options;
  const reason = failureReason(message, options.attempts);
  const errorCode = message.messageAttributes?.ErrorCode?.stringValue ?? message.messageAttributes?.ERROR_CODE?.stringValue;
  let records: ReturnType<typeof objectsOf> = [];
  try {
    records = objectsOf(message.body);
  } catch (err) {
    // Not an S3 event: nothing to record, but the event is kept where redrive and people can see it.
    logger.warn('Failed event is not an S3 event: forwarded to the dead-letter queue without an outcome', {
      messageId: message.messageId, error: err as Error,
    });
  }
  for (const record of records) {
    if (record.bucket !== options.bucket) {
      logger.warn('Failed event names another bucket than the pipeline\'s: no outcome recorded', { bucket: record.bucket, rawKey: record.rawKey });
      continue;
    }
    const found = options.routes
      .map((route) => ({
        route, check: checkObjectKey(record.rawKey, { inputPrefix: route.prefix, outputPrefixes: options.outputPrefixes, suffixes: route.suffixes }),
      }))
      .find(({ check }) => check.kind === 'input');
    if (found === undefined) {
      logger.info('Failed event names an object no function takes: no outcome recorded', { bucket: record.bucket, rawKey: record.rawKey });
      continue;
    }
    const { route } = found;
    const object = {
      bucket: record.bucket, key: found.check.key, size: record.size, versionId: record.versionId, eTag: record.eTag, sequencer: record.sequencer,
    };
    const store: OutcomeStore = { table: options.table, fingerprint: route.fingerprint, logger };
    const outcome = {
      type: `${route.kind}.failed`,
      message: `Failed s3://${object.bucket}/${object.key} after ${options.attempts} attempt${options.attempts === 1 ? '' : 's'}: ${reason}`,
      object,
      details: { reason, attempts: options.attempts, ...(errorCode !== undefined ? { errorCode } : {}) },
      createdAt: new Date(),
    };
    const recorded = await recordOutcome(store, outcome);
    if (recorded === 'recorded') {
      countMetric(options.metrics, FAILURE_METRICS.RECORDED);
      await options.publisher?.publish(outcomeNotification(store, outcome));
      logger.info('Failed outcome recorded', { bucket: object.bucket, key: object.key, type: outcome.type });
    }
  }
  await options.sqs.send(new SendMessageCommand({
    QueueUrl: options.deadLetterQueueUrl,
    MessageBody: message.body,
    MessageAttributes: forwardedAttributes(message),
  }));
  countMetric(options.metrics, FAILURE_METRICS.FORWARDED);
}

/** The objects an event names, with their raw (still encoded) keys. */
function objectsOf(body: string) {
  const payload = s3PayloadOf(parseJson(body, 'dead-letter message body'), 'dead-letter message body');
  if (payload.kind === 'test-event') return [];
  return payload.event.Records.filter((r) => typeof r?.s3?.object?.key === 'string' && typeof r?.s3?.bucket?.name === 'string'
    && typeof r.eventName === 'string' && r.eventName.startsWith('ObjectCreated:')).map((r) => ({
    bucket: r.s3.bucket.name,
    rawKey: r.s3.object.key,
    size: r.s3.object.size,
    versionId: r.s3.object.versionId || undefined,
    eTag: r.s3.object.eTag || undefined,
    sequencer: r.s3.object.sequencer || undefined,
  }));
}

/** The message's string attributes (Lambda's RequestID, ErrorCode, ErrorMessage), as the dead-letter queue would have had them. */
function forwardedAttributes(message: SQSRecord): Record<string, MessageAttributeValue> | undefined {
  const attributes = Object.entries(message.messageAttributes ?? {})
    .filter(([, a]) => a.dataType === 'String' || a.dataType === 'Number')
    .slice(0, 10)
    .map(([name, a]): [string, MessageAttributeValue] => [name, { DataType: a.dataType, StringValue: a.stringValue }]);
  return attributes.length > 0 ? Object.fromEntries(attributes) : undefined;
}
