import * as path from 'path';
import { Annotations, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TapAlarmOptions } from './alarm-options';
import { ApiAuthorization, ApiAuthorizationType } from './api-authorization';
import { DataSchema } from './data-schema';
import { NotificationHandlerFunction } from './functions/notification-handler-function';
import { DATA_LIMITS } from './functions/shared/data-limits';
import { ENV } from './functions/shared/env';
import { API_METRICS, METRICS_NAMESPACE, S3_METRICS, SERVICE_NAME } from './functions/shared/metric-names';
import {
  INDEX_BY_TIME,
  INDEX_BY_TYPE,
} from './functions/shared/notifications-model';
import { createNotificationsApi } from './internal/api';
import { compileDataSchema } from './internal/data-schema-compiler';
import { dataValidatorCode } from './internal/data-validator-code';
import { hasNagSuppression, suppressNag } from './internal/nag';
import { createBucket, createDeadLetterQueue, createNotificationsTable } from './internal/storage';
import {
  sizeInBytes,
  validateCorsOrigins,
  validateDataLimits,
  validateEnvironmentSuffix,
  validateFunctionSettings,
  validateMaxEventAge,
  validateMaxImageBytes,
  validateMaxImagePixels,
  validatePrefixes,
  validateRetryAttempts,
  validateAlarmOptions,
  validateThrottling,
  validateThumbnailWidths,
} from './internal/validation';
import { Monitoring, TapMetrics } from './monitoring';
import { ThumbnailFormat } from './thumbnail-format';

/**
 * Settings of one of the construct's Lambda functions. Unset members fall back to
 * `functionDefaults`, then to the construct's per-function defaults.
 */
export interface TapFunctionOptions {
  /**
   * Memory of the function, in MiB (128 to 10240). CPU is allocated in proportion.
   *
   * The image processor's 1024 MiB covers the worst case of the default `maxImagePixels`
   * (100 MP). Measured peak RSS of the whole function process (Node.js, AWS SDK, download,
   * decode, encode): 119 MB for a 2.5 MB 24 MP photo JPEG (decoded shrunk on load), 175 MB for
   * an 18 MB 24 MP JPEG, and 563 MB for a 100 MP interlaced RGBA PNG (decoded whole).
   *
   * @default - 1024 for the image processor, 512 for the data validator, 256 for the notification handler
   */
  readonly memorySize?: number;

  /**
   * Timeout of one invocation.
   *
   * @default - 1 minute for the image processor, 5 minutes for the data validator,
   * 10 seconds for the notification handler (at most 29 seconds: API Gateway's limit)
   */
  readonly timeout?: Duration;

  /**
   * Processor architecture.
   *
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Reserved concurrent executions: caps the function's concurrency and guarantees it.
   *
   * @default - no reservation (the account's unreserved pool is used)
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Additional environment variables. Names starting with `TAP_` or `POWERTOOLS_` are
   * reserved for the construct.
   *
   * @default - none
   */
  readonly environment?: { [key: string]: string };
}

/**
 * Props of {@link TapServerless}. Every prop is optional: `new TapServerless(this, 'Tap')`
 * deploys a secure, working pipeline.
 */
export interface TapServerlessProps {
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
   * @default - a new hardened bucket is created
   */
  readonly existingBucket?: s3.IBucket;

  /**
   * Overrides for the created bucket, applied over the construct's hardened defaults
   * (versioned, SSE-S3, all public access blocked, SSL enforced, bucket-owner-enforced
   * ownership, lifecycle). Use it to relax or extend them, e.g. KMS encryption or
   * server access logs. Cannot be combined with `existingBucket`.
   *
   * @default - the hardened defaults
   */
  readonly bucketProps?: s3.BucketProps;

  /**
   * Age at which current object versions move to S3 Standard-IA (at least 30 days).
   * Ignored when `bucketProps.lifecycleRules` or `existingBucket` is given.
   *
   * @default Duration.days(30)
   */
  readonly transitionToInfrequentAccessAfter?: Duration;

