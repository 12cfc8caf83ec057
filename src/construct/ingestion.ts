import { Duration } from 'aws-cdk-lib';

/** How uploads reach the S3 functions. */
export enum IngestionMode {
  /** S3 event notifications invoke each function asynchronously (Lambda's internal queue). */
  DIRECT = 'DIRECT',
  /** S3 event notifications go to an SQS queue per function, read in batches by an event source mapping. */
  QUEUE = 'QUEUE',
  /** The bucket sends its events to EventBridge; one rule per input prefix invokes each function. */
  EVENT_BRIDGE = 'EVENT_BRIDGE',
}

/** Options of the queue ingestion mode. */
export interface QueueIngestionOptions {
  /**
   * Messages (one S3 event each) per invocation, 1 to 10,000; above 10, `maxBatchingWindow` is required.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the event source mapping gathers messages before invoking, up to 5 minutes.
   *
   * @default - no batching window: the function is invoked as soon as messages are available
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Most concurrent invocations the event source mapping makes for each function, 2 to 1,000:
   * the cap on a burst, without reserving concurrency.
   *
   * @default - no cap but the function's and the account's concurrency
   */
  readonly maxConcurrency?: number;

  /**
   * Receives of a message (its first delivery and its retries) before SQS moves it to the
   * dead-letter queue, 1 to 1,000.
   *
   * @default 3
   */
  readonly maxReceiveCount?: number;
}

/**
 * How uploads reach the image processor and the data validator.
 *
 * @example
 * Ingestion.direct();                                             // the default
 * Ingestion.queue({ batchSize: 10, maxConcurrency: 50 });          // a buffer you can see and cap
 * Ingestion.eventBridge();                                         // shared buckets: no notification configuration per function
 */
export class Ingestion {
  /**
   * S3 event notifications invoke each function asynchronously: the lowest latency, one
   * invocation per upload. The bucket's notification configuration holds one rule per input prefix.
   */
  public static direct(): Ingestion {
    return new Ingestion(IngestionMode.DIRECT);
  }

  /**
   * S3 event notifications go to one encrypted, TLS-only SQS queue per function, redriven to the
   * dead-letter queue after `maxReceiveCount` receives; an event source mapping with
   * `ReportBatchItemFailures` reads them in batches, so one failed object is retried alone, and
   * `maxConcurrency` caps the function. The backlog is visible (the queue's depth and oldest
   * message, with an alarm).
   */
  public static queue(options: QueueIngestionOptions = {}): Ingestion {
    return new Ingestion(IngestionMode.QUEUE, options);
  }

  /**
   * The bucket sends its events to EventBridge (the default bus) and one rule per input prefix
   * invokes each function, with a retry policy and the dead-letter queue. Nothing is written to
   * the bucket's notification configuration per function, so several constructs (and other
   * consumers) can share one bucket. A bucket the construct creates gets EventBridge enabled; an
   * `bucket` must have it enabled by its owner.
   */
  public static eventBridge(): Ingestion {
    return new Ingestion(IngestionMode.EVENT_BRIDGE);
  }

  /**
   * @param mode how uploads reach the functions
   * @param queueOptions the queue mode's options
   */
  private constructor(public readonly mode: IngestionMode, public readonly queueOptions?: QueueIngestionOptions) {}
}
