import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BatchOperationsEvent, BatchOperationsResponse, processBatchOperationsEvent } from './batch-operations';
import { expectBucketOwner } from './bucket-owner';
import { optionalEnv, requireEnv, requirePrefixEnv } from './env';
import { classifyInvocation, S3EventBridgeEvent, UnrecognizedEventError } from './event-shapes';
import { notificationsTableFromEnv } from './notifications-table';
import { createObservability } from './observability';
import { createOutcomePublisher } from './outcome-events';
import { ObjectProcessor, processS3Event, ProcessS3EventOptions, S3EventSummary } from './s3-event';
import { processSqsEvent } from './sqs-batch';
import { invocationBudget } from './time-budget';
import { ATTR, traceAwsClient, traceInvocation } from './tracing';
import { ENV } from '../contract/env-names';
import { OutcomeNamespace } from '../contract/notifications-model';

/**
 * The Lambda handler of an S3 function, in every ingestion mode: S3 event notifications and
 * EventBridge "Object Created" events (answered with a summary, which their senders ignore), SQS
 * batches of either (answered with the messages that failed) and S3 Batch Operations `LambdaInvoke`
 * invocations (answered with one result per task). See ./event-shapes for every shape read.
 */
export interface S3Handler {
  (event: S3Event, context: Context): Promise<S3EventSummary>;
  (event: S3EventBridgeEvent, context: Context): Promise<S3EventSummary>;
  (event: SQSEvent, context: Context): Promise<SQSBatchResponse>;
  (event: BatchOperationsEvent, context: Context): Promise<BatchOperationsResponse>;
}

/**
 * The S3 client of an S3 function: traced, and every request naming the ingestion bucket's owner
 * (`TAP_BUCKET_OWNER`, set by the construct) as `ExpectedBucketOwner`. Call it once, at module scope.
 */
export function ingestionS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  return traceAwsClient(expectBucketOwner(new S3Client({}), requireEnv(ENV.BUCKET_OWNER, env)));
}

/**
 * Builds the handler of an S3 function around its processor: the logger and metrics, the outcome
 * store and the settings the construct sets in the environment, then `processS3Event` over every
 * record of each S3 event, or `processBatchOperationsEvent` over every task of an S3 Batch
 * Operations invocation (the same per-object processing), or `processSqsEvent` over an SQS batch.
 * An invocation of any other shape fails (it is retried, then dead-lettered): it is never
 * acknowledged with nothing recorded. Call it once, at module scope, with the S3 client the processor
 * uses (one client per execution environment).
 */
export function createS3Handler(
  kind: OutcomeNamespace,
  inputPrefix: string,
  processor: ObjectProcessor,
  s3: S3Client = ingestionS3Client(),
  filter: { readonly suffixes?: readonly string[] } = {},
): S3Handler {
  const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
  const outcomeEventBus = optionalEnv(ENV.OUTCOME_EVENT_BUS);
  const options: ProcessS3EventOptions = {
    kind,
    inputPrefix,
    outputPrefixes: [requirePrefixEnv(ENV.THUMBNAILS_PREFIX), requirePrefixEnv(ENV.REPORTS_PREFIX)],
    ...(filter.suffixes !== undefined ? { suffixes: filter.suffixes } : {}),
    expectedBucket: requireEnv(ENV.BUCKET_NAME),
    // Idempotency: the outcome store writes each object version's notification under a
    // deterministic id with a conditional write, so a duplicate delivery can never add a second
    // notification. `skipRecordedObjects` also checks that id first (one GetItem), so a duplicate
    // delivery is not processed again (no second decode, report or thumbnail version).
    skipRecordedObjects: true,
    processor,
    store: {
      table: notificationsTableFromEnv(),
      fingerprint: requireEnv(ENV.CONFIG_FINGERPRINT),
      logger,
    },
    ...(outcomeEventBus !== undefined ? { publisher: createOutcomePublisher(outcomeEventBus) } : {}),
    logger,
    metrics,
  };
  const handle = async (event: unknown, context: Context): Promise<S3EventSummary | SQSBatchResponse | BatchOperationsResponse> => {
    logger.addContext(context);
    let invocation;
    try {
      invocation = classifyInvocation(event);
    } catch (err) {
      if (err instanceof UnrecognizedEventError) {
        logger.error('Unrecognized invocation: failing it, so that it is retried and then dead-lettered, never dropped', {
          error: err, event: JSON.stringify(event)?.slice(0, 4096),
        });
      }
      throw err;
    }
    // The invocation's remaining time, shared among its objects (records, messages or tasks).
    const budget = (objects: number) => ({ ...options, budget: invocationBudget(context, objects) });
    switch (invocation.kind) {
      case 'batch-operations':
        return processBatchOperationsEvent(invocation.event, { ...budget(invocation.event.tasks?.length ?? 1), s3 });
      case 'sqs':
        return processSqsEvent(invocation.event, budget(invocation.event.Records.length));
      case 'test-event':
        logger.info('S3 test event; nothing to do');
        return { records: [] };
      case 's3':
        return processS3Event(invocation.event, budget(invocation.event.Records?.length ?? 1));
    }
  };
  // With tracing, each invocation is one root span carrying the configuration fingerprint (./tracing).
  const traced = { [ATTR.FINGERPRINT]: options.store.fingerprint };
  const handler = (event: unknown, context: Context) => traceInvocation(() => handle(event, context), traced, context?.awsRequestId);
  // The overloads of S3Handler hold: each shape is answered by its adapter (./event-shapes).
  return handler as S3Handler;
}
