import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { TapAlarmOptions } from './alarm-options';
import { TapFunctionOptions } from './function-options';
import { Ingestion } from './ingestion';
import { OutcomeEvents } from './outcome-events';

/**
 * What the whole pipeline shares: its environment and tags, the bucket and its prefixes, the
 * functions' settings, how S3 events reach them and how failures are retried, the notifications
 * table, and the logs, traces, alarms and dashboard. Part of {@link TapServerlessProps}.
 */
export interface PipelineOptions {
  /**
   * Name of the deployment environment: the API stage name, the `Environment` tag and
   * the `environment` field of `GET /status`. 1-32 letters, digits, `-` or `_`.
   *
   * @default 'dev'
   */
  readonly environmentSuffix?: string;

  /**
   * Tags applied to every taggable resource of the construct, in addition to
   * `Project=TapServerless`, `Environment=<environmentSuffix>` and `ManagedBy=CDK`
   * (a tag given here with one of those keys wins).
   *
   * @default - only the three tags above
   */
  readonly tags?: { [key: string]: string };

  /**
   * An existing bucket to ingest from, instead of creating one. The construct adds
   * event notifications for the input prefixes and grants its functions access; it
   * does not change the bucket's other settings. Cannot be combined with `bucketProps`.
   *
   * Every S3 request of the functions names the bucket's account as `ExpectedBucketOwner`:
   * import a bucket of another account with that account
   * (`Bucket.fromBucketAttributes(this, 'Uploads', { bucketName, account })`), since a bucket
   * imported by name or ARN alone counts as the stack account's and S3 would refuse every request.
   *
   * @default - a new hardened bucket is created
   */
  readonly bucket?: s3.IBucket;

  /**
   * Overrides for the created bucket, applied over the construct's hardened defaults
   * (versioned, SSE-S3, all public access blocked, SSL enforced, bucket-owner-enforced
   * ownership, lifecycle). Use it to relax or extend them, e.g. KMS encryption or
   * server access logs. Cannot be combined with `bucket`.
   *
   * @default - the hardened defaults
   */
  readonly bucketProps?: s3.BucketProps;

  /**
   * Age at which current object versions move to S3 Standard-IA (at least 30 days).
   * Ignored when `bucketProps.lifecycleRules` or `bucket` is given.
   *
   * @default Duration.days(30)
   */
  readonly bucketTransitionToInfrequentAccessAfter?: Duration;

  /**
   * Age at which current object versions move to S3 Glacier Flexible Retrieval (at
   * least 30 days after the Standard-IA transition).
   * Ignored when `bucketProps.lifecycleRules` or `bucket` is given.
   *
   * @default Duration.days(90)
   */
  readonly bucketTransitionToGlacierAfter?: Duration;

  /**
   * How long a noncurrent (overwritten or deleted) object version is kept.
   * Ignored when `bucketProps.lifecycleRules` or `bucket` is given.
   *
   * @default Duration.days(90)
   */
  readonly bucketNoncurrentVersionExpiration?: Duration;

  /**
   * Key prefix whose uploads are turned into thumbnails.
   *
   * @default 'images/'
   */
  readonly imageInputPrefix?: string;

  /**
   * Key prefix whose uploads are validated.
   *
   * @default 'data/'
   */
  readonly dataInputPrefix?: string;

  /**
   * Key prefix thumbnails are written under. Must not overlap an input prefix.
   *
   * @default 'thumbnails/'
   */
  readonly imageOutputPrefix?: string;

  /**
   * Key prefix validation reports are written under. Must not overlap an input prefix.
   *
   * @default 'reports/'
   */
  readonly dataOutputPrefix?: string;

  /**
   * Settings shared by the four functions (the export function takes the notification
   * handler's); per-function settings override them.
   *
   * @default - the per-function defaults documented on `TapFunctionOptions`
   */
  readonly functionDefaults?: TapFunctionOptions;

  /**
   * Settings of the image processor function.
   *
   * @default - `functionDefaults`, then 1024 MiB and 1 minute
   */
  readonly imageProcessor?: TapFunctionOptions;

  /**
   * Settings of the data validator function.
   *
   * @default - `functionDefaults`, then 512 MiB and 5 minutes
   */
  readonly dataValidator?: TapFunctionOptions;

  /**
   * Settings of the notification handler function (behind the API).
   *
   * @default - `functionDefaults`, then 256 MiB and 10 seconds
   */
  readonly notificationHandler?: TapFunctionOptions;

  /**
   * How uploads reach the image processor and the data validator: `Ingestion.direct()` (S3
   * invokes each function asynchronously), `Ingestion.queue({ … })` (through an SQS queue per
   * function, in batches, with a concurrency cap) or `Ingestion.eventBridge()` (through
   * EventBridge rules: for buckets shared with other consumers). See "Choosing an ingestion
   * mode" in docs/operations.md.
   *
   * @default Ingestion.direct()
   */
  readonly ingestion?: Ingestion;

