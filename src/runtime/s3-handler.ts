import type { Context, S3Event } from 'aws-lambda';
import { requireEnv, requirePrefixEnv } from './env';
import { createNotificationsTable } from './notifications-table';
import { createObservability } from './observability';
import { ObjectProcessor, processS3Event, ProcessS3EventOptions, S3EventSummary } from './s3-event';
import { ENV } from '../contract/env-names';
import { S3FunctionKind } from '../contract/notifications-model';

/** The Lambda handler of an S3 function. */
export type S3Handler = (event: S3Event, context: Context) => Promise<S3EventSummary>;

/**
 * Builds the handler of an S3 function around its processor: the logger and metrics, the outcome
 * store and the settings the construct sets in the environment, then `processS3Event` over every
 * record of each event. Call it once, at module scope.
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
      table: createNotificationsTable(requireEnv(ENV.TABLE_NAME)),
      fingerprint: requireEnv(ENV.CONFIG_FINGERPRINT),
      logger,
    },
    logger,
    metrics,
  };
  return async (event, context) => {
    logger.addContext(context);
    return processS3Event(event, options);
  };
}
