import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The Powertools Logger and Metrics of one function, created once per module (tracing: ./tracing). */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export interface ObservabilityOptions {
  /** The deployment's environment suffix, added to every log line and as a metric dimension. */
  readonly environment: string;
}

/**
 * Creates the Logger and Metrics of a function. Call it once, at module scope.
 *
 * Service name, log level and metric namespace come from the Powertools environment variables
 * set by the construct (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`,
 * `POWERTOOLS_METRICS_NAMESPACE`). Metrics carry the dimensions `service` and `environment`.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  return {
    logger: new Logger({ persistentKeys: { environment: options.environment } }),
    metrics: new Metrics({ defaultDimensions: { environment: options.environment } }),
  };
}

/** Adds a Count metric (nothing when `value` is 0, so that EMF lines stay small). */
export function countMetric(metrics: Pick<Metrics, 'addMetric'>, name: string, value = 1): void {
  if (value > 0) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
}

/** Publishes the metrics stored during this invocation, if any (no "empty metrics" warning). */
export function flushMetrics(metrics: Metrics): void {
  if (metrics.hasStoredMetrics()) {
    metrics.publishStoredMetrics();
  }
}