  /**
   * Publishes every outcome the S3 functions record as an EventBridge event, for downstream
   * systems: `OutcomeEvents.dedicatedBus()` (a bus of the construct's own, `outcomeEventBus`, that
   * only the pipeline can put events on: the choice when consumers act on the events),
   * `OutcomeEvents.defaultBus()` or `OutcomeEvents.bus(bus)`. `source` is `cdk-tap-serverless`,
   * `detail-type` the notification type (e.g. `image.processed`), `detail` the notification. At
   * least once: consumers deduplicate by `detail.id`.
   *
   * @default - no outcome events
   */
  readonly outcomeEvents?: OutcomeEvents;

  /**
   * How many times Lambda retries a failed asynchronous invocation (0-2) before the
   * event goes to the dead-letter queue.
   *
   * @default 2
   */
  readonly retryAttempts?: number;

  /**
   * Maximum age of an event waiting to be processed (1 minute to 6 hours) before it
   * goes to the dead-letter queue.
   *
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;

  /**
   * An existing queue to receive the events that failed all retries.
   *
   * @default - a queue is created: 14-day retention, SSE, SSL enforced
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Thresholds of the built-in alarms (function errors and throttles, dead-letter queue
   * messages, API 5XX rate and p99 latency, rejection rate of uploads).
   *
   * @default - the defaults documented on `TapAlarmOptions`
   */
  readonly alarmOptions?: TapAlarmOptions;

  /**
   * An SNS topic that receives the ALARM and OK transitions of every built-in alarm.
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Whether to create a CloudWatch dashboard of the pipeline.
   *
   * @default true
   */
  readonly dashboard?: boolean;

  /**
   * Retention of the functions' and the API's log groups.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Whether AWS X-Ray active tracing is enabled on the functions and the API stage. The functions
   * then send OpenTelemetry spans of each invocation (no X-Ray SDK): a root span parented to
   * Lambda's trace, a span per object processed and per stage (read, decode or validate, write
   * outputs, record the outcome), and a client span per S3, DynamoDB and EventBridge call. The
   * indexed attributes are the cold start, the configuration fingerprint, the bucket, the outcome
   * type and a hash of the object key: object keys are never indexed (see
   * docs/observability.md).
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * Whether to instrument the four functions for CloudWatch Application Signals: the AWS Distro
   * for OpenTelemetry layer of the stack's region (after the functions' own layers), its
   * `/opt/otel-instrument` exec wrapper, the `CloudWatchLambdaApplicationSignalsExecutionRolePolicy`
   * managed policy on each execution role, and X-Ray active tracing. The layer records each
   * invocation for Application Signals; the stages and AWS SDK calls stay traced by the functions'
   * own OpenTelemetry spans (the SDK is bundled into the functions, where the layer's AWS SDK
   * instrumentation cannot reach it).
   * Needs `tracing` (the default) and a stack with a concrete `env.region` served by the layer.
   *
   * @default false
   */
  readonly applicationSignals?: boolean;

  /**
   * The AWS Distro for OpenTelemetry JavaScript layer `applicationSignals` adds, as a layer
   * version ARN from AWS's table ("Lambda layer ARNs" in the AWS Distro for OpenTelemetry
   * documentation, `AWSOpenTelemetryDistroJs`): a newer version than the construct's, or a region
   * its table lacks. It must be in the stack's region. Only with `applicationSignals`.
   *
   * @default - the construct's table: the `AWSOpenTelemetryDistroJs` version it was released with in the stack's region
   */
  readonly applicationSignalsLayerArn?: string;

  /**
   * Whether to create the account's Application Signals discovery resource
   * (`AWS::ApplicationSignals::Discovery`), which turns Application Signals on for the account and
   * region and creates its service-linked role. There is one per account and region: create it in
   * one stack only, or enable Application Signals once in the CloudWatch console instead. Only
   * with `applicationSignals`.
   *
   * @default false
   */
  readonly applicationSignalsDiscovery?: boolean;

  /**
   * How many partitions each listing index of the notifications table (all notifications by
   * time, and by type) spreads its writes over, 1 to 64. An index partition takes about 1,000
   * writes per second, so the indexes sustain about 1,000 × `tableIndexShards` outcomes
   * per second; every page of `GET /notifications` queries each shard once. Raise it only: a
   * lower count would hide the notifications written to the shards it drops.
   *
   * @default 16
   */
  readonly tableIndexShards?: number;

  /**
   * Pre-warms the notifications table and each of its two listing indexes to this many reads and
   * writes per second. A new on-demand table serves about 12,000 reads and 4,000 writes per second
   * at once and adapts to more over about 30 minutes; set this before a known burst (a backfill, a
   * launch) of more than about 1,300 outcomes per second. DynamoDB charges once for pre-warming and
   * refuses values below the table's current warm throughput.
   *
   * @default - not pre-warmed
   */
  readonly tableWarmThroughput?: dynamodb.WarmThroughput;

  /**
   * How long a notification (and an object version's record of its outcomes) is kept before
   * DynamoDB's time to live deletes it, 1 day to 100 years. Each item gets an `expiresAt`
   * attribute and TTL is enabled on it. An expired outcome counts as missing for `reconcile`
   * and `reprocess`.
   *
   * @default - kept until deleted; no TTL
   */
  readonly tableRetention?: Duration;

  /**
   * What happens to the bucket, the table, the dead-letter queue and the log groups
   * when they leave the stack. `DESTROY` also empties the created bucket.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
