import type { S3Event, S3EventRecord, SQSEvent } from 'aws-lambda';
import { isBatchOperationsEvent, BatchOperationsEvent } from './batch-operations';
import { objectCreatedRecord } from './s3-key';

/*
 * The shapes in which an upload reaches an S3 function, whatever the ingestion mode:
 *
 * - an S3 event notification (`{"Records":[{"eventSource":"aws:s3",…}]}`), invoked directly by S3,
 *   by `reprocess`, or by `redrive` with a dead-lettered event;
 * - an SQS event whose message bodies are S3 event notifications (S3 → SQS), S3's `s3:TestEvent`,
 *   SNS envelopes of either (S3 → SNS → SQS), or EventBridge events;
 * - an SNS event (S3 → SNS → Lambda) whose messages are S3 event notifications;
 * - an EventBridge event from S3 (`"source":"aws.s3"`, `"detail-type":"Object Created"`);
 * - an S3 Batch Operations invocation.
 *
 * Anything else is refused with an {@link UnrecognizedEventError}: acknowledging it would delete
 * an SQS message, or drop an event, without anything recorded.
 */

/** An event, message or record an S3 function does not know how to read: never acknowledged. */
export class UnrecognizedEventError extends Error {
  constructor(what: string) {
    super(`Unrecognized ${what}: not an S3 event notification, an SQS or SNS message carrying one, ` +
      'an EventBridge "Object Created" event from S3, or an S3 Batch Operations invocation');
    this.name = 'UnrecognizedEventError';
  }
}

/** What an invocation of an S3 function carries. */
export type S3FunctionInvocation =
  | { readonly kind: 's3'; readonly event: S3Event }
  | { readonly kind: 'sqs'; readonly event: SQSEvent }
  | { readonly kind: 'batch-operations'; readonly event: BatchOperationsEvent }
  | { readonly kind: 'test-event' };

/** What one payload (an invocation, an SQS message body, an SNS message) carries: S3 records, or S3's test event. */
export type S3Payload = { readonly kind: 's3'; readonly event: S3Event } | { readonly kind: 'test-event' };

/** An EventBridge event as S3 sends it (the fields read here). */
export interface S3EventBridgeEvent {
  readonly 'source': 'aws.s3';
  readonly 'detail-type': string;
  readonly 'time'?: string;
  readonly 'region'?: string;
  readonly 'detail': {
    readonly bucket: { readonly name: string };
    readonly object: { readonly 'key': string; readonly 'size'?: number; readonly 'etag'?: string; readonly 'version-id'?: string; readonly 'sequencer'?: string };
    readonly reason?: string;
  };
}

/** Tells what an S3 function was invoked with. @throws UnrecognizedEventError */
export function classifyInvocation(event: unknown): S3FunctionInvocation {
  if (isBatchOperationsEvent(event)) {
    return { kind: 'batch-operations', event };
  }
  const records = recordsOf(event);
  if (records !== undefined && records.length > 0 && records.every((r) => r?.eventSource === 'aws:sqs')) {
    return { kind: 'sqs', event: event as SQSEvent };
  }
  return s3PayloadOf(event, 'event');
}

/**
 * The S3 records (or the test event) of one payload: an S3 event notification, S3's `s3:TestEvent`,
 * an SNS event or SNS envelope of either, or an EventBridge event from S3. `{"Records":[]}` is an
 * S3 event without records. A record that does not come from S3 makes the whole payload
 * unrecognized.
 *
 * @throws UnrecognizedEventError
 */
export function s3PayloadOf(payload: unknown, what = 'payload'): S3Payload {
  if (isTestEvent(payload)) {
    return { kind: 'test-event' };
  }
  if (isS3EventBridgeEvent(payload)) {
    return { kind: 's3', event: { Records: [recordOfEventBridgeEvent(payload)] } };
  }
  const snsMessage = snsEnvelopeMessage(payload);
  if (snsMessage !== undefined) {
    return s3PayloadOf(parseJson(snsMessage, `SNS message in the ${what}`), `SNS message in the ${what}`);
  }
  const records = recordsOf(payload);
  if (records === undefined) {
    throw new UnrecognizedEventError(what);
  }
  if (records.length > 0 && records.every((r) => r?.EventSource === 'aws:sns' && typeof r?.Sns?.Message === 'string')) {
    // An SNS event: each message carries its own S3 event.
    const merged: S3EventRecord[] = [];
    for (const record of records) {
      const inner = s3PayloadOf(parseJson(record.Sns.Message as string, `SNS message in the ${what}`), `SNS message in the ${what}`);
      if (inner.kind === 's3') merged.push(...inner.event.Records);
    }
    return merged.length === 0 && records.length > 0 ? { kind: 'test-event' } : { kind: 's3', event: { Records: merged } };
  }
  if (!records.every((r) => r?.eventSource === 'aws:s3' && typeof r?.s3?.object?.key === 'string' && typeof r?.s3?.bucket?.name === 'string')) {
    throw new UnrecognizedEventError(`record in the ${what}`);
  }
  return { kind: 's3', event: payload as S3Event };
}

/** Parses a JSON message body. @throws UnrecognizedEventError */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UnrecognizedEventError(`${what} (not JSON)`);
  }
}

/**
 * The S3 event record an EventBridge "Object Created" event stands for. EventBridge gives the key
 * as it is (S3 event notifications URL-encode it), so it is encoded here the way S3 notifications
 * encode keys, and every shape then goes through the same decoding.
 */
export function recordOfEventBridgeEvent(event: S3EventBridgeEvent): S3EventRecord {
  const { bucket, object } = event.detail;
  return objectCreatedRecord({
    bucket: bucket.name,
    key: object.key,
    size: object.size ?? 0,
    eTag: object.etag ?? '',
    versionId: object['version-id'],
    sequencer: object.sequencer,
    region: event.region ?? '',
    eventTime: event.time ?? '',
    // Only "Object Created" is processed; any other detail-type is skipped like a non-ObjectCreated notification.
    eventName: event['detail-type'] === 'Object Created' ? `ObjectCreated:${event.detail.reason ?? 'EventBridge'}` : `EventBridge:${event['detail-type']}`,
    origin: 'eventbridge',
  });
}

/** Whether a payload is an EventBridge event from S3 naming an object. */
export function isS3EventBridgeEvent(payload: unknown): payload is S3EventBridgeEvent {
  const e = payload as Partial<S3EventBridgeEvent> | undefined;
  return typeof e === 'object' && e !== null && e.source === 'aws.s3' && typeof e['detail-type'] === 'string' &&
    typeof e.detail?.bucket?.name === 'string' && typeof e.detail?.object?.key === 'string';
}

/** S3's `s3:TestEvent`, sent to a queue or topic when a notification configuration is written. */
function isTestEvent(payload: unknown): boolean {
  const e = payload as { Service?: unknown; Event?: unknown } | undefined;
  return typeof e === 'object' && e !== null && e.Service === 'Amazon S3' && e.Event === 's3:TestEvent';
}

/** The `Message` of an SNS envelope (an SNS message as delivered to SQS without raw delivery). */
function snsEnvelopeMessage(payload: unknown): string | undefined {
  const e = payload as { Type?: unknown; Message?: unknown } | undefined;
  return typeof e === 'object' && e !== null && e.Type === 'Notification' && typeof e.Message === 'string' ? e.Message : undefined;
}

function recordsOf(payload: unknown): any[] | undefined {
  const records = (payload as { Records?: unknown } | undefined)?.Records;
  return typeof payload === 'object' && payload !== null && Array.isArray(records) ? records : undefined;
}
