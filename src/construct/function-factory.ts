import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CheckovSkip, escapeRegex, LOG_GROUP_KMS_SKIP, suppressCheckov, suppressNag } from './nag';
import { EXEC_WRAPPER_ENV } from './observability-settings';
import { FunctionSettings, ReliabilitySettings, PipelineSettings } from './settings';
import { ENV } from '../contract/env-names';
import { METRICS_NAMESPACE } from '../contract/metric-names';
import { OUTCOME_EVENT_SOURCE, OutcomeNamespace, WRITTEN_KEYS } from '../contract/notifications-model';

/** What every function of one TapServerless shares: the table it records to, the queue it dead-letters to. */
export interface FunctionContext {
  readonly settings: PipelineSettings;
  readonly table: dynamodb.ITable;
  readonly deadLetterQueue: sqs.IQueue;
  /** The bus the S3 functions publish their outcomes to (`outcomeEvents`). */
  readonly outcomeBus?: events.IEventBus;
  /**
   * The queue failed events end up in when `deadLetterQueue` is the failure recorder's intake (which
   * forwards them there): named in the S3 functions' environment for the operations commands.
   */
  readonly finalDeadLetterQueue?: sqs.IQueue;
}

/** Read one prefix of the bucket, write another. */
export interface S3Access {
  /** Which outcomes it records (`image.*`, `data.*`, or a route's `<name>.*`). */
  readonly kind: OutcomeNamespace;
  readonly bucket: s3.IBucket;
  readonly inputPrefix: string;
  /** What it writes (none for a route's dispatcher, which reads no object and writes none). */
  readonly outputPrefix?: string;
  /** Object read actions besides GetObject and GetObjectVersion (e.g. a route's skip tag: GetObjectTagging). */
  readonly readActions?: string[];
  /** The function's configuration fingerprint (src/construct/fingerprint.ts), part of every outcome id. */
  readonly fingerprint: string;
}

/** What makes one function what it is. */
export interface TapFunctionSpec {
  /** Construct id (part of the construct's contract: changing it replaces the function). */
  readonly id: string;
  readonly description: string;
  /** `POWERTOOLS_SERVICE_NAME` and the `service` dimension of its metrics. */
  readonly serviceName: string;
  readonly code: lambda.Code;
  readonly settings: FunctionSettings;
  /** Environment variables of this function, on top of those every function gets. */
  readonly environment: Record<string, string>;
  /** Invoked asynchronously (S3 events): retries, event age and the dead-letter queue apply. */
  readonly asynchronous?: ReliabilitySettings;
  /** Bucket access of an S3 function. */
  readonly s3?: S3Access;
  /** Table indexes the function queries. */
  readonly queriedIndexes?: string[];
  /** Reads the table only (Query on `queriedIndexes`, BatchGetItem): no PutItem, no GetItem. */
  readonly readOnly?: boolean;
  /**
   * Records the failed outcomes (`<kind>.failed`) of these kinds, as the S3 functions record theirs,
   * without reading the bucket: the failure recorder.
   */
  readonly recordsFailures?: readonly string[];
}

/**
 * Builds one of the construct's functions, the same way for all of them: the newest Node.js runtime,
 * `index.handler` of its bundle, its own log group (JSON, finite retention) and execution role
 * (no AWS-managed policy), tracing, the construct's environment, asynchronous invocation settings,
 * and exactly the access it needs to the table and the bucket.
 */
