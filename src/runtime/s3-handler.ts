import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { BatchOperationsEvent, BatchOperationsResponse, isBatchOperationsEvent, processBatchOperationsEvent } from './batch-operations';
import { requireEnv, requirePrefixEnv } from './env';
import { notificationsTableFromEnv } from './notifications-table';
import { createObservability } from './observability';
import { ObjectProcessor, processS3Event, ProcessS3EventOptions, S3EventSummary } from './s3-event';
import { ENV } from '../contract/env-names';
import { S3FunctionKind } from '../contract/notifications-model';

/**
 * The Lambda handler of an S3 function: S3 event notifications (answered with a summary, which S3
 * ignores) and S3 Batch Operations `LambdaInvoke` invocations (answered with one result per task).
 */
export interface S3Handler {
  (event: S3Event, context: Context): Promise<S3EventSummary>;
  (event: BatchOperationsEvent, context: Context): Promise<BatchOperationsResponse>;
}

/**
 * Builds the handler of an S3 function around its processor: the logger and metrics, the outcome
 * store and the settings the construct sets in the environment, then `processS3Event` over every
 * record of each S3 event, or `processBatchOperationsEvent` over every task of an S3 Batch
 * Operations invocation (the same per-object processing). Any other event is handled as an S3
 * event (one without records is logged and ignored, like the `s3:TestEvent`). Call it once, at
 * module scope.
 */
export function createS3Handler(kind: S3FunctionKind, inputPrefix: string, processor: ObjectProcessor): S3Handler {
  const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
  const options: ProcessS3EventOptions = {
    kind,
    inputPrefix,
    outputPrefixes: [requirePrefixEnv(ENV.THUMBNAILS_PREFIX), requirePrefixEnv(ENV.REPORTS_PREFIX)],
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
    logger,
    metrics,
  };
  const s3 = new S3Client({});
  const handler = async (event: S3Event | BatchOperationsEvent, context: Context): Promise<S3EventSummary | BatchOperationsResponse> => {
    logger.addContext(context);
    if (isBatchOperationsEvent(event)) {
      return processBatchOperationsEvent(event, { ...options, s3 });
    }
    return processS3Event(event, options);
  };
  // The overloads of S3Handler hold: a Batch Operations event is answered by the adapter, an S3 event by processS3Event.
  return handler as S3Handler;
}
