/**
 * Names of the environment variables the construct sets and the handlers read.
 * Shared by both sides so that a rename cannot break one of them silently.
 */
export const ENV = {
  /** Name of the DynamoDB notifications table. */
  TABLE_NAME: 'TAP_TABLE_NAME',
  /** Name of the ingestion bucket (empty for the notification handler). */
  BUCKET_NAME: 'TAP_BUCKET_NAME',
  /**
   * S3 functions: the 12-digit account that owns the ingestion bucket. Every S3 request names it
   * as `ExpectedBucketOwner`, so that a bucket of the same name in another account (after the
   * bucket was deleted and its name taken) is never read or written: S3 answers 403.
   */
  BUCKET_OWNER: 'TAP_BUCKET_OWNER',
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
  /**
   * S3 functions: fingerprint of the settings that shape the function's output (computed by the
   * construct at synth); part of every outcome's id, so a configuration change lets an object be
   * processed again.
   */
  CONFIG_FINGERPRINT: 'TAP_CONFIG_FINGERPRINT',
  /**
   * Every function: how many shards the listing indexes spread their writes over (a whole number
   * from 1 to 64). Writers put each notification in one shard; the API reads them all.
   */
  INDEX_SHARDS: 'TAP_INDEX_SHARDS',
  /**
   * Optional, every function: seconds a notification is kept before DynamoDB's TTL deletes it
   * (its `expiresAt` is its creation time plus this). Unset or empty: kept until deleted.
   */
  NOTIFICATION_RETENTION_SECONDS: 'TAP_NOTIFICATION_RETENTION_SECONDS',
  /**
   * Optional, S3 functions: the event bus (name or ARN) every recorded outcome is published to.
   * Unset or empty: no outcome events.
   */
  OUTCOME_EVENT_BUS: 'TAP_OUTCOME_EVENT_BUS',
  /**
   * Every function: `false` when the construct's `tracing` is off. Otherwise, in Lambda, the function
   * sends OpenTelemetry spans of each invocation to the environment's trace endpoint.
   */
  TRACING: 'TAP_TRACING',
  /** The deployment's environment suffix, e.g. `dev`. */
  ENVIRONMENT: 'TAP_ENVIRONMENT',
  /**
   * Optional, notification handler and export only: comma-separated origins allowed by CORS, e.g.
   * `https://app.example.com,https://admin.example.com` (`*` allows any origin). Unset or
   * empty: no CORS header is ever returned.
   */
  CORS_ORIGINS: 'TAP_CORS_ORIGINS',
  /**
   * Optional, export function: longest since–until range of one `GET /notifications/export`, in
   * whole seconds (a longer one is a 400; without `since` the range is this long). Unset: 31 days.
   */
  EXPORT_MAX_RANGE_SECONDS: 'TAP_EXPORT_MAX_RANGE_SECONDS',
  /** Data validator: largest object validated, in bytes (larger ones are rejected without being read). */
  DATA_MAX_BYTES: 'TAP_DATA_MAX_BYTES',
  /** Data validator: longest NDJSON line, CSV line or JSON record, in bytes. */
  DATA_MAX_RECORD_BYTES: 'TAP_DATA_MAX_RECORD_BYTES',
  /** Data validator: deepest nesting of arrays and objects inside one record. */
  DATA_MAX_JSON_DEPTH: 'TAP_DATA_MAX_JSON_DEPTH',
  /** Data validator: how many error entries a report lists (the counts cover all of them). */
  DATA_MAX_REPORT_ERRORS: 'TAP_DATA_MAX_REPORT_ERRORS',
  /** Route dispatcher: the route's name, the first part of the outcome types it records (e.g. `pdf`). */
  ROUTE_NAME: 'TAP_ROUTE_NAME',
  /** Route dispatcher: the route's prefix, e.g. `pdfs/`. */
  ROUTE_PREFIX: 'TAP_ROUTE_PREFIX',
  /** Optional, route dispatcher: comma-separated key suffixes the route takes (unset: every key under the prefix). */
  ROUTE_SUFFIXES: 'TAP_ROUTE_SUFFIXES',
  /** Route dispatcher: the name or ARN of the route's function, invoked once per object version. */
  ROUTE_FUNCTION: 'TAP_ROUTE_FUNCTION',
  /** Optional, route dispatcher: largest object handed to the route's function, in bytes (larger ones are rejected). */
  ROUTE_MAX_OBJECT_BYTES: 'TAP_ROUTE_MAX_OBJECT_BYTES',
  /** Optional, route dispatcher: `key` or `key=value`, an object tag that makes the route skip the object. */
  ROUTE_SKIP_TAG: 'TAP_ROUTE_SKIP_TAG',
  /**
   * Optional, notification handler: comma-separated route names whose namespaces POST /notifications
   * refuses, besides the built-in ones (`image`, `data`).
   */
  ROUTE_NAMESPACES: 'TAP_ROUTE_NAMESPACES',
  /**
   * S3 functions: the ARN of the dead-letter queue where their failed events end up (their own
   * dead-letter target is the failure recorder's intake queue, which forwards every event there).
   */
  DEAD_LETTER_QUEUE: 'TAP_DEAD_LETTER_QUEUE',
  /** Failure recorder: the URL of the dead-letter queue it forwards every failed event to. */
  DEAD_LETTER_QUEUE_URL: 'TAP_DEAD_LETTER_QUEUE_URL',
  /**
   * Failure recorder: JSON list of the S3 functions' routes, `[{"kind", "prefix", "suffixes",
   * "fingerprint"}]`: which outcome namespace and fingerprint a failed object is recorded under.
   */
  FAILURE_ROUTES: 'TAP_FAILURE_ROUTES',
  /** Failure recorder: how many times an event was tried before it failed (the retries or receives, plus one). */
  FAILURE_ATTEMPTS: 'TAP_FAILURE_ATTEMPTS',
} as const;

/** One of the environment variable names above. */
export type EnvName = (typeof ENV)[keyof typeof ENV];
