import { Annotations, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS, FunctionName } from './defaults';
import { ApiObjectiveSettings, ApplicationSignalsSettings, resolveApiObjectives, resolveApplicationSignals } from './observability-settings';
import {
  Prefixes,
  sizeInBytes,
  validateAlarmOptions,
  validateCorsOrigins,
  validateDataLimits,
  validateEnvironmentSuffix,
  validateFunctionSettings,
  validateIndexShards,
  validateLifecycle,
  validateMaxEventAge,
  validateMaxImageSize,
  validateMaxImagePixels,
  validateNotificationRetention,
  validateQueueIngestion,
  validatePrefixes,
  validateRetryAttempts,
  validateExportLimits,
  validateThrottling,
  validateThumbnailWidths,
  validateWarmThroughput,
} from './validation';
import { ApiAuthorization, ApiAuthorizationType } from '../api-authorization';
import { DATA_LIMITS } from '../contract/data-limits';
import { ThumbnailFormat } from '../contract/thumbnail-format';
import { CompiledDataSchema, compileDataSchema } from '../data/schema-compiler';
import { IngestionMode } from '../ingestion';
import { OutcomeEvents } from '../outcome-events';
import { TapServerlessProps } from '../tap-serverless-props';

/**
 * TapServerless props resolved: every default applied (from DEFAULTS) and every value validated, before
 * anything is created. The builders (storage, functions, API, monitoring) read only this.
 */
export interface TapSettings {
  readonly environmentSuffix: string;
  /** Every tag the construct applies, the user's included. */
  readonly tags: Readonly<Record<string, string>>;
  readonly prefixes: Prefixes;
  readonly bucket: BucketSettings;
  readonly removalPolicy: RemovalPolicy;
  readonly table: TableSettings;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  /** `applicationSignals`: the OpenTelemetry layer of every function (undefined: off). */
  readonly applicationSignals?: ApplicationSignalsSettings;
  /** `apiObjectives` (undefined: no SLOs). */
  readonly apiObjectives?: ApiObjectiveSettings;
  readonly reliability: ReliabilitySettings;
  readonly ingestion: IngestionSettings;
  /** Where outcomes are published (resolved by the construct: the default bus is imported there). */
  readonly outcomeEvents?: OutcomeEvents;
  readonly images: ImageSettings;
  readonly data: DataSettings;
  readonly functions: Readonly<Record<FunctionName, FunctionSettings>>;
  readonly api: ApiSettings;
  readonly monitoring: MonitoringSettings;
}

export interface BucketSettings {
  readonly existingBucket?: s3.IBucket;
  readonly bucketProps?: s3.BucketProps;
  readonly transitionToInfrequentAccessAfter: Duration;
  readonly transitionToGlacierAfter: Duration;
  readonly noncurrentVersionExpiration: Duration;
}

export interface TableSettings {
  /** Shards of each listing index. */
  readonly indexShards: number;
  /** Time to live of every item; undefined: kept until deleted. */
  readonly retention?: Duration;
  /** Pre-warming of the table and each index. */
  readonly warmThroughput?: dynamodb.WarmThroughput;
}

export interface ReliabilitySettings {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly existingDeadLetterQueue?: sqs.IQueue;
}

/** The ingestion mode, with the queue mode's options resolved. */
export interface IngestionSettings {
  readonly mode: IngestionMode;
  readonly queue?: {
    readonly batchSize: number;
    readonly maxBatchingWindow?: Duration;
    readonly maxConcurrency?: number;
    readonly maxReceiveCount: number;
  };
}

export interface ImageSettings {
  readonly thumbnailWidths: readonly number[];
  readonly thumbnailFormat: ThumbnailFormat;
  readonly maxImageBytes: number;
  readonly maxImagePixels: number;
}

export interface DataSettings {
  readonly maxDataBytes: number;
  readonly maxRecordBytes: number;
  readonly maxJsonDepth: number;
  readonly maxReportErrors: number;
  /** The data schema, checked and precompiled. */
  readonly schema?: CompiledDataSchema;
}

/** One function's settings: its own, else `functionDefaults`, else the construct's default. */
export interface FunctionSettings {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly architecture: lambda.Architecture;
  readonly reservedConcurrentExecutions?: number;
  /** The user's environment additions (shared, then own). */
  readonly environment: Readonly<Record<string, string>>;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  readonly layers: lambda.ILayerVersion[];
}

