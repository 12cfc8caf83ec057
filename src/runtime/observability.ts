import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** The Powertools Logger, Metrics and Tracer of one function, created once per module. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

export interface ObservabilityOptions {
  /** The deployment's environment suffix, added to every log line and as a metric dimension. */
  readonly environment: string;
}

let functionTracer: Tracer | undefined;

/**
 * The function's one X-Ray tracer (Powertools Tracer), created on first use.
 *
 * It traces only in Lambda (`AWS_EXECUTION_ENV` set) and when the construct has not turned it
 * off with `POWERTOOLS_TRACE_ENABLED=false` (the `tracing` prop off). Everywhere else (tests, the
 * emulator, the operations command) it does nothing and logs nothing. HTTP requests are not
 * captured globally: the AWS SDK clients are captured one by one ({@link traceAwsClient}), so that
 * every SDK call is one subsegment named after its service, not two.
 */
export function tracer(): Tracer {
  functionTracer ??= new Tracer({ captureHTTPsRequests: false });
  return functionTracer;
}

/**
 * Creates the Logger, Metrics and Tracer of a function. Call it once, at module scope.
 *
 * Service name, log level and metric namespace come from the Powertools environment variables
 * set by the construct (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`,
 * `POWERTOOLS_METRICS_NAMESPACE`, `POWERTOOLS_TRACE_ENABLED`). Metrics carry the dimensions
 * `service` and `environment`.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  return {
    logger: new Logger({ persistentKeys: { environment: options.environment } }),
    metrics: new Metrics({ defaultDimensions: { environment: options.environment } }),
    tracer: tracer(),
  };
}

/**
 * Returns an AWS SDK v3 client whose calls are X-Ray subsegments (named after the service, with
 * the operation, the table or bucket and the retries) when the function traces; the client itself
 * otherwise. For a DynamoDB DocumentClient, capture the underlying `DynamoDBClient` before `from()`.
 */
export function traceAwsClient<T>(client: T): T {
  const t = tracer();
  return t.isTracingEnabled() ? t.captureAWSv3Client(client) : client;
}

/**
 * The annotation that finds a trace by its object: the first 16 hex digits of the SHA-256 of the
 * object key. X-Ray indexes annotations and keeps them 30 days, longer than the functions' logs
 * may be kept: the key itself goes only into the subsegment's metadata, which is not indexed.
 */
export function objectKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

/**
 * Runs one invocation inside a `## <handler>` subsegment annotated with `ColdStart` and `Service`
 * (what Powertools' `captureLambdaHandler` does; the facade segment Lambda creates cannot carry
 * annotations), recording an error thrown. Without tracing it only runs `fn`.
 */
export async function traceInvocation<T>(fn: () => Promise<T>, t: Tracer = tracer()): Promise<T> {
  const parent = t.isTracingEnabled() ? t.getSegment() : undefined;
  if (parent === undefined) {
    return fn();
  }
  const subsegment = parent.addNewSubsegment(`## ${process.env._HANDLER ?? 'index.handler'}`);
  t.setSegment(subsegment);
  t.annotateColdStart();
  t.addServiceNameAnnotation();
  try {
    return await fn();
  } catch (err) {
    subsegment.addError(err as Error);
    throw err;
  } finally {
    subsegment.close();
    t.setSegment(parent);
  }
}

/**
 * Runs the processing of one S3 object inside a `### object` subsegment annotated with `bucket`
 * and `objectKeySha256` (see {@link objectKeyHash}), the key in its metadata (not indexed), so that
 * a trace can be found by the object it processed. Without tracing it only runs `fn`.
 */
export async function traceObject<T>(bucket: string, key: string, fn: () => Promise<T>, t: Tracer = tracer()): Promise<T> {
  const parent = t.isTracingEnabled() ? t.getSegment() : undefined;
  if (parent === undefined) {
    return fn();
  }
  const subsegment = parent.addNewSubsegment('### object');
  t.setSegment(subsegment);
  subsegment.addAnnotation('bucket', bucket);
  subsegment.addAnnotation('objectKeySha256', objectKeyHash(key));
  subsegment.addMetadata('object', { bucket, key });
  try {
    return await fn();
  } catch (err) {
    subsegment.addError(err as Error);
    throw err;
  } finally {
    subsegment.close();
    t.setSegment(parent);
  }
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
