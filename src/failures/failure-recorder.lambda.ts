import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { FailureRoute, recordFailedEvents } from './runtime/failure-recorder';
import { ENV } from '../contract/env-names';
import { optionalEnv, requireEnv, requirePositiveIntEnv, requirePrefixEnv } from '../runtime/env';
import { notificationsTableFromEnv } from '../runtime/notifications-table';
import { createObservability } from '../runtime/observability';
import { createOutcomePublisher } from '../runtime/outcome-events';
import { traceAwsClient, traceInvocation } from '../runtime/tracing';

// Module scope: created once per execution environment, reused by every invocation.
const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
const routes = JSON.parse(requireEnv(ENV.FAILURE_ROUTES)) as FailureRoute[];
const bus = optionalEnv(ENV.OUTCOME_EVENT_BUS);
const options = {
  routes,
  bucket: requireEnv(ENV.BUCKET_NAME),
  outputPrefixes: [requirePrefixEnv(ENV.THUMBNAILS_PREFIX), requirePrefixEnv(ENV.REPORTS_PREFIX)],
  attempts: requirePositiveIntEnv(ENV.FAILURE_ATTEMPTS),
  table: notificationsTableFromEnv(),
  // Requests go to the Region's SQS endpoint, not to the host the queue URL names (which a local AWS may not resolve).
  sqs: traceAwsClient(new SQSClient({ useQueueUrlAsEndpoint: false })),
  deadLetterQueueUrl: requireEnv(ENV.DEAD_LETTER_QUEUE_URL),
  ...(bus !== undefined ? { publisher: createOutcomePublisher(bus) } : {}),
  logger,
  metrics,
};

/** The failure intake queue's batches: each failed event's objects recorded as `<kind>.failed`, the event forwarded to the dead-letter queue. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  return traceInvocation(() => recordFailedEvents(event, options), {}, context?.awsRequestId);
};
