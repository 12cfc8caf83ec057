import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import type { ErrorObject } from 'ajv';
import equal from 'ajv/dist/runtime/equal';
import ucs2length from 'ajv/dist/runtime/ucs2length';
import uri from 'ajv/dist/runtime/uri';
import ValidationError from 'ajv/dist/runtime/validation_error';
import { SCHEMA_ARTIFACTS, SchemaBounds, SchemaMeta } from '../../contract/data-limits';
import { errorMessage, errorPointer } from '../../runtime/ajv-errors';
import { DATA_FORMATS_MODULE, dataFormats } from '../shared/data-formats';
import { DATA_KEYWORDS_MODULE, duplicateItems, linearRegExp, Re2Module, useRe2 } from '../shared/linear-keywords';

/** One schema error of a record: where in the record, what, and which keyword. */
export interface RecordError {
  /** JSON pointer inside the record (`""` is the record itself). */
  readonly path: string;
  readonly message: string;
  readonly keyword: string;
}

/** Validates one record: no errors means valid. May coerce the record in place (CSV). */
export type RecordValidator = (record: unknown) => RecordError[];

/** The compiled schema of a deployment: one validator per kind of record, and the schema's identity. */
export interface SchemaValidators {
  /** JSON and NDJSON records: strict types. */
  readonly json: RecordValidator;
  /** CSV records: strings are coerced to the schema's types (ajv `coerceTypes`). */
  readonly csv: RecordValidator;
  readonly meta: SchemaMeta;
  /**
   * The deepest nesting of any record the schema accepts (a record object is depth 1), when the
   * schema bounds it: a record no deeper than the limit needs its depth checked only if it is invalid.
   */
  readonly maxDepth?: number;
}

/** The shape of an ajv validate function (standalone or compiled). */
export interface AjvValidateFunction {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/**
 * The modules an ajv standalone validator may `require`, bundled into this function by esbuild
 * (the function's asset has no node_modules). A validator needing anything else fails at load,
 * naming the module: a build error, never a silent pass.
 */
const STANDALONE_RUNTIME: Readonly<Record<string, unknown>> = {
  'ajv/dist/runtime/equal': { default: equal },
  'ajv/dist/runtime/ucs2length': { default: ucs2length },
  'ajv/dist/runtime/uri': { default: uri },
  'ajv/dist/runtime/validation_error': { default: ValidationError },
  [DATA_FORMATS_MODULE]: { dataFormats },
  [DATA_KEYWORDS_MODULE]: { linearRegExp, duplicateItems },
};

/**
 * Loads one ajv standalone (CommonJS) validator module from its source text. `modules` adds
 * modules it may `require` (the bench loads validators compiled with other formats this way).
 */
export function loadStandaloneValidator(source: string, filename: string, modules: Readonly<Record<string, unknown>> = {}): AjvValidateFunction {
  const requireRuntime = (id: string): unknown => {
    const found = STANDALONE_RUNTIME[id] ?? modules[id];
    if (found === undefined) {
      throw new Error(`${filename} requires "${id}", which the data validator does not bundle`);
    }
    return found;
  };
  const module: { exports: unknown } = { exports: {} };
  const wrapper = runInThisContext(`(function (module, exports, require) {${source}\n})`, { filename }) as
    (m: typeof module, e: unknown, r: typeof requireRuntime) => void;
  wrapper(module, module.exports, requireRuntime);
  const validate = module.exports as AjvValidateFunction;
  if (typeof validate !== 'function') {
    throw new Error(`${filename} does not export a validate function`);
  }
  return validate;
}

/** ajv errors as report errors: the path points at the offending field, even a missing one. */
export function toRecordErrors(errors: readonly ErrorObject[]): RecordError[] {
  return errors.map((error) => ({
    path: errorPointer(error),
    message: errorMessage(error, { fallbackVerb: 'failed', allowedValuesChars: 200 }),
    keyword: error.keyword,
  }));
}

/** No errors: one frozen array for every valid record, not a new one each. */
const NO_ERRORS: RecordError[] = Object.freeze([]) as unknown as RecordError[];

/** A record validator from an ajv validate function. */
export function recordValidator(validate: AjvValidateFunction): RecordValidator {
  return (record) => (validate(record) ? NO_ERRORS : toRecordErrors(validate.errors ?? []));
}

/**
 * Loads the precompiled validators the construct wrote into `<dir>/schema/` at synth, or
 * `undefined` when the deployment has no schema (only well-formedness is checked).
 *
 * Why precompiled (ajv standalone) rather than compiling a schema.json at cold start, measured
 * with `npx ts-node --project tsconfig.dev.json bench/measure-schema-load.ts` (order.schema.json fixture, both validators, esbuild
 * bundles as the handler's, median of 7 fresh Node 20 processes, 2026-11): loading the standalone
 * validators takes 4.1 ms (bundle 29 KB), bundling ajv + ajv-formats and compiling takes 56.6 ms
 * (bundle 132 KB); an empty module takes 1.1 ms. The schema is compiled once, at synth, where it is
 * also checked.
 */
export function loadSchemaValidators(dir: string): SchemaValidators | undefined {
  const schemaDir = join(dir, SCHEMA_ARTIFACTS.DIR);
  const metaFile = join(schemaDir, SCHEMA_ARTIFACTS.META);
  if (!existsSync(metaFile)) {
    return undefined;
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as SchemaMeta;
  // re2js, for a schema with patterns, is beside it (not in this bundle); loaded by the first pattern.
  const re2File = join(schemaDir, SCHEMA_ARTIFACTS.RE2);
  useRe2(() => createRequire(re2File)(re2File) as Re2Module);
  const load = (name: string): RecordValidator => {
    const file = join(schemaDir, name);
    return recordValidator(loadStandaloneValidator(readFileSync(file, 'utf8'), file));
  };
  // Without the bounds file (validators written by hand), every record's depth is checked.
  const boundsFile = join(schemaDir, SCHEMA_ARTIFACTS.BOUNDS);
  const bounds = existsSync(boundsFile) ? JSON.parse(readFileSync(boundsFile, 'utf8')) as SchemaBounds : {};
  return {
    json: load(SCHEMA_ARTIFACTS.JSON_VALIDATOR),
    csv: load(SCHEMA_ARTIFACTS.CSV_VALIDATOR),
    meta,
    maxDepth: Number.isInteger(bounds.maxDepth) ? bounds.maxDepth : undefined,
  };
}
