import { Size } from 'aws-cdk-lib';
import type { DataValidationOptions } from './data-validation-options';
import { CompiledDataSchema, compileDataSchema } from './schema-compiler';
import { configFingerprint } from '../construct/fingerprint';
import { fail, sizeInBytes } from '../construct/validation';
import { DATA_LIMITS } from '../contract/data-limits';

/** The data validator's defaults; the `@default` of each option in its TSDoc says the same. */
export const DATA_DEFAULTS = {
  dataMaxSize: Size.gibibytes(1),
  dataMaxRecordSize: Size.mebibytes(1),
  dataMaxJsonDepth: 64,
  dataMaxReportErrors: 100,
} as const;

/** Data validator limits, resolved to numbers (bytes, levels, entries). */
export interface DataLimits {
  readonly maxDataBytes: number;
  readonly maxRecordBytes: number;
  readonly maxJsonDepth: number;
  readonly maxReportErrors: number;
}

/** {@link DataValidationOptions} resolved: the limits checked, the schema checked and precompiled. */
export interface DataSettings extends DataLimits {
  /** The data schema, checked and precompiled. */
  readonly schema?: CompiledDataSchema;
}

/** Applies the defaults, checks every limit and precompiles the schema. */
export function resolveDataSettings(options: DataValidationOptions): DataSettings {
  const limits: DataLimits = {
    maxDataBytes: sizeInBytes('dataMaxSize', options.dataMaxSize ?? DATA_DEFAULTS.dataMaxSize),
    maxRecordBytes: sizeInBytes('dataMaxRecordSize', options.dataMaxRecordSize ?? DATA_DEFAULTS.dataMaxRecordSize),
    maxJsonDepth: options.dataMaxJsonDepth ?? DATA_DEFAULTS.dataMaxJsonDepth,
    maxReportErrors: options.dataMaxReportErrors ?? DATA_DEFAULTS.dataMaxReportErrors,
  };
  validateDataLimits(limits, DATA_LIMITS);
  return { ...limits, schema: options.dataSchema ? compileDataSchema(options.dataSchema) : undefined };
}

/**
 * The configuration fingerprint of the data validator: the data schema's hash (none: no schema)
 * and the limits that decide a verdict or a report's content.
 */
export function dataValidatorFingerprint(data: DataSettings): string {
  return configFingerprint('data', {
    schemaSha256: data.schema?.meta.sha256 ?? null,
    maxDataBytes: data.maxDataBytes,
    maxRecordBytes: data.maxRecordBytes,
    maxJsonDepth: data.maxJsonDepth,
    maxReportErrors: data.maxReportErrors,
  });
}

/** Each limit is a whole number within the bounds the data validator supports. */
export function validateDataLimits(limits: DataLimits, bounds: {
  readonly [K in keyof DataLimits]: { readonly min: number; readonly max: number }
}): void {
  const check = (prop: string, value: number, bound: { min: number; max: number }, unit: string, example: string): void => {
    if (!Number.isSafeInteger(value) || value < bound.min || value > bound.max) {
      fail(prop, value, `it must be a whole number of ${unit} from ${bound.min} to ${bound.max}`, `Use, for example, ${example}.`);
    }
  };
  check('dataMaxSize', limits.maxDataBytes, bounds.maxDataBytes, 'bytes', 'Size.gibibytes(1)');
  check('dataMaxRecordSize', limits.maxRecordBytes, bounds.maxRecordBytes, 'bytes', 'Size.mebibytes(1)');
  check('dataMaxJsonDepth', limits.maxJsonDepth, bounds.maxJsonDepth, 'levels', '64');
  check('dataMaxReportErrors', limits.maxReportErrors, bounds.maxReportErrors, 'error entries', '100');
}
