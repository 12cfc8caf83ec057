/**
 * Names of the environment variables the construct sets and the handlers read.
 * Shared by both sides so that a rename cannot break one of them silently.
 */
export const ENV = {
  /** Name of the DynamoDB notifications table. */
  TABLE_NAME: 'TAP_TABLE_NAME',
  /** Name of the ingestion bucket (empty for the notification handler). */
  BUCKET_NAME: 'TAP_BUCKET_NAME',
  /** Input prefix of images, e.g. `images/`. */
  IMAGES_PREFIX: 'TAP_IMAGES_PREFIX',
  /** Input prefix of data files, e.g. `data/`. */
  DATA_PREFIX: 'TAP_DATA_PREFIX',
  /** Output prefix of thumbnails, e.g. `thumbnails/`. */
  THUMBNAILS_PREFIX: 'TAP_THUMBNAILS_PREFIX',
  /** Output prefix of validation reports, e.g. `reports/`. */
  REPORTS_PREFIX: 'TAP_REPORTS_PREFIX',
  /** Image processor: comma-separated thumbnail widths in pixels, e.g. `128,512`. */
  THUMBNAIL_WIDTHS: 'TAP_THUMBNAIL_WIDTHS',
  /** Image processor: thumbnail format, one of `webp`, `jpeg`, `png`, `avif`. */
  THUMBNAIL_FORMAT: 'TAP_THUMBNAIL_FORMAT',
  /** Image processor: largest accepted object, in bytes (larger ones are rejected without download). */
  MAX_IMAGE_BYTES: 'TAP_MAX_IMAGE_BYTES',
  /** Image processor: largest accepted width × height, in pixels (decompression-bomb limit). */
  MAX_IMAGE_PIXELS: 'TAP_MAX_IMAGE_PIXELS',
  /** The deployment's environment suffix, e.g. `dev`. */
  ENVIRONMENT: 'TAP_ENVIRONMENT',
  /**
   * Optional, notification handler only: comma-separated origins allowed by CORS, e.g.
   * `https://app.example.com,https://admin.example.com` (`*` allows any origin). Unset or
   * empty: no CORS header is ever returned.
   */
  CORS_ORIGINS: 'TAP_CORS_ORIGINS',
  /** Data validator: largest object validated, in bytes (larger ones are rejected without being read). */
  DATA_MAX_BYTES: 'TAP_DATA_MAX_BYTES',
  /** Data validator: longest NDJSON line, CSV line or JSON record, in bytes. */
  DATA_MAX_RECORD_BYTES: 'TAP_DATA_MAX_RECORD_BYTES',
  /** Data validator: deepest nesting of arrays and objects inside one record. */
  DATA_MAX_JSON_DEPTH: 'TAP_DATA_MAX_JSON_DEPTH',
  /** Data validator: how many error entries a report lists (the counts cover all of them). */
  DATA_MAX_REPORT_ERRORS: 'TAP_DATA_MAX_REPORT_ERRORS',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/** Thrown when a required environment variable is missing: a deployment error, never retried into success. */
export class MissingEnvironmentError extends Error {
  constructor(name: string) {
    super(`Environment variable ${name} is not set; this function must be deployed by the TapServerless construct, which sets it.`);
    this.name = 'MissingEnvironmentError';
  }
}

/** Reads a required environment variable, failing clearly when it is missing or empty. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new MissingEnvironmentError(name);
  }
  return value;
}

/** Reads an optional environment variable: `undefined` when it is missing or empty. */
export function optionalEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Thrown when a prefix environment variable is set but is not a usable S3 key prefix. */
export class InvalidPrefixEnvironmentError extends Error {
  constructor(name: string, value: string) {
    super(`Environment variable ${name} is ${JSON.stringify(value)}; an S3 key prefix must be non-empty and end with "/" (e.g. "images/").`);
    this.name = 'InvalidPrefixEnvironmentError';
  }
}

/** Reads a required S3 key prefix (non-empty, ending with `/`), failing clearly otherwise. */
export function requirePrefixEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = requireEnv(name, env);
  if (!value.endsWith('/')) {
    throw new InvalidPrefixEnvironmentError(name, value);
  }
  return value;
}

/** Thrown when an integer environment variable is set but is not a positive whole number. */
export class InvalidIntegerEnvironmentError extends Error {
  constructor(name: string, value: string) {
    super(`Environment variable ${name} is ${JSON.stringify(value)}; it must be a positive whole number.`);
    this.name = 'InvalidIntegerEnvironmentError';
  }
}

/** Reads an optional positive integer: `fallback` when missing or empty, an error when malformed. */
export function positiveIntEnv(name: EnvName, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const value = optionalEnv(name, env);
  if (value === undefined) {
    return fallback;
  }
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new InvalidIntegerEnvironmentError(name, value);
  }
  return Number(value);
}
