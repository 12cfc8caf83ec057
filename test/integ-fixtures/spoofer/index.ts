/**
 * The integ test's would-be forger: a Lambda function whose own role allows `events:PutEvents` on
 * the pipeline's dedicated outcome bus, trying to put a `data.valid` event there as the pipeline
 * would. The bus's policy denies every principal but the pipeline's functions, so on AWS the call
 * is refused (AccessDeniedException); it answers whether it was.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export interface SpoofAttempt {
  /** The dedicated outcome bus's ARN. */
  readonly eventBusArn: string;
}

export interface SpoofAnswer {
  readonly denied: boolean;
  /** The error's name when the call failed, or the count of entries EventBridge refused. */
  readonly outcome: string;
}

const events = new EventBridgeClient({});

export async function handler(attempt: SpoofAttempt): Promise<SpoofAnswer> {
  try {
    const result = await events.send(new PutEventsCommand({
      Entries: [{
        EventBusName: attempt.eventBusArn,
        Source: 'cdk-tap-serverless',
        DetailType: 'data.valid',
        Detail: JSON.stringify({ id: 'obj-forged', type: 'data.valid', message: 'forged by the integration test' }),
      }],
    }));
    return { denied: false, outcome: `FailedEntryCount ${result.FailedEntryCount ?? 0}` };
  } catch (err) {
    const name = (err as Error).name;
    return { denied: name === 'AccessDeniedException', outcome: name };
  }
}