export interface ApiSettings {
  readonly authorization: ApiAuthorization;
  readonly corsAllowedOrigins?: string[];
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  /** Reserved concurrency of the export function, and the burst of its method. */
  readonly exportMaxConcurrency: number;
  /** Longest since–until range of one export. */
  readonly exportMaxRange: Duration;
  readonly accessLogging: boolean;
  readonly cloudWatchRole: boolean;
}

export interface AlarmThresholds {
  readonly functionErrors: number;
  readonly functionThrottles: number;
  readonly deadLetterQueueMessages: number;
  readonly apiServerErrorRatePercent: number;
  readonly apiLatencyP99: Duration;
  readonly rejectionRatePercent: number;
  readonly tableThrottledRequests: number;
  readonly asyncEventAge: Duration;
  readonly asyncEventsDropped: number;
  readonly period: Duration;
}

export interface MonitoringSettings {
  readonly alarms: AlarmThresholds;
  readonly alarmTopic?: sns.ITopic;
  readonly dashboard: boolean;
}

/** Environment variable name prefixes reserved for the construct. */
const RESERVED_ENV_PREFIXES = ['TAP_', 'POWERTOOLS_'];

/** Longest timeout of each function, in seconds (the notification handler answers API Gateway, which waits 29 s). */
const MAX_TIMEOUT_SECONDS: Record<FunctionName, number> = { imageProcessor: 900, dataValidator: 900, notificationHandler: 29 };

/**
 * Memory of the image processor per image pixel, worst case measured by bench/measure-image-rss.ts:
 * a 100 MP interlaced RGBA PNG (which libvips must decode whole) took the function process from
 * 105 MB idle to a 563 MB peak, about 4.6 bytes per pixel; 5.2 leaves a margin.
 */
const IMAGE_BYTES_PER_PIXEL = 5.2;

/** Applies every default and validates every prop; warnings for risky but legal choices go on `scope`. */
export function resolveSettings(scope: Construct, props: TapServerlessProps): TapSettings {
  const environmentSuffix = props.environmentSuffix ?? DEFAULTS.environmentSuffix;
  validateEnvironmentSuffix(environmentSuffix);

  const prefixes: Prefixes = {
    imagesPrefix: props.imagesPrefix ?? DEFAULTS.imagesPrefix,
    dataPrefix: props.dataPrefix ?? DEFAULTS.dataPrefix,
    thumbnailsPrefix: props.thumbnailsPrefix ?? DEFAULTS.thumbnailsPrefix,
    reportsPrefix: props.reportsPrefix ?? DEFAULTS.reportsPrefix,
  };
  validatePrefixes(prefixes);

  const tracing = props.tracing ?? DEFAULTS.tracing;
  const functions: Record<FunctionName, FunctionSettings> = {
    imageProcessor: resolveFunction('imageProcessor', props),
    dataValidator: resolveFunction('dataValidator', props),
    notificationHandler: resolveFunction('notificationHandler', props),
  };
  const settings: TapSettings = {
    environmentSuffix,
    tags: { ...DEFAULTS.tags, Environment: environmentSuffix, ...props.tags },
    prefixes,
    bucket: resolveBucket(props),
    removalPolicy: props.removalPolicy ?? DEFAULTS.removalPolicy,
    table: resolveTable(props),
    logRetention: props.logRetention ?? DEFAULTS.logRetention,
    tracing,
    applicationSignals: resolveApplicationSignals(scope, props, tracing, functions),
    apiObjectives: resolveApiObjectives(props),
    reliability: resolveReliability(props),
    ingestion: resolveIngestion(props),
    outcomeEvents: props.outcomeEvents,
    images: resolveImages(props),
    data: resolveData(props),
    functions,
    api: resolveApi(scope, props),
    monitoring: resolveMonitoring(props),
  };
  warnAboutImageMemory(scope, settings);
  return settings;
}

