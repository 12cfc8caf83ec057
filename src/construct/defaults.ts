import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ApiAuthorization } from '../api-authorization';
import { DEFAULT_EXPORT_MAX_RANGE_SECONDS, DEFAULT_INDEX_SHARDS } from '../contract/notifications-model';
import { ThumbnailFormat } from '../contract/thumbnail-format';
import { Ingestion } from '../ingestion';

/**
 * Every default of TapServerless, in one place. The `@default` of each prop in its TSDoc says the
 * same (test/construct/defaults.test.ts checks the ones that are literals); the handlers have no
 * defaults of their own: the construct always sets their environment.
 */
export const DEFAULTS = {
  environmentSuffix: 'dev',
  tags: { Project: 'TapServerless', ManagedBy: 'CDK' },

  // Storage
  transitionToInfrequentAccessAfter: Duration.days(30),
  transitionToGlacierAfter: Duration.days(90),
  noncurrentVersionExpiration: Duration.days(90),
  abortIncompleteMultipartUploadAfter: Duration.days(7),
  deadLetterQueueRetention: Duration.days(14),
  removalPolicy: RemovalPolicy.RETAIN,
  notificationIndexShards: DEFAULT_INDEX_SHARDS,

  // Prefixes
  imagesPrefix: 'images/',
  dataPrefix: 'data/',
  thumbnailsPrefix: 'thumbnails/',
  reportsPrefix: 'reports/',

  // Images
  thumbnailWidths: [128, 512],
  thumbnailFormat: ThumbnailFormat.WEBP,
  maxImageSize: Size.mebibytes(50),
  maxImagePixels: 100_000_000,

  // Data
  maxDataSize: Size.gibibytes(1),
  maxRecordSize: Size.mebibytes(1),
  maxJsonDepth: 64,
  maxReportErrors: 100,

  // Functions
  architecture: lambda.Architecture.ARM_64,
  functions: {
    imageProcessor: { memorySize: 1024, timeout: Duration.minutes(1) },
    dataValidator: { memorySize: 512, timeout: Duration.minutes(5) },
    notificationHandler: { memorySize: 256, timeout: Duration.seconds(10) },
  },
  retryAttempts: 2,
  maxEventAge: Duration.hours(6),
  ingestion: Ingestion.direct(),
  queueBatchSize: 10,
  queueMaxReceiveCount: 3,

  // API
  apiAuthorization: ApiAuthorization.iam(),
  apiThrottlingRateLimit: 50,
  apiThrottlingBurstLimit: 100,
  exportMaxConcurrency: 2,
  exportMaxRange: Duration.days(DEFAULT_EXPORT_MAX_RANGE_SECONDS / 86_400),
  apiAccessLogging: true,
  apiCloudWatchRole: true,

  // Observability
  logRetention: logs.RetentionDays.ONE_MONTH,
  dashboard: true,
  tracing: true,
  applicationSignals: false,
  applicationSignalsDiscovery: false,
  apiObjectives: {
    availabilityPercent: 99.9,
    latencyThreshold: Duration.seconds(2),
    latencyPercentile: 99,
    latencyAttainmentPercent: 99.9,
    window: Duration.days(28),
    burnRateAlarmThreshold: 14.4,
  },
  alarms: {
    functionErrors: 1,
    functionThrottles: 1,
    deadLetterQueueMessages: 1,
    apiServerErrorRatePercent: 1,
    apiLatencyP99: Duration.seconds(2),
    rejectionRatePercent: 25,
    tableThrottledRequests: 1,
    asyncEventAge: Duration.minutes(30),
    asyncEventsDropped: 1,
    period: Duration.minutes(5),
  },
} as const;

/** The functions' settings props (the export function takes `notificationHandler`'s). */
export type FunctionName = keyof typeof DEFAULTS.functions;