export function createTapFunction(scope: Construct, spec: TapFunctionSpec, ctx: FunctionContext): lambda.Function {
  const { settings, table } = ctx;
  const fn = spec.settings;
  const logGroup = new logs.LogGroup(scope, `${spec.id}LogGroup`, {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
  const role = new iam.Role(scope, `${spec.id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of the TapServerless ${spec.id} function`,
  });
  logGroup.grantWrite(role);

  const s3Environment: Record<string, string> = spec.s3 ? {
    [ENV.BUCKET_NAME]: spec.s3.bucket.bucketName,
    [ENV.BUCKET_OWNER]: spec.s3.bucket.env.account,
    [ENV.IMAGES_PREFIX]: settings.prefixes.imageInputPrefix,
    [ENV.DATA_PREFIX]: settings.prefixes.dataInputPrefix,
    [ENV.THUMBNAILS_PREFIX]: settings.prefixes.imageOutputPrefix,
    [ENV.REPORTS_PREFIX]: settings.prefixes.dataOutputPrefix,
    [ENV.CONFIG_FINGERPRINT]: spec.s3.fingerprint,
    ...(ctx.outcomeBus ? { [ENV.OUTCOME_EVENT_BUS]: ctx.outcomeBus.eventBusArn } : {}),
    ...(ctx.finalDeadLetterQueue ? { [ENV.DEAD_LETTER_QUEUE]: ctx.finalDeadLetterQueue.queueArn } : {}),
  } : {};
  // Application Signals: the OpenTelemetry layer after the user's layers, and its exec wrapper.
  const appSignals = settings.applicationSignals;
  const layers = appSignals
    ? [...fn.layers, lambda.LayerVersion.fromLayerVersionArn(scope, `${spec.id}ApplicationSignalsLayer`, appSignals.layerArn)]
    : fn.layers;
  const func = new lambda.Function(scope, spec.id, {
    description: spec.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: spec.code,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    architecture: fn.architecture,
    memorySize: fn.memorySize,
    timeout: fn.timeout,
    reservedConcurrentExecutions: fn.reservedConcurrentExecutions,
    tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    vpc: fn.vpc,
    vpcSubnets: fn.vpcSubnets,
    securityGroups: fn.securityGroups,
    layers: layers.length > 0 ? layers : undefined,
    environment: {
      ...fn.environment,
      [ENV.TABLE_NAME]: table.tableName,
      [ENV.INDEX_SHARDS]: String(settings.table.indexShards),
      ...(settings.table.retention ? { [ENV.NOTIFICATION_RETENTION_SECONDS]: String(settings.table.retention.toSeconds()) } : {}),
      [ENV.ENVIRONMENT]: settings.environmentSuffix,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_SERVICE_NAME: spec.serviceName,
      // The function's own OpenTelemetry spans (its stages and AWS SDK calls) whenever X-Ray traces, with
      // Application Signals too: the layer cannot instrument the AWS SDK bundled into index.js.
      [ENV.TRACING]: String(settings.tracing),
      ...(appSignals ? { [EXEC_WRAPPER_ENV]: '/opt/otel-instrument' } : {}),
      ...s3Environment,
      ...spec.environment,
    },
    ...(spec.asynchronous ? {
      retryAttempts: spec.asynchronous.retryAttempts,
      maxEventAge: spec.asynchronous.maxEventAge,
      deadLetterQueue: ctx.deadLetterQueue,
    } : {}),
  });

  suppressFunctionFindings(func, role, fn, settings.tracing);
  if (spec.s3) {
    grantS3Access(func, spec.s3);
    // events:PutEvents on that one bus, as the pipeline's source with a pipeline type only.
    if (ctx.outcomeBus) {
      func.addToRolePolicy(new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [ctx.outcomeBus.eventBusArn],
        conditions: {
          StringEquals: { 'events:source': OUTCOME_EVENT_SOURCE },
          StringLike: { 'events:detail-type': `${spec.s3.kind}.*` },
        },
      }));
    }
  }
  // Every function but a read-only one records notifications; the S3 functions also check whether an object version
  // already has one before processing it again (duplicate deliveries redo nothing).
  // Each writer writes its own keys only (dynamodb:LeadingKeys): an S3 function its objects' outcomes,
  // the API the notifications it creates; neither can overwrite or forge the other's.
  const recordsOutcomes = spec.s3 !== undefined || spec.recordsFailures !== undefined;
  if (spec.recordsFailures && ctx.outcomeBus) {
    // events:PutEvents on that one bus, as the pipeline's source, with the failed types only.
    func.addToRolePolicy(new iam.PolicyStatement({
      actions: ['events:PutEvents'],
      resources: [ctx.outcomeBus.eventBusArn],
      conditions: { StringEquals: { 'events:source': OUTCOME_EVENT_SOURCE, 'events:detail-type': spec.recordsFailures.map((kind) => `${kind}.failed`) } },
    }));
  }
  if (!spec.readOnly) {
    const written = recordsOutcomes ? WRITTEN_KEYS.OUTCOME : WRITTEN_KEYS.POSTED;
    func.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [table.tableArn], conditions: leadingKeys(written) }));
    // The API reads any notification by id; an S3 function reads only outcomes (has this version one already?).
    func.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'], resources: [table.tableArn], ...(recordsOutcomes ? { conditions: leadingKeys(WRITTEN_KEYS.OUTCOME) } : {}),
    }));
  }
  if (recordsOutcomes) {
    // The object version's index item: the configurations it has an outcome under (for reconcile).
    func.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'], resources: [table.tableArn], conditions: leadingKeys(WRITTEN_KEYS.OBJECT_VERSION),
    }));
  }
  if (spec.queriedIndexes) {
    func.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: spec.queriedIndexes.map((index) => `${table.tableArn}/index/${index}`),
    }));
    // The indexes hold keys only: a listing reads its page's items by key.
    func.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [table.tableArn] }));
  }
  if (appSignals) {
    // What the OpenTelemetry layer needs to send Application Signals' metrics and spans.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchLambdaApplicationSignalsExecutionRolePolicy'));
    suppressNag(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'CloudWatchLambdaApplicationSignalsExecutionRolePolicy is the AWS-managed policy CloudWatch documents for Application Signals on Lambda.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchLambdaApplicationSignalsExecutionRolePolicy'],
    }]);
  }
  if (fn.vpc) {
    // Lambda creates and deletes the function's network interfaces with the execution role.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    suppressNag(role, [{
      id: 'AwsSolutions-IAM4',
      reason: 'AWSLambdaVPCAccessExecutionRole is the AWS-managed policy Lambda documents for a function\'s VPC network interfaces.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
    }]);
  }
  return func;
}