function resolveBucket(props: TapServerlessProps): BucketSettings {
  if (props.existingBucket && props.bucketProps) {
    throw new Error('TapServerless: existingBucket and bucketProps were both given; bucketProps configures a bucket the construct ' +
      'creates, so it cannot apply to an existing one. Pass only one of them.');
  }
  const bucket: BucketSettings = {
    existingBucket: props.existingBucket,
    bucketProps: props.bucketProps,
    transitionToInfrequentAccessAfter: props.transitionToInfrequentAccessAfter ?? DEFAULTS.transitionToInfrequentAccessAfter,
    transitionToGlacierAfter: props.transitionToGlacierAfter ?? DEFAULTS.transitionToGlacierAfter,
    noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? DEFAULTS.noncurrentVersionExpiration,
  };
  if (!props.existingBucket) {
    const days = (d: Duration) => d.toDays({ integral: false });
    validateLifecycle(days(bucket.transitionToInfrequentAccessAfter), days(bucket.transitionToGlacierAfter),
      days(bucket.noncurrentVersionExpiration));
  }
  return bucket;
}

function resolveTable(props: TapServerlessProps): TableSettings {
  const indexShards = props.notificationIndexShards ?? DEFAULTS.notificationIndexShards;
  validateIndexShards(indexShards);
  if (props.notificationRetention) validateNotificationRetention(props.notificationRetention);
  if (props.notificationWarmThroughput) validateWarmThroughput(props.notificationWarmThroughput);
  return { indexShards, retention: props.notificationRetention, warmThroughput: props.notificationWarmThroughput };
}

function resolveIngestion(props: TapServerlessProps): IngestionSettings {
  const ingestion = props.ingestion ?? DEFAULTS.ingestion;
  if (ingestion.mode !== IngestionMode.QUEUE) return { mode: ingestion.mode };
  const o = ingestion.queueOptions ?? {};
  const queue = {
    batchSize: o.batchSize ?? DEFAULTS.queueBatchSize,
    maxBatchingWindow: o.maxBatchingWindow,
    maxConcurrency: o.maxConcurrency,
    maxReceiveCount: o.maxReceiveCount ?? DEFAULTS.queueMaxReceiveCount,
  };
  validateQueueIngestion(queue);
  return { mode: ingestion.mode, queue };
}

function resolveReliability(props: TapServerlessProps): ReliabilitySettings {
  const retryAttempts = props.retryAttempts ?? DEFAULTS.retryAttempts;
  validateRetryAttempts(retryAttempts);
  const maxEventAge = props.maxEventAge ?? DEFAULTS.maxEventAge;
  validateMaxEventAge(maxEventAge);
  return { retryAttempts, maxEventAge, existingDeadLetterQueue: props.existingDeadLetterQueue };
}

function resolveImages(props: TapServerlessProps): ImageSettings {
  const thumbnailWidths = props.thumbnailWidths ?? DEFAULTS.thumbnailWidths;
  validateThumbnailWidths(thumbnailWidths);
  const maxImageBytes = sizeInBytes('maxImageSize', props.maxImageSize ?? DEFAULTS.maxImageSize);
  validateMaxImageSize(maxImageBytes);
  const maxImagePixels = props.maxImagePixels ?? DEFAULTS.maxImagePixels;
  validateMaxImagePixels(maxImagePixels);
  return { thumbnailWidths, thumbnailFormat: props.thumbnailFormat ?? DEFAULTS.thumbnailFormat, maxImageBytes, maxImagePixels };
}

function resolveData(props: TapServerlessProps): DataSettings {
  const limits = {
    maxDataBytes: sizeInBytes('maxDataSize', props.maxDataSize ?? DEFAULTS.maxDataSize),
    maxRecordBytes: sizeInBytes('maxRecordSize', props.maxRecordSize ?? DEFAULTS.maxRecordSize),
    maxJsonDepth: props.maxJsonDepth ?? DEFAULTS.maxJsonDepth,
    maxReportErrors: props.maxReportErrors ?? DEFAULTS.maxReportErrors,
  };
  validateDataLimits(limits, DATA_LIMITS);
  return { ...limits, schema: props.dataSchema ? compileDataSchema(props.dataSchema) : undefined };
}

