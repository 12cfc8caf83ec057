import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Ingestion } from './ingestion';
import { DEFAULT_INDEX_SHARDS } from '../contract/notifications-model';

/**
 * The defaults of the pipeline's shared options ({@link PipelineOptions}); each feature keeps its
 * own beside its settings (IMAGE_DEFAULTS, DATA_DEFAULTS, API_DEFAULTS). The `@default` of each
 * option in its TSDoc says the same (test/construct/defaults.test.ts checks the ones that are
 * literals); the handlers have no defaults of their own: the construct always sets their environment.
 */
export const DEFAULTS = {
  environmentSuffix: 'dev',
  tags: { Project: 'TapServerless', ManagedBy: 'CDK' },

  // Storage
  bucketTransitionToInfrequentAccessAfter: Duration.days(30),
  bucketTransitionToGlacierAfter: Duration.days(90),
  bucketNoncurrentVersionExpiration: Duration.days(90),
  abortIncompleteMultipartUploadAfter: Duration.days(7),
  deadLetterQueueRetention: Duration.days(14),
  removalPolicy: RemovalPolicy.RETAIN,
  tableIndexShards: DEFAULT_INDEX_SHARDS,

  // Prefixes
  imageInputPrefix: 'images/',
  dataInputPrefix: 'data/',
  imageOutputPrefix: 'thumbnails/',
  dataOutputPrefix: 'reports/',

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

  // Observability
  logRetention: logs.RetentionDays.ONE_MONTH,
  dashboard: true,
  tracing: true,
  applicationSignals: false,
  applicationSignalsDiscovery: false,
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