  /**
   * Age at which current object versions move to S3 Glacier Flexible Retrieval (at
   * least 30 days after the Standard-IA transition).
   * Ignored when `bucketProps.lifecycleRules` or `existingBucket` is given.
   *
   * @default Duration.days(90)
   */
  readonly transitionToGlacierAfter?: Duration;

  /**
   * How long a noncurrent (overwritten or deleted) object version is kept.
   * Ignored when `bucketProps.lifecycleRules` or `existingBucket` is given.
   *
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;

  /**
   * Key prefix whose uploads are turned into thumbnails.
   *
   * @default 'images/'
   */
  readonly imagesPrefix?: string;

  /**
   * Key prefix whose uploads are validated.
   *
   * @default 'data/'
   */
  readonly dataPrefix?: string;

  /**
   * Key prefix thumbnails are written under. Must not overlap an input prefix.
   *
   * @default 'thumbnails/'
   */
  readonly thumbnailsPrefix?: string;

  /**
   * Key prefix validation reports are written under. Must not overlap an input prefix.
   *
   * @default 'reports/'
   */
  readonly reportsPrefix?: string;

  /**
   * The JSON Schema every record of an uploaded data file must satisfy. It is checked and
   * precompiled at synth (a schema that does not compile fails synth) and shipped in the data
   * validator's code asset. CSV cells are coerced to the schema's types; see the README.
   *
   * @default - no schema: files are only checked to be well-formed JSON, NDJSON or CSV
   */
  readonly dataSchema?: DataSchema;

  /**
   * Largest data object that is validated. Larger objects are recorded as `data.rejected`
   * without being read.
   *
   * @default Size.gibibytes(1)
   */
  readonly maxDataSize?: Size;

  /**
   * Longest record the data validator reads: an NDJSON line, a CSV row or an element of a JSON
   * array (a `.json` object file is one record). Longer ones are reported as errors. Bounds the
   * function's memory use, whatever the file's size.
   *
   * @default Size.mebibytes(1)
   */
  readonly maxRecordSize?: Size;

  /**
   * Deepest nesting of arrays and objects inside one record (the record itself is level 1).
   * Deeper records are reported as errors.
   *
   * @default 64
   */
  readonly maxJsonDepth?: number;

  /**
   * How many error entries a validation report lists (its counts cover every error).
   *
   * @default 100
   */
  readonly maxReportErrors?: number;

  /**
   * Widths of the thumbnails written for every image, in pixels.
   *
   * One object per width, at `<thumbnailsPrefix><key without imagesPrefix>/<width>.<ext>`;
   * 1 to 10 distinct whole numbers from 1 to 16383. Images are never enlarged: a narrower
   * image gives a thumbnail of its own width (the notification says which width was produced).
   *
   * @default [128, 512]
   */
  readonly thumbnailWidths?: number[];

  /**
   * Format of the thumbnails, whatever the input format.
   *
   * @default ThumbnailFormat.WEBP
   */
  readonly thumbnailFormat?: ThumbnailFormat;

  /**
   * Largest image object processed (1 byte to 1 GiB). A larger one is rejected
   * (`image.rejected`) from its size alone, without being downloaded.
   *
   * @default Size.mebibytes(50)
   */
  readonly maxImageBytes?: Size;

  /**
   * Largest image processed, as width × height in pixels, read from the image's header: the
   * decompression-bomb limit. A larger image is rejected without decoding its pixels. The
   * default covers 100 MP photos; decoding one needs at most about 5 bytes per pixel (an
   * interlaced RGBA PNG, which cannot be streamed: measured 563 MB peak for the whole function),
   * within the default 1024 MiB of the image processor. Raise `imageProcessor.memorySize` with
   * it (a warning says when).
   *
   * @default 100_000_000
   */
  readonly maxImagePixels?: number;

