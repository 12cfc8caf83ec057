/**
 * The shape of the notifications table and of the notifications API, shared by
 * the construct (table keys, indexes, API Gateway request model) and the handlers.
 */

/** Attribute names of a notification item. */
export const ATTR = {
  /** Partition key: the notification id. */
  ID: 'id',
  /** The notification type, e.g. `image.processed`. Partition key of the by-type index. */
  TYPE: 'type',
  /** ISO-8601 creation time. */
  CREATED_AT: 'createdAt',
  /** `<createdAt>#<id>`: sort key of both indexes, newest first when read backwards. */
  SORT_KEY: 'sortKey',
  /** `ALL#<shard>`: partition key of the by-time index (the shard comes from the id's hash). */
  FEED_SHARD: 'feedShard',
  /** `<type>#<shard>`: partition key of the by-type index. */
  TYPE_SHARD: 'typeShard',
  /** Epoch seconds after which DynamoDB's TTL deletes the item (only when a retention is set). */
  EXPIRES_AT: 'expiresAt',
} as const;

/**
 * Attributes of an object version's index item (id `ver-…`, one per object version the S3
 * functions have recorded): not a notification, never listed nor returned by the API.
 */
export const OBJECT_VERSION_ATTR = {
  /** String set: the configuration fingerprints the version has an outcome under. */
  FINGERPRINTS: 'fingerprints',
} as const;

/** The feed part of {@link ATTR.FEED_SHARD}: every notification is in the feed, spread over its shards. */
export const FEED_ALL = 'ALL';

/**
 * Partitions each listing index spreads its writes over, by default. An index partition takes
 * about 1,000 writes per second and every index entry is one write (KEYS_ONLY entries are far
 * under 1 KB), so 16 shards sustain about 16,000 outcomes per second per index.
 */
export const DEFAULT_INDEX_SHARDS = 16;
/** Most shards a deployment may use: a page of GET /notifications reads every shard once. */
export const MAX_INDEX_SHARDS = 64;

/** A shard's partition key value: `<prefix>#<two-digit shard>`, e.g. `ALL#07`, `image.processed#07`. */
export function shardKey(prefix: string, shard: number): string {
  return `${prefix}#${String(shard).padStart(2, '0')}`;
}

/**
 * `source` of the EventBridge event published for every recorded outcome (with `outcomeEvents`);
 * its `detail-type` is the notification type, its `detail` the notification.
 */
export const OUTCOME_EVENT_SOURCE = 'cdk-tap-serverless';

/** Global secondary index: every notification, by time. */
export const INDEX_BY_TIME = 'byTime';
/** Global secondary index: notifications of one type, by time. */
export const INDEX_BY_TYPE = 'byType';

/** Largest POST /notifications body accepted, in bytes (413 above it). */
export const MAX_BODY_BYTES = 16 * 1024;
/** Default and maximum page sizes of GET /notifications. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * A notification id the API can have issued (UUIDs and `obj-<sha256>`): 1 to 128 of these
 * characters. Ids outside it are never looked up.
 */
export const NOTIFICATION_ID_PATTERN = '[A-Za-z0-9._:-]{1,128}';

/**
 * The table's partition keys each writer creates, as IAM `StringLike` patterns: the conditions
 * (`dynamodb:LeadingKeys`) that keep an S3 function from writing a posted notification and the API
 * from writing an object's outcome. An S3 function records outcomes (`obj-` + 64 hex digits) and
 * updates version items (`ver-` + 64 hex digits); `POST /notifications` creates UUIDs (36 characters).
 */
export const WRITTEN_KEYS = {
  /** Outcome notifications of the S3 functions (see `objectNotificationId`). */
  OUTCOME: 'obj-*',
  /** Object-version index items of the S3 functions (see `objectVersionItemId`). */
  OBJECT_VERSION: 'ver-*',
  /** Notifications created through the API (`crypto.randomUUID`). */
  POSTED: '????????-????-????-????-????????????',
} as const;

/** Pattern of a notification type: dotted lower-case words, e.g. `image.processed`. */
export const TYPE_PATTERN = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$';

/**
 * JSON Schema (draft-04 subset, so that API Gateway models and ajv read it alike)
 * of the body of POST /notifications.
 */
export const CREATE_NOTIFICATION_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'message'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64, pattern: TYPE_PATTERN },
    message: { type: 'string', minLength: 1, maxLength: 2048 },
    source: { type: 'string', minLength: 1, maxLength: 1024 },
    details: { type: 'object' },
  },
} as const;

/** Notification types recorded by the S3 handlers, by function kind. */
export const OUTCOME = {
  image: { PROCESSED: 'image.processed', REJECTED: 'image.rejected', SKIPPED: 'image.skipped' },
  data: { VALID: 'data.valid', INVALID: 'data.invalid', REJECTED: 'data.rejected', SKIPPED: 'data.skipped' },
} as const;

/** The kind of an S3 function: the first part of the notification types it records. */
export type S3FunctionKind = keyof typeof OUTCOME;

/**
 * What an S3 function records its outcomes under: a built-in kind (`image`, `data`) or a route's
 * name (`pdf`, …), the first part of every type it records.
 */
export type OutcomeNamespace = S3FunctionKind | (string & {});

/**
 * Namespaces (first part of a type) only the pipeline records in: POST /notifications refuses a type
 * in them, so that no API caller can forge an outcome (`data.valid`) that listings, exports and
 * outcome events would show as the pipeline's.
 */
export const RESERVED_TYPE_NAMESPACES: readonly string[] = Object.keys(OUTCOME);

/** The reserved namespace `type` is in, if any: a built-in one, or one of `routes` (the routes' names). */
export function reservedNamespaceOf(type: string, routes: readonly string[] = []): string | undefined {
  const namespace = type.split('.', 1)[0];
  return RESERVED_TYPE_NAMESPACES.includes(namespace) || routes.includes(namespace) ? namespace : undefined;
}

/** Outcomes every S3 function records, whatever its processor: `<kind>.rejected`, `<kind>.skipped`. */
export function pipelineOutcome(kind: string, outcome: 'rejected' | 'skipped'): string {
  return `${kind}.${outcome}`;
}

/** Largest serialized size, in bytes, of the `details` object of a POST /notifications body (400 above it). */
export const MAX_DETAILS_BYTES = 8 * 1024;
/** Deepest nesting of objects and arrays inside `details` (DynamoDB allows 32 levels in an item). */
export const MAX_DETAILS_DEPTH = 10;
/** Longest `nextToken` accepted by GET /notifications (400 above it). */
export const MAX_PAGE_TOKEN_LENGTH = 2048;

/**
 * Longest run of one `GET /notifications/export`, in seconds: the export function's timeout and the
 * streaming integration's timeout (15 minutes, the most API Gateway allows a streamed response and
 * Lambda allows a function). The handler stops a little earlier and says where to resume.
 */
export const EXPORT_MAX_SECONDS = 900;

/** Default longest since–until range of one export (`apiExportMaxRange`), in seconds: 31 days. */
export const DEFAULT_EXPORT_MAX_RANGE_SECONDS = 31 * 86_400;

/** Query string parameters of `GET /notifications/export` (any other is a 400). */
export const EXPORT_PARAMETERS = ['type', 'since', 'until'] as const;
