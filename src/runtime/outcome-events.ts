import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { Notification } from './notification-item';
import { traceAwsClient } from './tracing';
import { OUTCOME_EVENT_SOURCE } from '../contract/notifications-model';

/** Publishes recorded outcomes (at least once: a retry publishes again; consumers dedupe by id). */
export interface OutcomePublisher {
  /** @throws OutcomePublishError, or the SDK's error: the caller fails the record so that it is retried */
  publish(notification: Notification): Promise<void>;
}

/** EventBridge did not accept an outcome event. */
export class OutcomePublishError extends Error {
  constructor(id: string, code: string | undefined, message: string | undefined) {
    super(`EventBridge did not accept the outcome event of ${id}: ${code ?? 'unknown error'}${message ? `: ${message}` : ''}`);
    this.name = 'OutcomePublishError';
  }
}

/**
 * A publisher to one event bus (name or ARN): one `PutEvents` entry per outcome, `source`
 * {@link OUTCOME_EVENT_SOURCE}, `detail-type` the notification type, `detail` the notification.
 * Call it once, at module scope.
 */
export function createOutcomePublisher(
  eventBusName: string,
  client: EventBridgeClient = traceAwsClient(new EventBridgeClient({})),
): OutcomePublisher {
  return {
    publish: async (notification) => {
      const result = await client.send(new PutEventsCommand({
        Entries: [{
          EventBusName: eventBusName,
          Source: OUTCOME_EVENT_SOURCE,
          DetailType: notification.type,
          Detail: JSON.stringify(notification),
          Time: new Date(notification.createdAt),
          Resources: [],
        }],
      }));
      if ((result.FailedEntryCount ?? 0) > 0) {
        const entry = result.Entries?.[0];
        throw new OutcomePublishError(notification.id, entry?.ErrorCode, entry?.ErrorMessage);
      }
    },
  };
}
