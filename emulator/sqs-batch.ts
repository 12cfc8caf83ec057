import { DeleteMessageCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { EMULATOR_AWS_ENV } from './moto';

/**
 * What an SQS event source mapping does with one batch, for a local function: receive up to `max`
 * messages (with their attributes), invoke the function with them as an SQS event, and delete the
 * messages it does not report as failed. Returns the messages read and the function's response.
 */
export async function deliverBatch(
  sqs: SQSClient,
  queueUrl: string,
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse>,
  max = 10,
): Promise<{ messages: Message[]; response: SQSBatchResponse }> {
  const received = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl, MaxNumberOfMessages: max, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'],
  }));
  const messages = received.Messages ?? [];
  if (messages.length === 0) return { messages, response: { batchItemFailures: [] } };
  const name = queueUrl.split('/').pop();
  const event = {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body ?? '',
      attributes: (m.Attributes ?? {}) as any,
      messageAttributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, a]) => [k, {
        dataType: a.DataType!, stringValue: a.StringValue, stringListValues: [], binaryListValues: [],
      }])),
      md5OfBody: m.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${EMULATOR_AWS_ENV.AWS_REGION}:123456789012:${name}`,
      awsRegion: EMULATOR_AWS_ENV.AWS_REGION,
    })),
  } as SQSEvent;
  const response = await invoke(event);
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const m of messages.filter((message) => !failed.has(message.MessageId!))) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  return { messages, response };
}
