import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import { AuditScope, classifiedObjects, functionScopes, inputObjects } from './audit';
import { ListedObject } from './objects';
import { OutcomeStatus } from './outcomes';
import { printable } from './printable';
import { Progress } from './progress';
import { PipelineFunction } from './stack';
import { errorName, httpStatusCode, isThrottling } from '../runtime/errors';
import { isFailedType } from '../runtime/outcome-store';
import { encodeS3KeyForEvent, objectCreatedRecord } from '../runtime/s3-key';

/**
 * `reprocess`: delivers objects to their function as S3 `ObjectCreated:Put` events, exactly as
 * S3 would (asynchronous invocation, the function's retries and dead-letter queue apply). The
 * function deduplicates by outcome id, so delivering an object that already has an outcome under
 * the current configuration costs one read and changes nothing.
 */

/**
 * Which objects to deliver: without any outcome or recorded as failed (`<kind>.failed`, which the
 * real outcome supersedes); also those recorded only under an older configuration; or all.
 */
export type ReprocessSelection = 'missing' | 'older' | 'all';

/**
 * Largest event payload sent, in bytes: Lambda's limit for asynchronous invocations was 256 KB
 * for years (it is larger in most Regions now); staying under it works everywhere.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

export interface ReprocessOptions extends AuditScope {
  readonly selection?: ReprocessSelection;
  /** Records per event. @default 10 */
  readonly batchSize?: number;
  /** Objects delivered per second, paced evenly (an event carries at most this many). @default - no limit */
  readonly ratePerSecond?: number;
  /** Invoke requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** List and select; invoke nothing. */
  readonly dryRun?: boolean;
  /**
   * List the scope once before delivering (one more listing, no reads of the table), so that the
   * progress shows a bar, a percentage and the time left.
   */
  readonly countFirst?: boolean;
  /** The Region in the events' records. @default us-east-1 */
  readonly region?: string;
  readonly log?: (line: string) => void;
  readonly progress?: Progress;
  /** Checked between events: when it returns true, no new event is sent (e.g. after Ctrl-C). */
  readonly stopRequested?: () => boolean;
}

export interface ReprocessSummary {
  /** Objects in scope, counted before delivering (with `countFirst`). */
  readonly counted?: number;
  readonly listed: number;
  readonly selected: number;
  readonly delivered: number;
  readonly events: number;
  readonly failed: number;
  /** Invoke requests Lambda throttled and that were sent again. */
  readonly throttled: number;
  /** Every object up to this key (in the walk's order) was delivered: pass it to --start-after to resume. */
  readonly resumeAfter?: string;
  readonly failures: { readonly functionName: string; readonly keys: string[]; readonly error: string }[];
  readonly stopped: boolean;
  readonly dryRun: boolean;
  readonly elapsedSeconds: number;
}

export interface ReprocessClients {
  readonly s3: S3Client;
  readonly ddb: DynamoDBDocumentClient;
  readonly lambda: LambdaClient;
}

/** S3's encoding of a key in an event notification (spaces as `+`): the encoding `reprocess` sends. */
export const encodeEventKey = encodeS3KeyForEvent;

interface PendingEvent {
  readonly fn: PipelineFunction;
  readonly objects: ListedObject[];
  readonly records: S3EventRecord[];
  bytes: number;
}

const EVENT_OVERHEAD_BYTES = '{"Records":[]}'.length;

