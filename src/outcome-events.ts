import * as events from 'aws-cdk-lib/aws-events';

/**
 * Where every recorded outcome is also published, as an EventBridge event (`source`
 * `cdk-tap-serverless`, `detail-type` the notification type such as `image.processed`, `detail`
 * the notification as the API returns it).
 *
 * Delivery is at least once: if publishing fails the invocation fails and is retried, and a
 * retry of an outcome already recorded publishes it again. Consumers deduplicate by `detail.id`.
 *
 * @example
 * OutcomeEvents.defaultBus();
 * OutcomeEvents.bus(myBus);
 */
export class OutcomeEvents {
  /** The account's default event bus in the stack's region. */
  public static defaultBus(): OutcomeEvents {
    return new OutcomeEvents();
  }

  /** An event bus of your own. */
  public static bus(bus: events.IEventBus): OutcomeEvents {
    return new OutcomeEvents(bus);
  }

  /**
   * @param eventBus the bus; undefined: the default bus
   */
  private constructor(public readonly eventBus?: events.IEventBus) {}
}
