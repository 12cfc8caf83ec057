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
   * The period each alarm evaluates (whole minutes). The dead-letter queue alarm always
   * evaluates one minute: a message there is worth knowing about at once.
   *
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}