function resolveFunction(name: FunctionName, props: TapServerlessProps): FunctionSettings {
  const shared = props.functionDefaults ?? {};
  const own = props[name] ?? {};
  const vpc = own.vpc ?? shared.vpc;
  const settings: FunctionSettings = {
    memorySize: own.memorySize ?? shared.memorySize ?? DEFAULTS.functions[name].memorySize,
    timeout: own.timeout ?? shared.timeout ?? DEFAULTS.functions[name].timeout,
    architecture: own.architecture ?? shared.architecture ?? DEFAULTS.architecture,
    reservedConcurrentExecutions: own.reservedConcurrentExecutions ?? shared.reservedConcurrentExecutions,
    environment: { ...shared.environment, ...own.environment },
    vpc,
    vpcSubnets: own.vpcSubnets ?? shared.vpcSubnets,
    securityGroups: own.securityGroups ?? shared.securityGroups,
    layers: [...shared.layers ?? [], ...own.layers ?? []],
  };
  validateFunctionSettings(name, settings, MAX_TIMEOUT_SECONDS[name], RESERVED_ENV_PREFIXES);
  return settings;
}

function resolveApi(scope: Construct, props: TapServerlessProps): ApiSettings {
  const throttlingRateLimit = props.apiThrottlingRateLimit ?? DEFAULTS.apiThrottlingRateLimit;
  const throttlingBurstLimit = props.apiThrottlingBurstLimit ?? DEFAULTS.apiThrottlingBurstLimit;
  validateThrottling(throttlingRateLimit, throttlingBurstLimit);
  const exportMaxConcurrency = props.exportMaxConcurrency ?? DEFAULTS.exportMaxConcurrency;
  const exportMaxRange = props.exportMaxRange ?? DEFAULTS.exportMaxRange;
  validateExportLimits(exportMaxConcurrency, exportMaxRange);
  if (props.corsAllowedOrigins) {
    validateCorsOrigins(props.corsAllowedOrigins);
    if (props.corsAllowedOrigins.includes('*')) {
      Annotations.of(scope).addWarningV2('cdk-tap-serverless:corsWildcard',
        'corsAllowedOrigins includes "*": any web page may call the API from a browser. List your origins instead.');
    }
  }
  const authorization = props.apiAuthorization ?? DEFAULTS.apiAuthorization;
  if (authorization.type === ApiAuthorizationType.NONE) {
    Annotations.of(scope).addWarningV2('cdk-tap-serverless:noAuthorization',
      'apiAuthorization is ApiAuthorization.none(): anyone who knows the URL can read and create notifications.');
  }
  const accessLogging = props.apiAccessLogging ?? DEFAULTS.apiAccessLogging;
  if (!accessLogging) {
    Annotations.of(scope).addWarningV2('cdk-tap-serverless:noAccessLogs', 'apiAccessLogging is false: API requests will not be logged.');
  }
  return {
    authorization,
    corsAllowedOrigins: props.corsAllowedOrigins,
    throttlingRateLimit,
    throttlingBurstLimit,
    exportMaxConcurrency,
    exportMaxRange,
    accessLogging,
    cloudWatchRole: props.apiCloudWatchRole ?? DEFAULTS.apiCloudWatchRole,
  };
}

function resolveMonitoring(props: TapServerlessProps): MonitoringSettings {
  const given = props.alarmOptions ?? {};
  validateAlarmOptions(given);
  return {
    alarms: { ...DEFAULTS.alarms, ...definedOnly(given) },
    alarmTopic: props.alarmTopic,
    dashboard: props.dashboard ?? DEFAULTS.dashboard,
  };
}

/** The members of `o` that are set (so that `{ x: undefined }` does not hide a default). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Decoding a worst-case image within `maxImagePixels` and `maxImageSize` must fit the image processor's memory. */
function warnAboutImageMemory(scope: Construct, s: TapSettings): void {
  const { maxImagePixels, maxImageBytes } = s.images;
  const memory = s.functions.imageProcessor.memorySize;
  const neededMiB = Math.ceil((maxImagePixels * IMAGE_BYTES_PER_PIXEL + maxImageBytes) / Size.mebibytes(1).toBytes()) + 128;
  if (neededMiB > memory) {
    Annotations.of(scope).addWarningV2('cdk-tap-serverless:imageMemory',
      `maxImagePixels (${maxImagePixels}) and maxImageSize (${maxImageBytes} bytes) may need about ${neededMiB} MiB to decode ` +
      `a worst-case 8-bit image, more than imageProcessor.memorySize (${memory} MiB): raise the memory or lower the limits. ` +
      'An image that would not fit is rejected (image.rejected) before it is decoded.');
  }
}
