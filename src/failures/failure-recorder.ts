import { Duration, Names } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bundledFunctionCode, FUNCTION_ASSETS } from '../construct/assets';
import { createTapFunction, FunctionContext } from '../construct/function-factory';
import { IngestionMode } from '../construct/ingestion';
import { suppressCheckov, suppressNag } from '../construct/nag';
import { PipelineOptions } from '../construct/pipeline-options';
import { helperFunctionSettings } from '../construct/settings';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';

/** One S3 function's inputs, for the recorder: a failed object under them is `<kind>.failed` under its fingerprint. */
export interface FailureRouteSettings {
  readonly kind: string;
  readonly prefix: string;
  readonly suffixes: readonly string[];
  readonly fingerprint: string;
}

/** The failure recorder and the queue the S3 functions' failed events go to first. */
export interface FailureRecorder {
  /** The S3 functions' dead-letter target: every event that failed every attempt. */
  readonly intake: sqs.Queue;
  readonly fn: lambda.Function;
}

/** How long the recorder may take for one batch (ten events, each a few writes and one SendMessage). */
const RECORDER_TIMEOUT = Duration.minutes(1);

/**
 * The failure recorder: the S3 functions (and the ingestion queues, and the EventBridge rules) send
 * the events that failed every attempt to its intake queue instead of the dead-letter queue; it
 * records each of their objects as `<kind>.failed` (the first outcome of its version under the
 * function's configuration), then forwards the event, as it came, to the dead-letter queue, where
 * alarms and `redrive` find it as before. A message it cannot handle reaches the dead-letter queue
 * anyway, by the intake queue's own redrive.
 */
export function createFailureRecorder(
  scope: Construct, ctx: FunctionContext, bucket: s3.IBucket, routes: readonly FailureRouteSettings[], props: PipelineOptions,
): FailureRecorder {
  const { settings } = ctx;
  const intake = new sqs.Queue(scope, 'FailureIntakeQueue', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // SQS's advice for an event source: at least six times the function's timeout.
    visibilityTimeout: Duration.seconds(6 * RECORDER_TIMEOUT.toSeconds()),
    retentionPeriod: Duration.days(14),
    deadLetterQueue: { queue: ctx.deadLetterQueue, maxReceiveCount: 5 },
    removalPolicy: settings.removalPolicy,
  });
  suppressCheckov(intake, [{
    id: 'CKV_AWS_27',
    comment: 'The queue is encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); the check looks for a KMS key only.',
  }]);
  // Each event was tried: Lambda's retries plus the first attempt, or the ingestion queue's receives.
  const attempts = settings.ingestion.mode === IngestionMode.QUEUE
    ? settings.ingestion.queue!.maxReceiveCount
    : settings.reliability.retryAttempts + 1;
  const fn = createTapFunction(scope, {
    id: 'FailureRecorder',
    description: 'TapServerless: records the objects of every event that failed every attempt as <kind>.failed, then forwards the event to the dead-letter queue',
    serviceName: SERVICE_NAME.FAILURE_RECORDER,
    code: bundledFunctionCode(scope, FUNCTION_ASSETS.FAILURE_RECORDER),
    settings: helperFunctionSettings(props, 256, RECORDER_TIMEOUT),
    environment: {
      [ENV.FAILURE_ROUTES]: JSON.stringify(routes.map((r) => ({ kind: r.kind, prefix: r.prefix, suffixes: r.suffixes, fingerprint: r.fingerprint }))),
      [ENV.FAILURE_ATTEMPTS]: String(attempts),
      [ENV.BUCKET_NAME]: bucket.bucketName,
      [ENV.DEAD_LETTER_QUEUE_URL]: ctx.deadLetterQueue.queueUrl,
      [ENV.THUMBNAILS_PREFIX]: settings.prefixes.imageOutputPrefix,
      [ENV.REPORTS_PREFIX]: settings.prefixes.dataOutputPrefix,
      ...(ctx.outcomeBus ? { [ENV.OUTCOME_EVENT_BUS]: ctx.outcomeBus.eventBusArn } : {}),
    },
    recordsFailures: routes.map((r) => r.kind),
  }, ctx);
  ctx.deadLetterQueue.grantSendMessages(fn);
  fn.addEventSource(new lambdaEventSources.SqsEventSource(intake, { batchSize: 10, reportBatchItemFailures: true }));
  const reason = 'Reads its intake queue through an event source mapping: a message it cannot handle is moved to the dead-letter queue by '
    + 'the queue\'s redrive policy; it is never invoked asynchronously.';
  suppressNag(fn, [{ id: 'Serverless-LambdaDLQ', reason }]);
  suppressCheckov(fn, [{ id: 'CKV_AWS_116', comment: reason }]);
  const mapping = fn.node.tryFindChild(`SqsEventSource:${Names.nodeUniqueId(intake.node)}`);
  if (mapping) suppressNag(mapping, [{ id: 'Serverless-LambdaEventSourceMappingDestination', reason }]);
  return { intake, fn };
}