export async function reprocess(clients: ReprocessClients, options: ReprocessOptions): Promise<ReprocessSummary> {
  const selection = options.selection ?? 'missing';
  // An event's objects arrive at once: with a rate, no event carries more than one second's worth.
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 10, Math.floor(options.ratePerSecond ?? Infinity)));
  const concurrency = options.concurrency ?? 4;
  const region = options.region ?? 'us-east-1';
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const limiter = new RateLimiter(options.ratePerSecond);
  const failures: ReprocessSummary['failures'] = [];
  let listed = 0;
  let selected = 0;
  let delivered = 0;
  let events = 0;
  let failed = 0;
  let throttled = 0;
  let stopped = false;

  // Resume point: the last key of the longest run of events, in walk order, that all succeeded.
  let nextSequence = 0;
  let watermark = 0;
  const finished = new Map<number, { ok: boolean; lastKey: string }>();
  let resumeAfter: string | undefined;
  let resumeBlocked = false;
  const complete = (sequence: number, ok: boolean, lastKey: string) => {
    finished.set(sequence, { ok, lastKey });
    while (finished.has(watermark)) {
      const f = finished.get(watermark)!;
      finished.delete(watermark);
      watermark += 1;
      if (!f.ok) resumeBlocked = true;
      if (!resumeBlocked) resumeAfter = f.lastKey;
    }
  };
  const tick = () => options.progress?.update({ listed, selected, delivered, failed });

  const inFlight = new Set<Promise<void>>();
  const send = async (event: PendingEvent) => {
    const sequence = nextSequence++;
    const lastKey = event.objects[event.objects.length - 1].key;
    if (options.dryRun) {
      for (const o of event.objects) log(`would deliver ${printable(o.key)}${o.versionId ? ` (version ${o.versionId})` : ''} → ${event.fn.functionName}`);
      events += 1;
      complete(sequence, true, lastKey);
      return;
    }
    await limiter.take(event.objects.length);
    const payload = JSON.stringify({ Records: event.records });
    const task = (async () => {
      const result = await invokeWithRetry(clients.lambda, event.fn.functionName, payload, () => { throttled += 1; });
      events += 1;
      if (result === undefined) {
        delivered += event.objects.length;
        complete(sequence, true, lastKey);
      } else {
        failed += event.objects.length;
        failures.push({ functionName: event.fn.functionName, keys: event.objects.map((o) => o.key), error: result });
        log(`failed to deliver ${event.objects.length} objects to ${event.fn.functionName} (${printable(event.objects[0].key)} …): ${printable(result)}`);
        complete(sequence, false, lastKey);
      }
      tick();
    })();
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  const scopes = functionScopes(options);
  let counted: number | undefined;
  if (options.countFirst) {
    counted = 0;
    for (const fs of scopes) {
      for await (const _ of inputObjects(clients.s3, options, fs)) {
        counted += 1;
        if (counted % 1000 === 0) options.progress?.update({ counted });
      }
    }
    options.progress?.setTotal(counted);
  }

  for (const fs of scopes) {
    let pending: PendingEvent | undefined;
    const objects = selection === 'all'
      ? mapAsync(inputObjects(clients.s3, options, fs), (object) => ({ object, status: 'current' as OutcomeStatus }))
      : classifiedObjects(clients.s3, clients.ddb, options, fs);
    for await (const c of objects) {
      listed += 1;
      const type = 'type' in c ? c.type : undefined;
      const recordedAsFailed = c.status === 'current' && type !== undefined && isFailedType(type);
      const wanted = selection === 'all' || c.status === 'missing' || recordedAsFailed || (selection === 'older' && c.status === 'older-configuration');
      if (!wanted) {
        tick();
        continue;
      }
      if (options.stopRequested?.()) {
        stopped = true;
        break;
      }
      selected += 1;
      const record = objectCreatedRecord({
        bucket: options.pipeline.bucket,
        key: c.object.key,
        size: c.object.size,
        eTag: c.object.eTag,
        versionId: c.object.versionId,
        region,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        origin: 'cdk-tap-serverless-reprocess',
      });
      const bytes = Buffer.byteLength(JSON.stringify(record)) + 1;
      if (pending && (pending.records.length >= batchSize || pending.bytes + bytes > MAX_EVENT_BYTES)) {
        await send(pending);
        pending = undefined;
      }
      pending ??= { fn: fs.fn, objects: [], records: [], bytes: EVENT_OVERHEAD_BYTES };
      pending.objects.push(c.object);
      pending.records.push(record);
      pending.bytes += bytes;
      tick();
    }
    if (stopped) break; // what is pending was never sent: the resume point is before it
    if (pending) await send(pending);
  }
  await Promise.all(inFlight);
  options.progress?.update({ listed, selected, delivered, failed });
  options.progress?.done();
  return {
    counted,
    listed,
    selected,
    delivered,
    events,
    failed,
    throttled,
    resumeAfter,
    failures,
    stopped,
    dryRun: options.dryRun ?? false,
    elapsedSeconds: (Date.now() - started) / 1000,
  };
}

/**
 * One asynchronous invocation; throttling and service errors are retried with back-off (up to 8
 * attempts). Returns undefined once Lambda accepted the event (202), else why it did not.
 */
async function invokeWithRetry(lambda: LambdaClient, functionName: string, payload: string, onThrottle: () => void): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await lambda.send(new InvokeCommand({
        FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(payload),
      }));
      return result.StatusCode === 202 ? undefined : `Lambda answered ${result.StatusCode} instead of 202`;
    } catch (err) {
      const status = httpStatusCode(err) ?? 0;
      const retryable = isThrottling(err) || status === 429 || status >= 500 || errorName(err) === 'TimeoutError';
      if (!retryable || attempt >= 8) return `${errorName(err) ?? 'Error'}: ${(err as Error).message}`;
      if (isThrottling(err) || status === 429) onThrottle();
      await sleep(Math.min(10_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}

/**
 * Paces units (objects) to `perSecond`, evenly: a take of `u` units goes `u / perSecond` seconds after
 * the one before it, with no burst at the start or after a pause. Any one-second window then holds
 * at most about `perSecond` units (exactly, when takes are of one unit or divide it). No limit when
 * undefined.
 */
export class RateLimiter {
  private next: number | undefined;

  constructor(
    private readonly perSecond?: number,
    private readonly clock: { now(): number; sleep(ms: number): Promise<void> } = { now: Date.now, sleep },
  ) {}

  /** Waits until `units` may go. */
  public async take(units: number): Promise<void> {
    if (this.perSecond === undefined) return;
    const now = this.clock.now();
    const at = Math.max(now, this.next ?? now);
    this.next = at + (units / this.perSecond) * 1000;
    if (at > now) await this.clock.sleep(at - now);
  }
}

async function* mapAsync<T, R>(source: AsyncIterable<T>, f: (t: T) => R): AsyncGenerator<R> {
  for await (const t of source) yield f(t);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