/** The condition that limits an item-level DynamoDB action to partition keys matching `pattern` (IAM StringLike). */
function leadingKeys(pattern: string): Record<string, unknown> {
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] } };
}

/** Read the input prefix, write the output prefix; nothing else of the bucket. */
function grantS3Access(fn: lambda.Function, access: S3Access): void {
  const { bucket, inputPrefix, outputPrefix } = access;
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:GetObjectVersion', ...access.readActions ?? []],
    resources: [bucket.arnForObjects(`${inputPrefix}*`)],
  }));
  // Without ListBucket, S3 answers 403 instead of 404 for a deleted object, and a
  // deleted object could not be told apart from a permissions fault.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
  // Its outputs: written, and read back only as HeadObject (their ETags, for the conditional writes that keep them from going backwards).
  if (outputPrefix !== undefined) {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [bucket.arnForObjects(`${outputPrefix}*`)] }));
  }
  if (bucket.encryptionKey) {
    // The bucket's key, through S3 only (kms:ViaService): the role cannot use it on any other data.
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
      resources: [bucket.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${bucket.env.region}.amazonaws.com` } },
    }));
  }
  suppressNag(fn.role!.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'Object access is scoped to the function\'s own input and output prefixes (prefix/*), which is the narrowest S3 allows.',
    appliesTo: [inputPrefix, ...outputPrefix !== undefined ? [outputPrefix] : []].map((prefix) => ({
      regex: `/^Resource::(<[^>]+\\.Arn>|arn:[^*]+)\\/${escapeRegex(prefix)}\\*$/`,
    })),
  }]);
}

/** The cdk-nag findings every function raises by design, each suppressed with its reason. */
function suppressFunctionFindings(fn: lambda.Function, role: iam.Role, settings: FunctionSettings, tracing: boolean): void {
  suppressCheckov(fn.logGroup, [LOG_GROUP_KMS_SKIP]);
  const skips: CheckovSkip[] = [{
    id: 'CKV_AWS_173',
    comment: 'The construct\'s variables are names, prefixes and limits, no secrets; Lambda encrypts them at rest. Keep secrets out of ' +
      'the environment option (use Secrets Manager).',
  }];
  if (settings.reservedConcurrentExecutions === undefined) {
    skips.push({
      id: 'CKV_AWS_115',
      comment: 'Reserved concurrency is opt-in (reservedConcurrentExecutions): reserving by default would take ' +
      'capacity from the account\'s other functions.',
    });
  }
  if (settings.vpc === undefined) {
    skips.push({
      id: 'CKV_AWS_117',
      comment: 'The function calls only AWS service APIs (S3, DynamoDB) over signed HTTPS and reaches nothing ' +
      'private; run it in a VPC with the vpc option.',
    });
  }
  suppressCheckov(fn, skips);
  const invokeConfig = fn.node.tryFindChild('EventInvokeConfig');
  if (invokeConfig) {
    suppressNag(invokeConfig, [{
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason: 'Events that fail every retry go to the dead-letter queue (DeadLetterConfig), which keeps the original event for redrive.',
    }]);
  }
  if (tracing) {
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
}
