import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, Message, ReceiveMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { printable } from './printable';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';
import { s3PayloadOf, UnrecognizedEventError } from '../runtime/event-shapes';
import { decodeS3Key, MalformedKeyError } from '../runtime/s3-key';

/**
 * Redrive of the dead-letter queue: every message there is the original asynchronous event of a
 * function that failed every retry. Each message is re-invoked asynchronously on the function
 * whose input prefix matches the event's S3 keys, and deleted only after Lambda accepted the
 * invocation (202). Messages that cannot be routed, or whose invocation fails, stay in the queue.
 */

/** A function events can be redriven to, and the S3 key prefix it processes. */
export interface RedriveTarget {
  readonly functionName: string;
  /** The function's input prefix; undefined when it is not a TapServerless S3 function. */
  readonly inputPrefix?: string;
  /** Key endings it takes (a route's suffixes); absent: every key under its prefix. */
  readonly suffixes?: readonly string[];
}

export interface RedriveOptions {
  readonly queueUrl: string;
  readonly targets: RedriveTarget[];
  /** Show what would be redriven; invoke and delete nothing. */
  readonly dryRun?: boolean;
  /** Stop after this many messages. @default - all */
  readonly maxMessages?: number;
  /** How long a received message stays hidden while it is being redriven. @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  readonly log?: (line: string) => void;
}

export interface RedriveSummary {
  readonly received: number;
  readonly redriven: number;
  readonly failed: number;
  readonly unroutable: number;
  readonly dryRun: boolean;
}

/** Reads each function's configuration to learn its input prefix (set by the construct). */
export async function resolveTargets(lambda: LambdaClient, functionNames: string[]): Promise<RedriveTarget[]> {
  const targets: RedriveTarget[] = [];
  for (const functionName of functionNames) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    const env = config.Environment?.Variables ?? {};
    const service = env.POWERTOOLS_SERVICE_NAME;
    // A route's dispatcher names its route's prefix.
    const inputPrefix = service === SERVICE_NAME.IMAGE_PROCESSOR ? env[ENV.IMAGES_PREFIX]
      : service === SERVICE_NAME.DATA_VALIDATOR ? env[ENV.DATA_PREFIX]
        : env[ENV.ROUTE_PREFIX];
    const suffixes = (env[ENV.ROUTE_SUFFIXES] ?? '').split(',').filter((s) => s !== '');
    targets.push({ functionName, inputPrefix, ...(suffixes.length > 0 ? { suffixes } : {}) });
  }
  return targets;
}

/**
 * The decoded S3 keys of a dead-lettered payload (`+` is a space), or undefined when it carries
 * none: an S3 event notification (from a function's asynchronous DLQ, or a queue's redrive
 * policy), an SNS envelope of one, or an EventBridge "Object Created" event (from a rule target's DLQ).
 */
export function s3KeysOf(payload: unknown): string[] | undefined {
  let records;
  try {
    const carried = s3PayloadOf(payload);
    if (carried.kind !== 's3') return undefined;
    records = carried.event.Records;
  } catch (err) {
    if (err instanceof UnrecognizedEventError) return undefined;
    throw err;
  }
  if (records.length === 0) return undefined;
  return records.map((record) => {
    try {
      return decodeS3Key(record.s3.object.key);
    } catch (err) {
      if (!(err instanceof MalformedKeyError)) throw err;
      return record.s3.object.key; // the function records such keys as rejected; route by the raw key
    }
  });
}

/**
 * Chooses the function a dead-lettered event goes back to: the one whose input prefix holds
 * every key of the S3 event; or the only target, when the event is not an S3 event.
 * Returns a reason instead when no single function fits.
 */
export function chooseTarget(payload: unknown, targets: RedriveTarget[]): RedriveTarget | string {
  const keys = s3KeysOf(payload);
  if (keys === undefined) {
    return targets.length === 1 ? targets[0] : 'not an S3 event, and several functions were given: pass the one it belongs to';
  }
  const takes = (t: RedriveTarget, key: string) => key.startsWith(t.inputPrefix!) && (!t.suffixes?.length || t.suffixes.some((s) => key.endsWith(s)));
  const matching = targets.filter((t) => t.inputPrefix === undefined || keys.every((k) => takes(t, k)));
  if (matching.length === 1) return matching[0];
  if (matching.length === 0) return `no given function processes ${printable(JSON.stringify(keys))}`;
  return `several given functions match ${printable(JSON.stringify(keys))}: ${matching.map((t) => t.functionName).join(', ')}`;
}

export async function redrive(sqs: SQSClient, lambda: LambdaClient, options: RedriveOptions): Promise<RedriveSummary> {
  const log = options.log ?? (() => undefined);
  const dryRun = options.dryRun ?? false;
  const max = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const seen = new Set<string>();
  let received = 0;
  let redriven = 0;
  let failed = 0;
  let unroutable = 0;

  // Put a message back in sight at once: it stays in the queue for a later redrive.
  const release = async (message: Message) => {
    await sqs.send(new ChangeMessageVisibilityCommand({
      QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0,
    }));
  };

  while (received < max) {
    const batch = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: options.queueUrl,
      MaxNumberOfMessages: Math.min(10, max - received),
      WaitTimeSeconds: 1,
      VisibilityTimeout: options.visibilityTimeoutSeconds ?? 60,
      MessageAttributeNames: ['All'],
    }));
    const messages = batch.Messages ?? [];
    const fresh = messages.filter((m) => !seen.has(m.MessageId!));
    for (const m of messages) {
      if (seen.has(m.MessageId!)) await release(m);
    }
    if (fresh.length === 0) break; // the queue is empty, or holds only messages already handled in this run

    for (const message of fresh) {
      seen.add(message.MessageId!);
      received += 1;
      const error = message.MessageAttributes?.ErrorMessage?.StringValue;
      const prefix = `[${received}] ${message.MessageId}`;
      let payload: unknown;
      try {
        payload = JSON.parse(message.Body ?? '');
      } catch {
        unroutable += 1;
        log(`${prefix}: body is not JSON; left in the queue`);
        await release(message);
        continue;
      }
      const target = chooseTarget(payload, options.targets);
      const keys = s3KeysOf(payload);
      const what = keys ? keys.map(printable).join(', ') : 'event';
      if (typeof target === 'string') {
        unroutable += 1;
        log(`${prefix}: ${what}: ${target}; left in the queue`);
        await release(message);
        continue;
      }
      if (dryRun) {
        log(`${prefix}: ${what} → would invoke ${target.functionName}${error ? ` (failed with: ${printable(error)})` : ''}`);
        await release(message);
        continue;
      }
      try {
        const result = await lambda.send(new InvokeCommand({
          FunctionName: target.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(message.Body!),
        }));
        if (result.StatusCode !== 202) {
          throw new Error(`Lambda answered ${result.StatusCode} instead of 202`);
        }
      } catch (err) {
        failed += 1;
        log(`${prefix}: ${what} → invoking ${target.functionName} failed (${(err as Error).name}: ${printable((err as Error).message)}); left in the queue`);
        await release(message);
        continue;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      redriven += 1;
      log(`${prefix}: ${what} → re-invoked ${target.functionName}, removed from the queue`);
    }
  }
  return { received, redriven, failed, unroutable, dryRun };
}
