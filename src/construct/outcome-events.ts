import * as events from 'aws-cdk-lib/aws-events';

/**
 * Where every recorded outcome is also published, as an EventBridge event (`source`
 * `cdk-tap-serverless`, `detail-type` the notification type such as `image.processed`, `detail`
 * the notification as the API returns it).
 *
 * Delivery is at least once: if publishing fails the invocation fails and is retried, and a
 * retry of an outcome already recorded publishes it again. Consumers deduplicate by `detail.id`.
 *
 * Only `OutcomeEvents.dedicatedBus()` guarantees that every event on the bus comes from the
 * pipeline: on any other bus, a principal allowed `events:PutEvents` there can put an event with
 * the same `source` and `detail-type`, which a rule cannot tell apart.
 *
 * @example
 * OutcomeEvents.dedicatedBus();
 * OutcomeEvents.defaultBus();
 * OutcomeEvents.bus(myBus);
 */
export class OutcomeEvents {
  /**
   * A bus of the construct's own (the `outcomeEventBus` member) on which only the pipeline's S3
   * functions can put events: its resource policy denies `events:PutEvents` to every other
   * principal, administrators of the account included, so no caller can forge an outcome event.
   * Rules on it (yours) receive the outcomes.
   */
  public static dedicatedBus(): OutcomeEvents {
    return new OutcomeEvents(undefined, true);
  }

  /**
   * The account's default event bus in the stack's region. Any principal allowed
   * `events:PutEvents` on it can put look-alike events.
   */
  public static defaultBus(): OutcomeEvents {
    return new OutcomeEvents();
  }

  /** An event bus of your own. Whoever may put events on it can put look-alike events. */
  public static bus(bus: events.IEventBus): OutcomeEvents {
    return new OutcomeEvents(bus);
  }

  /** The bus given to `bus(…)`; undefined: the account's default bus, or (`dedicated`) the construct's own. */
  public readonly eventBus?: events.IEventBus;

  /** Whether the construct creates the bus, writable by its S3 functions only. */
  public readonly dedicated: boolean;

  private constructor(eventBus?: events.IEventBus, dedicated = false) {
    this.eventBus = eventBus;
    this.dedicated = dedicated;
  }
}
