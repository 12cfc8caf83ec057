import { Annotations, CfnResource, Duration, Names, Stack, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FunctionContext } from './function-factory';
import { IngestionMode } from './ingestion';
import { hasNagSuppression, helperFunctionSkips, LOG_GROUP_KMS_SKIP, suppressCheckov, suppressNag } from './nag';
import { PipelineSettings } from './settings';

/** What a function's trigger created: its queue, in the queue mode. */
export interface S3TriggerResources {
  readonly queue?: sqs.Queue;
}

/** An S3 function and what its trigger created. */
export interface S3Function extends S3TriggerResources {
  readonly fn: lambda.Function;
}

/**
 * Delivers every object created under `prefix` of `bucket` (and, when `suffixes` are given, whose key
 * ends with one of them) to `fn`, in the ingestion mode of the settings: an S3 notification invoking
 * it (direct), an S3 notification to a queue read by an event source mapping (queue), or an
 * EventBridge rule invoking it (EventBridge).
 */
export function addS3Trigger(
  scope: Construct,
  id: string,
  bucket: s3.IBucket,
  fn: lambda.Function,
  prefix: string,
  ctx: FunctionContext,
  suffixes: readonly string[] = [],
): S3TriggerResources {
  const { settings } = ctx;
  // S3 filters a notification on one prefix and one suffix: one notification per suffix.
  const filters: s3.NotificationKeyFilter[] = suffixes.length === 0 ? [{ prefix }] : suffixes.map((suffix) => ({ prefix, suffix }));
  switch (settings.ingestion.mode) {
    case IngestionMode.DIRECT:
      for (const filter of filters) {
        bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), filter);
      }
      configureBucketNotificationsHandler(scope, settings);
      return {};
    case IngestionMode.QUEUE:
      return { queue: addQueueTrigger(scope, id, bucket, fn, filters, ctx) };
    case IngestionMode.EVENT_BRIDGE:
      addEventBridgeTrigger(scope, id, bucket, fn, prefix, suffixes, ctx);
      return {};
  }
}

/** S3 → SQS → the function, in batches, each failed message retried alone, then dead-lettered. */
function addQueueTrigger(
  scope: Construct, id: string, bucket: s3.IBucket, fn: lambda.Function, filters: s3.NotificationKeyFilter[], ctx: FunctionContext,
): sqs.Queue {
  const options = ctx.settings.ingestion.queue!;
  const windowSeconds = options.maxBatchingWindow?.toSeconds() ?? 0;
  const queue = new sqs.Queue(scope, `${id}Queue`, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // SQS's advice for an event source: at least six times the function's timeout, plus the batching window.
    visibilityTimeout: Duration.seconds(6 * fn.timeout!.toSeconds() + windowSeconds),
    retentionPeriod: Duration.days(14),
    deadLetterQueue: { queue: ctx.deadLetterQueue, maxReceiveCount: options.maxReceiveCount },
    removalPolicy: ctx.settings.removalPolicy,
  });
  suppressCheckov(queue, [{
    id: 'CKV_AWS_27',
    comment: 'The queue is encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); the check looks for a KMS key only.',
  }]);
  for (const filter of filters) {
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new QueueDestination(queue, bucket), filter);
  }
  configureBucketNotificationsHandler(scope, ctx.settings);
  const source = new lambdaEventSources.SqsEventSource(queue, {
    batchSize: options.batchSize,
    maxBatchingWindow: options.maxBatchingWindow,
    maxConcurrency: options.maxConcurrency,
    reportBatchItemFailures: true,
  });
  fn.addEventSource(source);
  const mapping = fn.node.tryFindChild(`SqsEventSource:${Names.nodeUniqueId(queue.node)}`);
  if (mapping) {
    suppressNag(mapping, [{
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason: 'An SQS event source takes no on-failure destination: a message that fails maxReceiveCount receives is moved to the ' +
        'dead-letter queue by the queue\'s redrive policy.',
    }]);
  }
  return queue;
}

/**
 * S3 event notifications to a queue, as aws-cdk-lib's SqsDestination, with the queue policy naming the
 * bucket's account too (`aws:SourceAccount`) besides its ARN (`aws:SourceArn`): S3 bucket ARNs carry
 * no account, so without it a bucket of the same name in another account (the name taken after
 * this bucket was deleted) could send messages to the queue.
 */