  /**
   * Settings shared by the three functions; per-function settings override them.
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
  readonly existingDeadLetterQueue?: sqs.IQueue;

  /**
   * Authorization of the `/notifications` endpoints. `/status` is always public.
   *
   * @default ApiAuthorization.iam()
   */
  readonly apiAuthorization?: ApiAuthorization;

  /**
   * Origins allowed to call the API from a browser (CORS). Preflight `OPTIONS`
   * requests are answered without authorization.
   *
   * @default - CORS disabled
   */
  readonly corsAllowedOrigins?: string[];

  /**
   * Steady-state request rate limit of the API stage, in requests per second.
   *
   * @default 50
   */
  readonly apiThrottlingRateLimit?: number;

  /**
   * Burst limit of the API stage, in requests.
   *
   * @default 100
   */
  readonly apiThrottlingBurstLimit?: number;

  /**
   * Whether API access logs (JSON, one line per request) are written to CloudWatch Logs.
   *
   * @default true
   */
  readonly apiAccessLogging?: boolean;

  /**
   * Whether to create the account-level IAM role that lets API Gateway write logs to
   * CloudWatch (`AWS::ApiGateway::Account`). API Gateway needs it once per account and
   * region for access and execution logs; set `false` if your account already has it.
   *
   * @default true
   */
  readonly apiCloudWatchRole?: boolean;

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
   * Whether AWS X-Ray active tracing is enabled on the functions and the API stage.
   *
   * @default true
   */
  readonly tracing?: boolean;

  /**
   * What happens to the bucket, the table, the dead-letter queue and the log groups
   * when they leave the stack. `DESTROY` also empties the created bucket.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Per-function defaults, before `functionDefaults` and per-function props. */
const FUNCTION_DEFAULTS = {
  imageProcessor: { memorySize: 1024, timeout: Duration.minutes(1) },
  dataValidator: { memorySize: 512, timeout: Duration.minutes(5) },
  notificationHandler: { memorySize: 256, timeout: Duration.seconds(10) },
} as const;

/** Default thumbnail settings. */
const DEFAULT_THUMBNAIL_WIDTHS = [128, 512];
const DEFAULT_MAX_IMAGE_BYTES = Size.mebibytes(50);
const DEFAULT_MAX_IMAGE_PIXELS = 100_000_000;
/**
 * Memory of the image processor per image pixel, worst case measured (scripts/measure-image-rss.ts):
 * a 100 MP interlaced RGBA PNG (which libvips must decode whole) took the function process from
 * 105 MB idle to a 563 MB peak, about 4.6 bytes per pixel; 5.2 leaves a margin. A 24 MP JPEG
 * peaked at 119 MB (shrink-on-load).
 */
const IMAGE_BYTES_PER_PIXEL = 5.2;

/**
 * The image processor's asset folders, one per architecture: the bundle plus sharp's native
 * binaries for linux-glibc on that CPU (built by the library's `bundle` task).
 */
const IMAGE_PROCESSOR_ASSETS: Record<string, string> = {
  [lambda.Architecture.ARM_64.name]: path.join(__dirname, '..', 'assets', 'functions', 'image-processor.lambda-arm64'),
  [lambda.Architecture.X86_64.name]: path.join(__dirname, '..', 'assets', 'functions', 'image-processor.lambda-x64'),
};

/** Environment variable name prefixes reserved for the construct. */
const RESERVED_ENV_PREFIXES = ['TAP_', 'POWERTOOLS_'];

type FunctionName = keyof typeof FUNCTION_DEFAULTS;

/**
 * A serverless file-ingestion pipeline with a notifications API.
 *
 * Uploads under `images/` are turned into thumbnails, uploads under `data/` are
 * validated, and every outcome is recorded as a notification, readable through a
 * REST API. Failed events land in a dead-letter queue.
 */
export class TapServerless extends Construct {
  /** The ingestion bucket (created, or the `existingBucket`). */
  public readonly bucket: s3.IBucket;
  /** The function invoked for uploads under the images prefix. */
  public readonly imageProcessor: lambda.IFunction;
  /** The function invoked for uploads under the data prefix. */
  public readonly dataValidator: lambda.IFunction;
  /** The function behind `/notifications`. */
  public readonly notificationHandler: lambda.IFunction;
  /** The REST API. */
  public readonly api: apigw.RestApi;
  /** The URL of the API stage, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/dev/`. */
  public readonly apiUrl: string;
  /** The queue that receives events that failed every retry (created, or the `existingDeadLetterQueue`). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The notifications table. */
  public readonly notificationsTable: dynamodb.ITable;
  /** The environment suffix in use. */
  public readonly environmentSuffix: string;
  /**
   * The API key callers must send.
   *
   * Conditional: only with `ApiAuthorization.apiKey()`.
   */
  public readonly apiKey?: apigw.IApiKey;
  /**
   * The log group of the API's access logs.
   *
   * Conditional: only when `apiAccessLogging` is true (the default).
   */
  public readonly apiAccessLogGroup?: logs.ILogGroup;

