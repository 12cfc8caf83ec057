import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { parseImageSettings } from './runtime/settings';
import { createThumbnailProcessor } from './runtime/thumbnail-processor';
import { configureSharpForLambda } from './runtime/thumbnails';
import { ENV } from '../contract/env-names';
import { requireEnv, requirePrefixEnv } from '../runtime/env';
import { createNotificationsTable } from '../runtime/notifications-table';
import { createObservability } from '../runtime/observability';
import { processS3Event, ProcessS3EventOptions, S3EventSummary } from '../runtime/s3-event';

// Module scope: created once per execution environment, reused by every invocation.
configureSharpForLambda();
const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
const s3 = new S3Client({});
const imagesPrefix = requirePrefixEnv(ENV.IMAGES_PREFIX);
const thumbnailsPrefix = requirePrefixEnv(ENV.THUMBNAILS_PREFIX);

const options: ProcessS3EventOptions = {
  kind: 'image',
  inputPrefix: imagesPrefix,
  outputPrefixes: [thumbnailsPrefix, requirePrefixEnv(ENV.REPORTS_PREFIX)],
  expectedBucket: requireEnv(ENV.BUCKET_NAME),
  processor: createThumbnailProcessor({ s3, settings: parseImageSettings(), imagesPrefix, thumbnailsPrefix }),
  // Idempotency: the outcome store writes each object version's notification under a
  // deterministic id with a conditional write, so a duplicate delivery can never add a second
  // notification. `skipRecordedObjects` also checks that id first (one GetItem), so a duplicate
  // delivery does not decode the image again nor write a second version of its thumbnails.
  skipRecordedObjects: true,
  store: { table: createNotificationsTable(requireEnv(ENV.TABLE_NAME)), logger },
  logger,
  metrics,
};

/** ObjectCreated events for the images prefix: thumbnails and one recorded outcome per object (see processS3Event). */
export const handler = async (event: S3Event, context: Context): Promise<S3EventSummary> => {
  logger.addContext(context);
  return processS3Event(event, options);
};
