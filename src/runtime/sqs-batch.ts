import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { parseJson, s3PayloadOf, UnrecognizedEventError } from './event-shapes';
import { processS3Event, ProcessS3EventOptions } from './s3-event';

/**
 * Processes an SQS batch (the queue ingestion mode: S3 → SQS → the function, with
 * `ReportBatchItemFailures`): each message's S3 event goes through {@link processS3Event}, one
 * message after the other. A message that fails — any of its records failed with a possibly
 * transient error, or its body is not an S3 event at all — is reported in `batchItemFailures`, so
 * that SQS makes it visible again (alone: the others are deleted) and, after the queue's
 * `maxReceiveCount` receives, moves it to the dead-letter queue. S3's `s3:TestEvent` is
 * acknowledged. Nothing is ever acknowledged without its outcome recorded.
 *
 * Powertools' BatchProcessor would do the bookkeeping, but @aws-lambda-powertools/batch is served
 * here at 2.35.0 only (its own commons beside the 2.36.0 the logger and metrics use), and the part
 * it would replace is the loop below: each message is already processed by processS3Event.
 */
export async function processSqsEvent(event: SQSEvent, options: ProcessS3EventOptions): Promise<SQSBatchResponse> {
  const { logger } = options;
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      const payload = s3PayloadOf(parseJson(message.body, 'SQS message body'), 'SQS message body');
      if (payload.kind === 'test-event') {
        logger.info('S3 test event (written when the notification configuration was created); nothing to do', { messageId: message.messageId });
        continue;
      }
      await processS3Event(payload.event, options);
    } catch (err) {
      batchItemFailures.push({ itemIdentifier: message.messageId });
      const unrecognized = err instanceof UnrecognizedEventError;
      logger.error(unrecognized
        ? 'Message is not an S3 event: reported as failed, so that it reaches the dead-letter queue instead of being deleted'
        : 'Message failed: reported as failed, so that SQS delivers it again (alone)', {
        messageId: message.messageId,
        receiveCount: message.attributes?.ApproximateReceiveCount,
        error: err as Error,
        ...(unrecognized ? { body: message.body.slice(0, 2048) } : {}),
      });
    }
  }
  logger.info('SQS batch processed', { messages: event.Records.length, failed: batchItemFailures.length });
  return { batchItemFailures };
}