  /** The built-in alarms (see `alarmOptions`). */
  public readonly alarms: cloudwatch.IAlarm[];
  /**
   * The CloudWatch dashboard of the pipeline.
   *
   * Conditional: only when `dashboard` is true (the default).
   */
  public readonly dashboard?: cloudwatch.Dashboard;

  private readonly metrics: TapMetrics;
  private readonly removalPolicy: RemovalPolicy;
  private readonly logRetention: logs.RetentionDays;
  private readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: TapServerlessProps = {}) {
    super(scope, id);

    // ---- props, validated before anything is created -------------------------------
    this.environmentSuffix = props.environmentSuffix ?? 'dev';
    validateEnvironmentSuffix(this.environmentSuffix);
    const prefixes = {
      imagesPrefix: props.imagesPrefix ?? 'images/',
      dataPrefix: props.dataPrefix ?? 'data/',
      thumbnailsPrefix: props.thumbnailsPrefix ?? 'thumbnails/',
      reportsPrefix: props.reportsPrefix ?? 'reports/',
    };
    validatePrefixes(prefixes);
    if (props.existingBucket && props.bucketProps) {
      throw new Error('TapServerless: existingBucket and bucketProps were both given; bucketProps configures a bucket the construct ' +
        'creates, so it cannot apply to an existing one. Pass only one of them.');
    }
    const retryAttempts = props.retryAttempts ?? 2;
    validateRetryAttempts(retryAttempts);
    const maxEventAge = props.maxEventAge ?? Duration.hours(6);
    validateMaxEventAge(maxEventAge);
    const rate = props.apiThrottlingRateLimit ?? 50;
    const burst = props.apiThrottlingBurstLimit ?? 100;
    validateThrottling(rate, burst);
    if (props.corsAllowedOrigins) {
      validateCorsOrigins(props.corsAllowedOrigins);
      if (props.corsAllowedOrigins.includes('*')) {
        Annotations.of(this).addWarningV2('cdk-tap-serverless:corsWildcard',
          'corsAllowedOrigins includes "*": any web page may call the API from a browser. List your origins instead.');
      }
    }
    validateAlarmOptions(props.alarmOptions ?? {});
    const thumbnailWidths = props.thumbnailWidths ?? DEFAULT_THUMBNAIL_WIDTHS;
    validateThumbnailWidths(thumbnailWidths);
    const maxImageBytes = props.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
    validateMaxImageBytes(maxImageBytes.toBytes(), `${maxImageBytes.toBytes()} bytes`);
    const maxImagePixels = props.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS;
    validateMaxImagePixels(maxImagePixels);
    const authorization = props.apiAuthorization ?? ApiAuthorization.iam();
    if (authorization.type === ApiAuthorizationType.NONE) {
      Annotations.of(this).addWarningV2('cdk-tap-serverless:noAuthorization',
        'apiAuthorization is ApiAuthorization.none(): anyone who knows the URL can read and create notifications.');
    }
    const dataLimits = {
      maxDataBytes: props.maxDataSize ? sizeInBytes('maxDataSize', props.maxDataSize) : DATA_LIMITS.maxDataBytes.default,
      maxRecordBytes: props.maxRecordSize ? sizeInBytes('maxRecordSize', props.maxRecordSize) : DATA_LIMITS.maxRecordBytes.default,
      maxJsonDepth: props.maxJsonDepth ?? DATA_LIMITS.maxJsonDepth.default,
      maxReportErrors: props.maxReportErrors ?? DATA_LIMITS.maxReportErrors.default,
    };
    validateDataLimits(dataLimits, DATA_LIMITS);
    const dataSchema = props.dataSchema ? compileDataSchema(props.dataSchema) : undefined;
    this.removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.tracing = props.tracing ?? true;

    // ---- storage ------------------------------------------------------------------
    this.bucket = props.existingBucket ?? createBucket(this, props, this.removalPolicy);
    this.deadLetterQueue = props.existingDeadLetterQueue ?? createDeadLetterQueue(this, this.removalPolicy);
    const table = createNotificationsTable(this, this.removalPolicy);
    this.notificationsTable = table;

    // ---- functions ------------------------------------------------------------------
    const common = {
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.ENVIRONMENT]: this.environmentSuffix,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const s3Env = {
      ...common,
      [ENV.BUCKET_NAME]: this.bucket.bucketName,
      [ENV.IMAGES_PREFIX]: prefixes.imagesPrefix,
      [ENV.DATA_PREFIX]: prefixes.dataPrefix,
      [ENV.THUMBNAILS_PREFIX]: prefixes.thumbnailsPrefix,
      [ENV.REPORTS_PREFIX]: prefixes.reportsPrefix,
    };
    const asyncConfig = { retryAttempts, maxEventAge, deadLetterQueue: this.deadLetterQueue };

    const imageProcessor = this.createFunction('imageProcessor', 'ImageProcessor', props, {
      description: 'TapServerless: turns uploaded images into thumbnails',
      environment: {
        ...s3Env,
        [ENV.THUMBNAIL_WIDTHS]: thumbnailWidths.join(','),
        [ENV.THUMBNAIL_FORMAT]: props.thumbnailFormat ?? ThumbnailFormat.WEBP,
        [ENV.MAX_IMAGE_BYTES]: String(maxImageBytes.toBytes()),
        [ENV.MAX_IMAGE_PIXELS]: String(maxImagePixels),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME.IMAGE_PROCESSOR,
      },
      ...asyncConfig,
    }, (s, i, o) => new lambda.Function(s, i, {
      ...o,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      // The asset carries sharp's native binaries, so it must match the function's architecture.
      code: lambda.Code.fromAsset(imageProcessorAsset(o.architecture ?? lambda.Architecture.ARM_64)),
    }));
    this.imageProcessor = imageProcessor;
    const imageMemory = props.imageProcessor?.memorySize ?? props.functionDefaults?.memorySize ?? FUNCTION_DEFAULTS.imageProcessor.memorySize;
    const neededMiB = Math.ceil((maxImagePixels * IMAGE_BYTES_PER_PIXEL + maxImageBytes.toBytes()) / (1024 * 1024)) + 128;
    if (neededMiB > imageMemory) {
      Annotations.of(this).addWarningV2('cdk-tap-serverless:imageMemory',
        `maxImagePixels (${maxImagePixels}) and maxImageBytes (${maxImageBytes.toBytes()} bytes) may need about ${neededMiB} MiB to decode ` +
        `a worst-case image, more than imageProcessor.memorySize (${imageMemory} MiB): raise the memory or lower the limits.`);
    }

    const dataValidator = this.createFunction('dataValidator', 'DataValidator', props, {
      description: 'TapServerless: validates uploaded data files',
      environment: {
        ...s3Env,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME.DATA_VALIDATOR,
        [ENV.DATA_MAX_BYTES]: String(dataLimits.maxDataBytes),
        [ENV.DATA_MAX_RECORD_BYTES]: String(dataLimits.maxRecordBytes),
        [ENV.DATA_MAX_JSON_DEPTH]: String(dataLimits.maxJsonDepth),
        [ENV.DATA_MAX_REPORT_ERRORS]: String(dataLimits.maxReportErrors),
      },
      ...asyncConfig,
    }, (s, i, o) => new lambda.Function(s, i, {
      ...o,
      // The bundled handler, plus the precompiled schema next to it (src/internal/data-validator-code.ts).
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: dataValidatorCode(dataSchema),
    }));
    this.dataValidator = dataValidator;

    const notificationHandler = this.createFunction('notificationHandler', 'NotificationHandler', props, {
      description: 'TapServerless: serves the /notifications API',
      environment: {
        ...common,
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME.NOTIFICATION_HANDLER,
        ...(props.corsAllowedOrigins ? { [ENV.CORS_ORIGINS]: props.corsAllowedOrigins.join(',') } : {}),
      },
    }, (s, i, o) => new NotificationHandlerFunction(s, i, o));
    this.notificationHandler = notificationHandler;
    suppressNag(notificationHandler, [{
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by API Gateway: a failure is returned to the caller, there is no event to dead-letter.',
    }]);

    // ---- least-privilege access -------------------------------------------------------
    this.grantS3Function(imageProcessor, prefixes.imagesPrefix, prefixes.thumbnailsPrefix);
    this.grantS3Function(dataValidator, prefixes.dataPrefix, prefixes.reportsPrefix);
    for (const fn of [imageProcessor, dataValidator, notificationHandler]) {
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [table.tableArn],
      }));
    }
    // The notification handler reads notifications; the S3 functions check whether an object version
    // already has one before processing it again (duplicate deliveries redo nothing).
    for (const fn of [notificationHandler, imageProcessor, dataValidator]) {
      fn.addToRolePolicy(new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [table.tableArn],
      }));
    }
    notificationHandler.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [INDEX_BY_TIME, INDEX_BY_TYPE].map((index) => `${table.tableArn}/index/${index}`),
    }));

    // ---- S3 event notifications, one filter per input prefix -----------------------------
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(imageProcessor),
      { prefix: prefixes.imagesPrefix });
    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(dataValidator),
      { prefix: prefixes.dataPrefix });
    this.suppressBucketNotificationsHandler();

    // ---- REST API -------------------------------------------------------------------
    const { api, apiKey, accessLogGroup } = createNotificationsApi(this, {
      environmentSuffix: this.environmentSuffix,
      authorization,
      handler: notificationHandler,
      rate,
      burst,
      accessLogging: props.apiAccessLogging,
      cloudWatchRole: props.apiCloudWatchRole,
      corsAllowedOrigins: props.corsAllowedOrigins,
      logRetention: this.logRetention,
      removalPolicy: this.removalPolicy,
      tracing: this.tracing,
    });
    this.api = api;
    this.apiUrl = api.url;
    this.apiKey = apiKey;
    this.apiAccessLogGroup = accessLogGroup;

    // ---- alarms and dashboard --------------------------------------------------------------
    this.metrics = new TapMetrics(this.environmentSuffix, this.deadLetterQueue, api);
    const monitoring = new Monitoring(this, 'Monitoring', {
      environmentSuffix: this.environmentSuffix,
      imageProcessor,
      dataValidator,
      notificationHandler,
      deadLetterQueue: this.deadLetterQueue,
      api,
      alarmOptions: props.alarmOptions ?? {},
      alarmTopic: props.alarmTopic,
      dashboard: props.dashboard ?? true,
    }, this.metrics);
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;

    // ---- tags -----------------------------------------------------------------------------
    const tags: Record<string, string> = {
      Project: 'TapServerless',
      Environment: this.environmentSuffix,
      ManagedBy: 'CDK',
      ...props.tags,
    };
    for (const [key, value] of Object.entries(tags)) {
      Tags.of(this).add(key, value);
    }
  }

  /**
   * Grants `grantee` what `npx cdk-tap-serverless redrive` needs: consume the dead-letter queue,
   * read the image and data functions' configuration (their input prefixes) and invoke them.
   */
  public grantRedrive(grantee: iam.IGrantable): void {
    this.deadLetterQueue.grantConsumeMessages(grantee);
    for (const fn of [this.imageProcessor, this.dataValidator]) {
      fn.grantInvoke(grantee);
      iam.Grant.addToPrincipal({ grantee, actions: ['lambda:GetFunctionConfiguration'], resourceArns: [fn.functionArn] });
    }
  }

  /** Messages visible in the dead-letter queue (maximum): events waiting to be redriven. */
  public metricDeadLetterQueueMessages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.deadLetterQueueMessages(props);
  }

  /** Requests to the API stage (sum). */
  public metricApiRequests(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiRequests(props);
  }

  /** API requests answered with a 5XX (sum). */
  public metricApiServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiServerErrors(props);
  }

  /** API requests answered with a 4XX (sum). */
  public metricApiClientErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiClientErrors(props);
  }

  /** API latency (p99). */
  public metricApiLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.apiLatency(props);
  }

  /** Images recorded with the image processor's outcome (sum). */
  public metricImagesProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.IMAGE_PROCESSOR, S3_METRICS.PROCESSED, props);
  }

  /** Images rejected as bad input (sum). */
  public metricImagesRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.IMAGE_PROCESSOR, S3_METRICS.REJECTED, props);
  }

  /** Data files recorded with the data validator's outcome (sum). */
  public metricDataFilesProcessed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.DATA_VALIDATOR, S3_METRICS.PROCESSED, props);
  }

  /** Data files rejected as bad input (sum). */
  public metricDataFilesRejected(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.DATA_VALIDATOR, S3_METRICS.REJECTED, props);
  }

  /** Records of S3 events that failed with a possibly transient error and were retried (sum, both S3 functions). */
  public metricObjectsFailed(props?: cloudwatch.MetricOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'images + data',
      usingMetrics: {
        images: this.metrics.handlerMetric(SERVICE_NAME.IMAGE_PROCESSOR, S3_METRICS.FAILED, props),
        data: this.metrics.handlerMetric(SERVICE_NAME.DATA_VALIDATOR, S3_METRICS.FAILED, props),
      },
      label: props?.label ?? 'Objects failed',
      period: props?.period,
    });
  }

  /** Notifications created through `POST /notifications` (sum). */
  public metricNotificationsCreated(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerMetric(SERVICE_NAME.NOTIFICATION_HANDLER, API_METRICS.CREATED, props);
  }

  private createFunction(
    name: FunctionName,
    id: string,
    props: TapServerlessProps,
    options: lambda.FunctionOptions & { environment: Record<string, string> },
    factory: (scope: Construct, id: string, options: lambda.FunctionOptions) => lambda.Function,
  ): lambda.Function {
    const shared = props.functionDefaults ?? {};
    const own = props[name] ?? {};
    const settings = {
      memorySize: own.memorySize ?? shared.memorySize ?? FUNCTION_DEFAULTS[name].memorySize,
      timeout: own.timeout ?? shared.timeout ?? FUNCTION_DEFAULTS[name].timeout,
      reservedConcurrentExecutions: own.reservedConcurrentExecutions ?? shared.reservedConcurrentExecutions,
      environment: { ...shared.environment, ...own.environment },
    };
    validateFunctionSettings(name, settings, name === 'notificationHandler' ? 29 : 900, RESERVED_ENV_PREFIXES);

    const logGroup = new logs.LogGroup(this, `${id}LogGroup`, {
      retention: this.logRetention,
      removalPolicy: this.removalPolicy,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the TapServerless ${id} function`,
    });
    logGroup.grantWrite(role);

    const fn = factory(this, id, {
      ...options,
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      architecture: own.architecture ?? shared.architecture ?? lambda.Architecture.ARM_64,
      memorySize: settings.memorySize,
      timeout: settings.timeout,
      reservedConcurrentExecutions: settings.reservedConcurrentExecutions,
      tracing: this.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: { ...settings.environment, ...options.environment },
    });
    const invokeConfig = fn.node.tryFindChild('EventInvokeConfig');
    if (invokeConfig) {
      suppressNag(invokeConfig, [{
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason: 'Events that fail every retry go to the dead-letter queue (DeadLetterConfig), which keeps the original event for redrive.',
      }]);
    }
    if (this.tracing) {
      suppressNag(role.node.findChild('DefaultPolicy'), [{
        id: 'AwsSolutions-IAM5',
        reason: 'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions; AWS requires "*".',
        appliesTo: ['Resource::*'],
      }]);
    }
    if (settings.reservedConcurrentExecutions === undefined) {
      suppressNag(fn, [{
        id: 'Serverless-LambdaConcurrency',
        reason: 'Reserved concurrency is opt-in (reservedConcurrentExecutions): reserving by default would take capacity from the ' +
          'account\'s other functions.',
      }]);
    }
    return fn;
  }

  /** Read the input prefix, write the output prefix; nothing else of the bucket. */
  private grantS3Function(fn: lambda.Function, inputPrefix: string, outputPrefix: string): void {
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [this.bucket.arnForObjects(`${inputPrefix}*`)],
    }));
    // Without ListBucket, S3 answers 403 instead of 404 for a deleted object, and a
    // deleted object could not be told apart from a permissions fault.
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
    }));
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [this.bucket.arnForObjects(`${outputPrefix}*`)],
    }));
    if (this.bucket.encryptionKey) {
      this.bucket.encryptionKey.grantEncryptDecrypt(fn);
    }
    suppressNag(fn.role!.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: 'Object access is scoped to the function\'s own input and output prefixes (prefix/*), which is the narrowest S3 allows.',
      appliesTo: [inputPrefix, outputPrefix].map((prefix) => ({
        regex: `/^Resource::(<[^>]+\\.Arn>|arn:[^*]+)\\/${escapeRegex(prefix)}\\*$/`,
      })),
    }]);
  }

  /** The stack-wide singleton that configures S3 notifications is created by aws-cdk-lib. */
  private suppressBucketNotificationsHandler(): void {
    const stack = Stack.of(this);
    const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    const role = handler?.node.tryFindChild('Role');
    // Several TapServerless constructs in one stack share the handler: suppress once.
    if (!role || hasNagSuppression(role, 'AwsSolutions-IAM4')) return;
    suppressNag(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'aws-cdk-lib\'s BucketNotificationsHandler (configures S3 event notifications) uses AWSLambdaBasicExecutionRole for its logs.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    }]);
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      suppressNag(policy, [{
        id: 'AwsSolutions-IAM5',
        reason: 'aws-cdk-lib\'s BucketNotificationsHandler needs s3:PutBucketNotification, which it is granted on "*".',
        appliesTo: ['Resource::*'],
      }]);
    }
  }
}

/** The image processor's asset folder for an architecture (its sharp binaries are per-CPU). */
function imageProcessorAsset(architecture: lambda.Architecture): string {
  const dir = IMAGE_PROCESSOR_ASSETS[architecture.name];
  if (dir === undefined) {
    throw new Error(`TapServerless: invalid imageProcessor.architecture (${JSON.stringify(architecture.name)}): the image processor ships ` +
      'sharp binaries for arm64 and x86_64 only. Use lambda.Architecture.ARM_64 or lambda.Architecture.X86_64.');
  }
  return dir;
}

function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
