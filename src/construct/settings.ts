import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULTS, FunctionName } from './defaults';
import { IngestionMode } from './ingestion';
import { ApplicationSignalsSettings, resolveApplicationSignals } from './observability-settings';
import { OutcomeEvents } from './outcome-events';
import { PipelineOptions } from './pipeline-options';
import {
  Prefixes,
  validateAlarmOptions,
  validateEnvironmentSuffix,
  validateFunctionSettings,
  validateIndexShards,
  validateLifecycle,
  validateMaxEventAge,
  validateNotificationRetention,
  validateQueueIngestion,
  validatePrefixes,
  validateRetryAttempts,
  validateWarmThroughput,
} from './validation';

/**
 * {@link PipelineOptions} resolved: every default applied (from DEFAULTS) and every value validated,
 * before anything is created. The shared builders (storage, functions, triggers, monitoring) read
 * only this; each feature resolves its own options beside it (images/image-settings.ts,
 * data/data-settings.ts, notifications/api-settings.ts).
 */
export interface PipelineSettings {
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
  readonly reliability: ReliabilitySettings;
  readonly ingestion: IngestionSettings;
  /** Where outcomes are published (resolved by the construct: the default bus is imported there). */
  readonly outcomeEvents?: OutcomeEvents;
  readonly functions: Readonly<Record<FunctionName, FunctionSettings>>;
  readonly monitoring: MonitoringSettings;
}

export interface BucketSettings {
  /** `bucket`: the user's bucket (undefined: the construct creates one). */
  readonly existing?: s3.IBucket;
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
  readonly deadLetterQueue?: sqs.IQueue;
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

/** Applies every default and validates every shared option; warnings for risky but legal choices go on `scope`. */
export function resolvePipelineSettings(scope: Construct, props: PipelineOptions): PipelineSettings {
  const environmentSuffix = props.environmentSuffix ?? DEFAULTS.environmentSuffix;
  validateEnvironmentSuffix(environmentSuffix);

  const prefixes: Prefixes = {
    imageInputPrefix: props.imageInputPrefix ?? DEFAULTS.imageInputPrefix,
    dataInputPrefix: props.dataInputPrefix ?? DEFAULTS.dataInputPrefix,
    imageOutputPrefix: props.imageOutputPrefix ?? DEFAULTS.imageOutputPrefix,
    dataOutputPrefix: props.dataOutputPrefix ?? DEFAULTS.dataOutputPrefix,
  };
  validatePrefixes(prefixes);

  const tracing = props.tracing ?? DEFAULTS.tracing;
  const functions: Record<FunctionName, FunctionSettings> = {
    imageProcessor: resolveFunction('imageProcessor', props),
    dataValidator: resolveFunction('dataValidator', props),
    notificationHandler: resolveFunction('notificationHandler', props),
  };
  return {
    environmentSuffix,
    tags: { ...DEFAULTS.tags, Environment: environmentSuffix, ...props.tags },
    prefixes,
    bucket: resolveBucket(props),
    removalPolicy: props.removalPolicy ?? DEFAULTS.removalPolicy,
    table: resolveTable(props),
    logRetention: props.logRetention ?? DEFAULTS.logRetention,
    tracing,
    applicationSignals: resolveApplicationSignals(scope, props, tracing, functions),
    reliability: resolveReliability(props),
    ingestion: resolveIngestion(props),
    outcomeEvents: props.outcomeEvents,
    functions,
    monitoring: resolveMonitoring(props),
  };
}

function resolveBucket(props: PipelineOptions): BucketSettings {
  if (props.bucket && props.bucketProps) {
    throw new Error('TapServerless: bucket and bucketProps were both given; bucketProps configures a bucket the construct ' +
      'creates, so it cannot apply to an existing one. Pass only one of them.');
  }
  const bucket: BucketSettings = {
    existing: props.bucket,
    bucketProps: props.bucketProps,
    transitionToInfrequentAccessAfter: props.bucketTransitionToInfrequentAccessAfter ?? DEFAULTS.bucketTransitionToInfrequentAccessAfter,
    transitionToGlacierAfter: props.bucketTransitionToGlacierAfter ?? DEFAULTS.bucketTransitionToGlacierAfter,
    noncurrentVersionExpiration: props.bucketNoncurrentVersionExpiration ?? DEFAULTS.bucketNoncurrentVersionExpiration,
  };
  if (!props.bucket) {
    const days = (d: Duration) => d.toDays({ integral: false });
    validateLifecycle(days(bucket.transitionToInfrequentAccessAfter), days(bucket.transitionToGlacierAfter),
      days(bucket.noncurrentVersionExpiration));
  }
  return bucket;
}

function resolveTable(props: PipelineOptions): TableSettings {
  const indexShards = props.tableIndexShards ?? DEFAULTS.tableIndexShards;
  validateIndexShards(indexShards);
  if (props.tableRetention) validateNotificationRetention(props.tableRetention);
  if (props.tableWarmThroughput) validateWarmThroughput(props.tableWarmThroughput);
  return { indexShards, retention: props.tableRetention, warmThroughput: props.tableWarmThroughput };
}

function resolveIngestion(props: PipelineOptions): IngestionSettings {
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

function resolveReliability(props: PipelineOptions): ReliabilitySettings {
  const retryAttempts = props.retryAttempts ?? DEFAULTS.retryAttempts;
  validateRetryAttempts(retryAttempts);
  const maxEventAge = props.maxEventAge ?? DEFAULTS.maxEventAge;
  validateMaxEventAge(maxEventAge);
  return { retryAttempts, maxEventAge, deadLetterQueue: props.deadLetterQueue };
}

function resolveFunction(name: FunctionName, props: PipelineOptions): FunctionSettings {
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

/**
 * The settings of a function the construct adds beside the four configurable ones (a route's
 * dispatcher, the failure recorder): `functionDefaults`' architecture, environment, network and
 * layers, with the memory and timeout it needs.
 */
export function helperFunctionSettings(props: PipelineOptions, memorySize: number, timeout: Duration): FunctionSettings {
  const shared = props.functionDefaults ?? {};
  return {
    memorySize,
    timeout,
    architecture: shared.architecture ?? DEFAULTS.architecture,
    environment: { ...shared.environment },
    vpc: shared.vpc,
    vpcSubnets: shared.vpcSubnets,
    securityGroups: shared.securityGroups,
    layers: [...shared.layers ?? []],
  };
}

function resolveMonitoring(props: PipelineOptions): MonitoringSettings {
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

