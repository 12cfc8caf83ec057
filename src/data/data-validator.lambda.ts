import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { createDataProcessor } from './runtime/data-processor';
import { readDataLimits } from './runtime/limits';
import { loadSchemaValidators } from './runtime/schema-validators';
import { ENV } from '../contract/env-names';
import { requireEnv, requirePrefixEnv } from '../runtime/env';
import { createNotificationsTable } from '../runtime/notifications-table';
import { createObservability } from '../runtime/observability';
import { processS3Event, ProcessS3EventOptions, S3EventSummary } from '../runtime/s3-event';

// Module scope: created once per execution environment, reused by every invocation.
const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
const s3 = new S3Client({});
const reportsPrefix = requirePrefixEnv(ENV.REPORTS_PREFIX);
// The schema, precompiled at synth by the construct into schema/ next to this file (none: well-formedness only).
const validators = loadSchemaValidators(__dirname);

const options: ProcessS3EventOptions = {
  kind: 'data',
  inputPrefix: requirePrefixEnv(ENV.DATA_PREFIX),
  outputPrefixes: [requirePrefixEnv(ENV.THUMBNAILS_PREFIX), reportsPrefix],
  expectedBucket: requireEnv(ENV.BUCKET_NAME),
  // A duplicate delivery of a large file costs one GetItem, not a second read and report.
  skipRecordedObjects: true,
  processor: createDataProcessor({ s3, reportsPrefix, validators, limits: readDataLimits() }),
  store: { table: createNotificationsTable(requireEnv(ENV.TABLE_NAME)), logger },
  logger,
  metrics,
};

/** ObjectCreated events for the data prefix: each object is stream-validated, reported and recorded once (see processS3Event). */
export const handler = async (event: S3Event, context: Context): Promise<S3EventSummary> => {
  logger.addContext(context);
  return processS3Event(event, options);
};
