/**
 * Bounds of the data validator's limits: the construct checks its props against them at synth
 * (their defaults are in src/data/data-settings.ts) and the handler reads the values the
 * construct sets in its environment.
 */
export const DATA_LIMITS = {
  /** Largest object validated (larger objects are rejected before a byte is read). */
  maxDataBytes: { min: 1, max: 5 * 1024 ** 4 },
  /** Longest NDJSON line, CSV line or JSON record (held in memory once, while it is checked). */
  maxRecordBytes: { min: 1024, max: 256 * 1024 ** 2 },
  /** Deepest nesting of arrays and objects inside one record (the record itself is depth 1). */
  maxJsonDepth: { min: 1, max: 1000 },
  /** Error entries listed by a report (the counts cover every error). */
  maxReportErrors: { min: 1, max: 10_000 },
} as const;

/** Largest accepted data schema, in bytes (it travels in the function's code asset, not in its environment). */
export const MAX_SCHEMA_BYTES = 256 * 1024;

/** File names of the schema artifacts the construct writes next to the data validator's `index.js`. */
export const SCHEMA_ARTIFACTS = {
  /** Directory, relative to the handler's own directory. */
  DIR: 'schema',
  /** Precompiled (ajv standalone) validator for JSON and NDJSON records: types are strict. */
  JSON_VALIDATOR: 'validate-json.js',
  /** Precompiled validator for CSV records: ajv `coerceTypes`, since every CSV cell is a string. */
  CSV_VALIDATOR: 'validate-csv.js',
  /** `{ sha256, id, draft, bytes }` of the schema, quoted in reports. */
  META: 'schema-meta.json',
  /** {@link SchemaBounds}: what the schema itself limits, which lets the handler skip checks a valid record cannot fail. */
  BOUNDS: 'schema-bounds.json',
  /** re2js (CommonJS), which runs the schema's patterns: written only for a schema with a pattern. */
  RE2: 're2js.cjs',
} as const;

/** Identity of the schema a report was made with. */
export interface SchemaMeta {
  /** sha256 (hex) of the schema text as given. */
  readonly sha256: string;
  /** The schema's `$id`, else its `title`, if it has one. */
  readonly id?: string;
  /** JSON Schema draft it was compiled as, e.g. `draft-07`. */
  readonly draft: string;
  /** Size of the schema text, in bytes. */
  readonly bytes: number;
}

/** What a schema itself limits in the records it accepts, worked out at synth. */
export interface SchemaBounds {
  /**
   * The deepest nesting of arrays and objects in any record the schema accepts (a record object
   * is depth 1); absent when the schema does not bound it (open objects, arrays of any item,
   * recursive `$ref`s, …).
   */
  readonly maxDepth?: number;
}
