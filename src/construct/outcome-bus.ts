import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { OutcomeEvents } from './outcome-events';

/** The bus the S3 functions publish their outcomes to: the construct's own (dedicated), the account's default one, or the user's. */
export function outcomeEventBus(scope: Construct, outcomeEvents: OutcomeEvents): events.IEventBus {
  if (outcomeEvents.dedicated) {
    return new events.EventBus(scope, 'OutcomeEventBus', { description: 'Outcomes of the TapServerless pipeline: written by its S3 functions only' });
  }
  return outcomeEvents.eventBus ?? events.EventBus.fromEventBusName(scope, 'DefaultEventBus', 'default');
}

/**
 * Makes the construct's own bus writable by the pipeline's S3 functions only: its resource policy
 * denies `events:PutEvents` to every principal but their roles. An explicit deny in a resource
 * policy wins over any allow of the account's identity policies (administrators included), so an
 * event on the bus with the pipeline's `source` was put by the pipeline. The roles' own policies
 * still allow only their source and their types (src/construct/function-factory.ts).
 */
export function restrictToPipeline(bus: events.EventBus, writers: readonly iam.IRole[]): void {
  bus.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyThePipelinePutsEvents',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['events:PutEvents'],
    resources: [bus.eventBusArn],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': writers.map((role) => role.roleArn) } },
  }));
}
