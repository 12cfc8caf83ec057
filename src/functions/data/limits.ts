import type { ValidationLimits } from './validate-data';
import { DATA_LIMITS } from '../shared/data-limits';
import { ENV, positiveIntEnv } from '../shared/env';

/** Every limit of the data validator. */
export interface DataLimits extends ValidationLimits {
  /** Largest object validated, in bytes. */
  readonly maxDataBytes: number;
}

/** The limits set by the construct in the environment, or the defaults. */
export function readDataLimits(env: NodeJS.ProcessEnv = process.env): DataLimits {
  return {
    maxDataBytes: positiveIntEnv(ENV.DATA_MAX_BYTES, DATA_LIMITS.maxDataBytes.default, env),
    maxRecordBytes: positiveIntEnv(ENV.DATA_MAX_RECORD_BYTES, DATA_LIMITS.maxRecordBytes.default, env),
    maxJsonDepth: positiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, DATA_LIMITS.maxJsonDepth.default, env),
    maxReportErrors: positiveIntEnv(ENV.DATA_MAX_REPORT_ERRORS, DATA_LIMITS.maxReportErrors.default, env),
  };
}
