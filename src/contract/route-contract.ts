/**
 * The contract between a route's dispatcher and the route's function (any runtime): what the
 * dispatcher sends for one object version, and what it reads back. Shared by the construct, the
 * dispatcher and the Node.js helper; documented for every language in docs/routes.md.
 */

/** The version of the request, in its `version` field: raised only by a change a function must handle. */
export const ROUTE_REQUEST_VERSION = 1;

/** What the dispatcher sends the route's function (a synchronous Invoke): one object version, never a batch. */
export interface RouteRequest {
  readonly version: typeof ROUTE_REQUEST_VERSION;
  /** The route's name: the namespace of the outcome types the function may return. */
  readonly route: string;
  readonly bucket: string;
  /** The object's key, decoded (not URL-encoded as in S3 events). */
  readonly key: string;
  /** The object's version: read this version (`VersionId`), never the latest. Absent in an unversioned bucket. */
  readonly versionId?: string;
  /** The object's ETag, unquoted: in an unversioned bucket, read with `IfMatch` on it. */
  readonly eTag?: string;
  /** The object's size in bytes, when the event says. */
  readonly size?: number;
  /** The route's configuration fingerprint: part of the outcome's id. */
  readonly fingerprint: string;
}

/**
 * What the route's function returns for an object it processed (every field optional): its outcome
 * type (`<route>.<word>`, default `<route>.processed`), a message (default `Processed s3://…`),
 * details (a JSON object) and the keys of what it wrote.
 */
export interface RouteResult {
  readonly type?: string;
  readonly message?: string;
  readonly details?: Record<string, unknown>;
  readonly outputKeys?: string[];
}

/**
 * The error type (`errorType` of Lambda's error payload: a Python exception's class name, a Node.js
 * error's `name`, a Java exception's class name after its package) that marks the object as the
 * input's fault: the object is recorded as `<route>.rejected`, once, and not retried.
 */
export const INPUT_ERROR_TYPE = 'InputError';

/** Outcome words a route's function may not return: the pipeline records them itself. */
export const PIPELINE_OUTCOME_WORDS: readonly string[] = ['rejected', 'skipped', 'failed'];

/** Most output keys one result may list. */
export const MAX_OUTPUT_KEYS = 100;

/**
 * A route's name: lower-case letters, digits and dashes, starting with a letter, at most 32
 * characters. It is the first part of every outcome type the route records.
 */
export const ROUTE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,31}$';
