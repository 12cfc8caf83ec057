import type { ValidationLimits } from './validate-data';
import { ENV } from '../../contract/env-names';
import { requirePositiveIntEnv } from '../../runtime/env';

/** Every limit of the data validator. */
export interface DataLimits extends ValidationLimits {
  /** Largest object validated, in bytes. */
  readonly maxDataBytes: number;
}

/** The limits the construct sets in the environment (each one required). */
export function readDataLimits(env: NodeJS.ProcessEnv = process.env): DataLimits {
  return {
    maxDataBytes: requirePositiveIntEnv(ENV.DATA_MAX_BYTES, env),
    maxRecordBytes: requirePositiveIntEnv(ENV.DATA_MAX_RECORD_BYTES, env),
    maxJsonDepth: requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, env),
    maxReportErrors: requirePositiveIntEnv(ENV.DATA_MAX_REPORT_ERRORS, env),
  };
}
