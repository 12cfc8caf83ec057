import { Duration } from 'aws-cdk-lib';

/**
 * Service-level objectives of the notifications API (`apiObjectives`), created as CloudWatch
 * Application Signals SLOs on the API stage's own API Gateway metrics, with one burn-rate alarm
 * each. Every member is optional: `{}` gives the documented defaults.
 */
export interface ApiObjectiveOptions {
  /**
   * Availability objective: the share of API requests, in percent, that must not be answered
   * with a 5XX over the window (a request-based SLO: good = requests − 5XX). Greater than 0 and
   * less than 100.
   *
   * @default 99.9
   */
  readonly availabilityPercent?: number;

  /**
   * Latency objective: the API stage's `latencyPercentile` latency, per minute, must stay at or
   * below this (a period-based SLO on API Gateway's `Latency` metric). More than 0 and at most
   * 29 seconds (API Gateway's integration timeout).
   *
   * @default Duration.seconds(2)
   */
  readonly latencyThreshold?: Duration;

  /**
   * The latency percentile the latency objective applies to, e.g. 99 for p99. Greater than 0
   * and less than 100.
   *
   * @default 99
   */
  readonly latencyPercentile?: number;

  /**
   * Share of the one-minute periods of the window, in percent, in which the latency objective
   * must hold. Greater than 0 and less than 100.
   *
   * @default 99.9
   */
  readonly latencyAttainmentPercent?: number;

  /**
   * The rolling window both objectives are evaluated over, in whole days from 1 to 365.
   *
   * @default Duration.days(28)
   */
  readonly window?: Duration;

  /**
   * Burn rate at or above which an objective's alarm fires, when both its 60-minute and its
   * 5-minute burn rates reach it (a burn rate of 1 spends the error budget exactly over the
   * window; 14.4 spends 2 % of a 30-day budget in one hour). More than 0.
   *
   * @default 14.4
   */
  readonly burnRateAlarmThreshold?: number;
}
