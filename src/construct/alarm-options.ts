import { Duration } from 'aws-cdk-lib';

/**
 * Thresholds of the alarms TapServerless creates. Every alarm evaluates one period of
 * `period` and treats missing data as not breaching.
 */
export interface TapAlarmOptions {
  /**
   * Errors (invocations that threw) per function per period at or above which its alarm fires.
   *
   * @default 1
   */
  readonly functionErrors?: number;

  /**
   * Throttled invocations per function per period at or above which its alarm fires.
   *
   * @default 1
   */
  readonly functionThrottles?: number;

  /**
   * Messages visible in the dead-letter queue at or above which the alarm fires. Any message
   * there is an upload that failed every retry and is waiting to be redriven.
   *
   * @default 1
   */
  readonly deadLetterQueueMessages?: number;

  /**
   * Share of API requests answered with a 5XX, in percent, at or above which the alarm fires.
   *
   * @default 1
   */
  readonly apiServerErrorRatePercent?: number;

  /**
   * p99 latency of the API at or above which the alarm fires.
   *
   * @default Duration.seconds(2)
   */
  readonly apiLatencyP99?: Duration;

  /**
   * Share of uploads rejected as bad input (per S3 function), in percent, at or above which
   * the alarm fires. Rejections are never retried: a high rate usually means a producer is
   * sending the wrong files or a schema changed.
   *
   * @default 25
   */
  readonly rejectionRatePercent?: number;

  /**
   * Requests to the notifications table, or to one of its listing indexes, that DynamoDB
   * throttled (read or write), per period, at or above which the alarm fires. Throttled writes are
   * retried by the SDK and then by Lambda; sustained throttling means the pipeline runs faster
   * than the table or an index partition takes (see `tableIndexShards`).
   *
   * @default 1
   */
  readonly tableThrottledRequests?: number;

  /**
   * Age of the oldest event waiting in an S3 function's asynchronous queue (Lambda's
   * `AsyncEventAge`, maximum over the period) at or above which its alarm fires: uploads arrive
   * faster than the function's concurrency processes them.
   *
   * @default Duration.minutes(30)
   */
  readonly asyncEventAge?: Duration;

  /**
   * Events an S3 function's asynchronous queue dropped (Lambda's `AsyncEventsDropped`: too old,
   * or out of retries), per period, at or above which its alarm fires. The dead-letter queue
   * receives them; redrive them once the cause is fixed.
   *
   * @default 1
   */
  readonly asyncEventsDropped?: number;

  /**
   * The period each alarm evaluates (whole minutes). The dead-letter queue alarm always
   * evaluates one minute: a message there is worth knowing about at once.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}
