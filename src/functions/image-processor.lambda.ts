import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { ENV, requireEnv, requirePrefixEnv } from './shared/env';
import { createHeadObjectProcessor } from './shared/head-object-processor';
import { OUTCOME } from './shared/notifications-model';
import { createNotificationsTable } from './shared/notifications-table';
import { createObservability } from './shared/observability';
import { processS3Event, ProcessS3EventOptions, S3EventSummary } from './shared/s3-event';

// Module scope: created once per execution environment, reused by every invocation.
const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
const s3 = new S3Client({});

const options: ProcessS3EventOptions = {
  kind: 'image',
  inputPrefix: requirePrefixEnv(ENV.IMAGES_PREFIX),
  outputPrefixes: [requirePrefixEnv(ENV.THUMBNAILS_PREFIX), requirePrefixEnv(ENV.REPORTS_PREFIX)],
  expectedBucket: requireEnv(ENV.BUCKET_NAME),
  // For now: confirm the object exists and record `image.received`. Thumbnailing replaces this processor.
  processor: createHeadObjectProcessor({ s3, type: OUTCOME.IMAGE_RECEIVED }),
  store: { table: createNotificationsTable(requireEnv(ENV.TABLE_NAME)), logger },
  logger,
  metrics,
};

/** ObjectCreated events for the images prefix: one recorded outcome per object (see processS3Event). */
export const handler = async (event: S3Event, context: Context): Promise<S3EventSummary> => {
  logger.addContext(context);
  return processS3Event(event, options);
};