class QueueDestination implements s3.IBucketNotificationDestination {
  constructor(private readonly queue: sqs.IQueue, private readonly bucket: s3.IBucket) {}

  public bind(): s3.BucketNotificationDestinationConfig {
    this.queue.grantSendMessages(new iam.ServicePrincipal('s3.amazonaws.com', {
      conditions: {
        ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': this.bucket.env.account },
      },
    }));
    return { arn: this.queue.queueArn, type: s3.BucketNotificationDestinationType.QUEUE, dependencies: [this.queue] };
  }
}

/** The bucket's EventBridge events → a rule for the input prefix → the function (retry policy, dead-letter queue). */
function addEventBridgeTrigger(
  scope: Construct, id: string, bucket: s3.IBucket, fn: lambda.Function, prefix: string, suffixes: readonly string[], ctx: FunctionContext,
): void {
  const { reliability } = ctx.settings;
  // The input prefix only: the output prefixes are disjoint from it (checked at synth), so thumbnails
  // and reports never match. With suffixes, one wildcard per suffix (prefix and suffix of one field).
  const key = suffixes.length === 0
    ? [{ prefix }]
    : suffixes.map((suffix) => ({ wildcard: `${escapeWildcard(prefix)}*${escapeWildcard(suffix)}` }));
  const rule = new events.Rule(scope, `${id}Rule`, {
    description: `TapServerless: objects created under ${prefix} of the bucket invoke ${id}`,
    eventPattern: {
      source: ['aws.s3'],
      detailType: ['Object Created'],
      detail: { bucket: { name: [bucket.bucketName] }, object: { key } },
    },
  });
  rule.addTarget(new eventsTargets.LambdaFunction(fn, {
    deadLetterQueue: ctx.deadLetterQueue,
    retryAttempts: reliability.retryAttempts,
    maxEventAge: reliability.maxEventAge,
  }));
}

/** A literal for an EventBridge wildcard pattern: `*` and `\` escaped with `\`. */
function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}

/**
 * Turns on the bucket's EventBridge events in the EventBridge mode, when the construct owns the
 * bucket; an existing bucket's owner must do it (the construct leaves its configuration alone).
 */
export function enableEventBridge(scope: Construct, bucket: s3.IBucket, owned: boolean, settings: PipelineSettings): void {
  if (settings.ingestion.mode !== IngestionMode.EVENT_BRIDGE) return;
  if (owned) {
    (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
    return;
  }
  Annotations.of(scope).addWarningV2('cdk-tap-serverless:eventBridgeOnExistingBucket',
    'ingestion is Ingestion.eventBridge() with an bucket: the construct does not change that bucket\'s notification ' +
    'configuration, so its owner must turn on its EventBridge events (Amazon EventBridge "On" in the bucket\'s properties, or ' +
    'eventBridgeEnabled: true where the bucket is defined). Until then no upload reaches the functions.');
}

/**
 * aws-cdk-lib's stack-wide function that writes the bucket's notification configuration (at deployment):
 * its logs go to a log group with the construct's retention (it would otherwise create one that never
 * expires), and its cdk-nag and checkov findings are explained. Once per stack, by the first trigger.
 */
function configureBucketNotificationsHandler(scope: Construct, settings: PipelineSettings): void {
  const stack = Stack.of(scope);
  const handler = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
  const role = handler?.node.tryFindChild('Role');
  // Several triggers (and TapServerless constructs) in one stack share the handler: configure once.
  if (!role || hasNagSuppression(role, 'AwsSolutions-IAM4')) return;
  const logGroup = new logs.LogGroup(stack, 'TapServerlessBucketNotificationsHandlerLogs', {
    retention: settings.logRetention,
    removalPolicy: settings.removalPolicy,
  });
  suppressCheckov(logGroup, [LOG_GROUP_KMS_SKIP]);
  // Outside the construct, so not reached by its tags: tagged as the first TapServerless of the stack.
  for (const [key, value] of Object.entries(settings.tags)) {
    Tags.of(logGroup).add(key, value);
  }
  // Its role has AWSLambdaBasicExecutionRole, which lets it write to any log group.
  (handler!.node.defaultChild as CfnResource).addPropertyOverride('LoggingConfig', { LogGroup: logGroup.logGroupName });
  suppressCheckov(handler!, helperFunctionSkips('aws-cdk-lib\'s BucketNotificationsHandler, which writes the bucket\'s notification configuration'));
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
