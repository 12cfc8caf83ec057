import { createDataProcessor } from './runtime/data-processor';
import { readDataLimits } from './runtime/limits';
import { loadSchemaValidators } from './runtime/schema-validators';
import { ENV } from '../contract/env-names';
import { requirePrefixEnv } from '../runtime/env';
import { createS3Handler, ingestionS3Client } from '../runtime/s3-handler';

// Module scope: created once per execution environment, reused by every invocation.
// The schema, precompiled at synth by the construct into schema/ next to this file (none: well-formedness only).
const validators = loadSchemaValidators(__dirname);
const s3 = ingestionS3Client();
const processor = createDataProcessor({
  s3,
  reportsPrefix: requirePrefixEnv(ENV.REPORTS_PREFIX),
  validators,
  limits: readDataLimits(),
});

/** ObjectCreated events for the data prefix: each object is stream-validated, reported and recorded once (see processS3Event). */
export const handler = createS3Handler('data', requirePrefixEnv(ENV.DATA_PREFIX), processor, s3);
