import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import {
  Attributes, AttributeValue, Context, defaultTextMapGetter, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace, Tracer,
} from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { OtlpUdpSpanExporter } from './otlp-udp-exporter';
import { ENV } from '../contract/env-names';

/**
 * Tracing with OpenTelemetry, without the X-Ray SDK.
 *
 * In Lambda with active tracing, every invocation is one root span (`## index.handler`) parented
 * to the trace Lambda started (`_X_AMZN_TRACE_ID`: its Root, Parent and Sampled flag), with the
 * function's stages and AWS SDK calls as child spans. Spans are sent when the invocation ends, as
 * OTLP over UDP to the environment's trace endpoint (`AWS_XRAY_DAEMON_ADDRESS`), where X-Ray turns
 * them into the function's subsegments. A trace Lambda did not sample is not recorded.
 *
 * Attributes go to the X-Ray subsegment's metadata, which X-Ray does not index; the few listed in
 * `aws.xray.annotations` become annotations, indexed for search (and kept 30 days): never an object
 * key, only its hash ({@link objectKeyHash}).
 */

/** Span names: one root per invocation, one span per object, one per stage. */
export const SPAN = {
  INVOCATION: '## index.handler',
  OBJECT: '### object',
  CHECK_RECORDED: 'check recorded',
  READ: 'read',
  DECODE: 'decode',
  VALIDATE: 'validate',
  WRITE_OUTPUTS: 'write outputs',
  RECORD_OUTCOME: 'record outcome',
} as const;

/** The span attributes the pipeline sets (besides the OpenTelemetry semantic conventions for RPC and FaaS). */
export const ATTR = {
  COLD_START: 'faas.coldstart',
  INVOCATION_ID: 'faas.invocation_id',
  FINGERPRINT: 'tap.config.fingerprint',
  BUCKET: 'aws.s3.bucket',
  OBJECT_KEY_SHA256: 'tap.object.key_sha256',
  OUTCOME_TYPE: 'tap.outcome.type',
  OUTCOME: 'tap.outcome',
  /** The attributes of this span X-Ray indexes as annotations; every other attribute is metadata. */
  XRAY_ANNOTATIONS: 'aws.xray.annotations',
} as const;

/** Attributes indexed as X-Ray annotations. Never an object key: X-Ray keeps annotations 30 days, beyond the logs. */
export const INDEXED_ATTRIBUTES: readonly string[] = [ATTR.COLD_START, ATTR.FINGERPRINT, ATTR.BUCKET, ATTR.OBJECT_KEY_SHA256, ATTR.OUTCOME_TYPE];

/**
 * Whether this function traces: in Lambda (`AWS_EXECUTION_ENV` set) unless the construct turned it
 * off (`TAP_TRACING=false`, the `tracing` prop off). Everywhere else (tests, the operations
 * command, the local emulator) it does nothing.
 */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_EXECUTION_ENV !== undefined && env[ENV.TRACING] !== 'false';
}

/**
 * The first 16 hex digits of the SHA-256 of an object key: the indexed attribute that finds a trace
 * by its object (`printf %s "$KEY" | sha256sum | cut -c1-16`).
 */
export function objectKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

interface FunctionTracing {
  readonly tracer: Tracer;
  readonly provider: TracerProvider;
}

let functionTracing: FunctionTracing | undefined | null;
let coldStart: boolean | undefined;
/** The active context of this function's spans: our own, so that nothing registers a global OpenTelemetry context. */
const activeContext = /* @__PURE__ */ new AsyncLocalStorage<Context>();
let propagator: AWSXRayPropagator | undefined;

/**
 * Sets up this function's tracing on first use: a tracer provider that records a span only under a
 * sampled parent (the trace header Lambda gives the invocation), batching the invocation's spans for
 * one export at its end. `exporter` replaces the UDP exporter (tests).
 */
export function configureTracing(options: { exporter?: SpanExporter; env?: NodeJS.ProcessEnv } = {}): void {
  const env = options.env ?? process.env;
  if (!tracingEnabled(env)) {
    functionTracing = null;
    return;
  }
  const provider = new TracerProvider({
    // The root decision is Lambda's (the header's Sampled flag); a span without one is never recorded.
    sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    // A span stays far below a datagram: long values (an exception's message) are cut.
    spanLimits: { attributeValueLengthLimit: 2048, attributeCountLimit: 64, eventCountLimit: 16 },
    resource: resourceFromAttributes({
      'service.name': env.POWERTOOLS_SERVICE_NAME ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'tap-serverless',
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_lambda',
      ...(env.AWS_REGION ? { 'cloud.region': env.AWS_REGION } : {}),
      ...(env.AWS_LAMBDA_FUNCTION_NAME ? { 'faas.name': env.AWS_LAMBDA_FUNCTION_NAME } : {}),
      ...(env.AWS_LAMBDA_FUNCTION_VERSION ? { 'faas.version': env.AWS_LAMBDA_FUNCTION_VERSION } : {}),
    }),
    spanProcessors: [new BatchSpanProcessor({
      exporter: options.exporter ?? new OtlpUdpSpanExporter(env.AWS_XRAY_DAEMON_ADDRESS),
      // Exported when the invocation ends (forceFlush), never on a timer of its own: Lambda freezes the
      // environment between invocations.
      scheduledDelayMillis: 3_600_000,
      maxQueueSize: 4096,
      maxExportBatchSize: 512,
      exportTimeoutMillis: 1000,
    })],
  });
  functionTracing = { provider, tracer: provider.getTracer('cdk-tap-serverless') };
}

function tracing(): FunctionTracing | undefined {
  if (functionTracing === undefined) configureTracing();
  return functionTracing ?? undefined;
}

/** The span of the current stage, if this invocation is traced. */
function currentSpan(): Span | undefined {
  const span = trace.getSpan(activeContext.getStore() ?? ROOT_CONTEXT);
  return span?.isRecording() ? span : undefined;
}

/** The current stage's context and the tracer, when this invocation is traced and recording. */
function recordingParent(): { parent: Context; tracer: Tracer } | undefined {
  const parent = activeContext.getStore();
  if (parent === undefined || !functionTracing || !currentSpan()) return undefined;
  return { parent, tracer: functionTracing.tracer };
}

/** Runs `fn` with `span` as the active span under `parent`, recording an error thrown; ends the span. */
async function inSpan<T>(parent: Context, span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await activeContext.run(trace.setSpan(parent, span), fn);
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Marks this execution environment warm (after its first invocation), for the `faas.coldstart` attribute. */
function takeColdStart(): boolean {
  const cold = coldStart ?? process.env.AWS_LAMBDA_INITIALIZATION_TYPE !== 'provisioned-concurrency';
  coldStart = false;
  return cold;
}

function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * Runs one invocation as the root span `## index.handler`, parented to the trace Lambda started
 * (`_X_AMZN_TRACE_ID`), with `faas.coldstart`, the request id and `attributes` (the S3 functions'
 * configuration fingerprint), recording an error thrown. Its spans are exported before it returns;
 * an export that fails is ignored. Without tracing it only runs `fn`.
 */
export async function traceInvocation<T>(fn: () => Promise<T>, attributes: Attributes = {}, requestId?: string): Promise<T> {
  const t = tracing();
  const cold = takeColdStart();
  if (t === undefined) return fn();
  const header = invocationTraceHeader();
  propagator ??= new AWSXRayPropagator();
  const parent = header ? propagator.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, defaultTextMapGetter) : ROOT_CONTEXT;
  const span = t.tracer.startSpan(SPAN.INVOCATION, {
    kind: SpanKind.INTERNAL,
    attributes: {
      [ATTR.COLD_START]: cold,
      ...(requestId ? { [ATTR.INVOCATION_ID]: requestId } : {}),
      ...attributes,
      [ATTR.XRAY_ANNOTATIONS]: indexed({ [ATTR.COLD_START]: cold, ...attributes }),
    },
  }, parent);
  try {
    return await inSpan(parent, span, fn);
  } finally {
    await flushSpans();
  }
}

/**
 * The invocation's X-Ray trace header: from the runtime's per-invocation store when it has one (an
 * environment that runs invocations concurrently keeps it there), else `_X_AMZN_TRACE_ID`.
 */
export function invocationTraceHeader(): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }).awslambda?.InvokeStore;
  return store?.getXRayTraceId?.() || process.env._X_AMZN_TRACE_ID || undefined;
}

/** Exports the spans ended so far; never throws (a trace is never worth failing an invocation). */
async function flushSpans(): Promise<void> {
  try {
    await functionTracing?.provider.forceFlush({ timeoutMillis: 1000 });
  } catch {
    // Best effort: the invocation's outcome is already recorded.
  }
}

/**
 * Runs `fn` as a child span of the current one (a stage of the invocation: `read`, `validate`,
 * `write outputs`, …), recording an error thrown. Without a traced parent it only runs `fn`.
 */
export async function traceStage<T>(name: string, fn: () => Promise<T>, attributes: Attributes = {}): Promise<T> {
  const traced = recordingParent();
  if (traced === undefined) return fn();
  const keys = indexed(attributes);
  const span = traced.tracer.startSpan(name, {
    kind: SpanKind.INTERNAL,
    attributes: { ...attributes, ...(keys.length > 0 ? { [ATTR.XRAY_ANNOTATIONS]: keys } : {}) },
  }, traced.parent);
  return inSpan(traced.parent, span, fn);
}

/**
 * Runs the processing of one S3 object as the span `### object`, with its bucket and the hash of
 * its key (never the key itself) as indexed attributes; `fn` may add the outcome ({@link setOutcome}).
 */
export function traceObject<T>(bucket: string, key: string, fn: () => Promise<T>): Promise<T> {
  // Untraced or unsampled: no key hash computed.
  if (recordingParent() === undefined) return fn();
  return traceStage(SPAN.OBJECT, fn, { [ATTR.BUCKET]: bucket, [ATTR.OBJECT_KEY_SHA256]: objectKeyHash(key) });
}

/** Adds the outcome of the object being processed (the summary's outcome, and its type, indexed) to its `### object` span. */
export function setOutcome(outcome: string, type: string | undefined): void {
  currentSpan()?.setAttributes({
    [ATTR.OUTCOME]: outcome,
    ...(type !== undefined ? { [ATTR.OUTCOME_TYPE]: type } : {}),
    // The object span's indexed attributes, the outcome type now with them.
    [ATTR.XRAY_ANNOTATIONS]: [ATTR.BUCKET, ATTR.OBJECT_KEY_SHA256, ATTR.OUTCOME_TYPE],
  });
}

/** Adds attributes to the current span (nothing without one). */
export function setTraceAttributes(attributes: Attributes): void {
  currentSpan()?.setAttributes(attributes);
}

function indexed(attributes: Attributes): string[] {
  return Object.keys(attributes).filter((k) => INDEXED_ATTRIBUTES.includes(k));
}

/** What {@link traceAwsClient} needs of an AWS SDK v3 client. */
interface MiddlewareClient {
  readonly middlewareStack: {
    add(middleware: (next: (args: any) => Promise<any>, context: any) => (args: any) => Promise<any>, options: Record<string, unknown>): void;
  };
}

/** The `$metadata` of an AWS SDK call's output, or of its error. */
interface CallMetadata {
  readonly requestId?: string;
  readonly httpStatusCode?: number;
  readonly attempts?: number;
}

/** What an AWS SDK call's `$metadata` says, as span attributes. */
function callAttributes(metadata: CallMetadata | undefined): Attributes {
  return {
    ...(metadata?.requestId ? { 'aws.request_id': metadata.requestId } : {}),
    ...(metadata?.httpStatusCode ? { 'http.response.status_code': metadata.httpStatusCode } : {}),
    ...(metadata?.attempts ? { 'aws.attempts': metadata.attempts } : {}),
  };
}

/**
 * Returns the AWS SDK v3 client with every call a client span of the current one: named
 * `<Service>.<Operation>`, with the OpenTelemetry RPC attributes (`rpc.system` `aws-api`,
 * `rpc.service`, `rpc.method`), the request id, the HTTP status, the attempts, and the table or
 * bucket (never an object key). A call outside a traced invocation is not recorded. For a DynamoDB
 * DocumentClient, instrument the underlying `DynamoDBClient` before `from()`.
 */
export function traceAwsClient<T extends MiddlewareClient>(client: T): T {
  client.middlewareStack.add((next, context) => async (args) => {
    const traced = recordingParent();
    if (traced === undefined) return next(args);
    const service = String(context?.clientName ?? 'AWS').replace(/Client$/, '');
    const operation = String(context?.commandName ?? 'Call').replace(/Command$/, '');
    const input = (args?.input ?? {}) as Record<string, unknown>;
    const attributes: Record<string, AttributeValue> = { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': operation };
    if (typeof input.TableName === 'string') attributes['aws.dynamodb.table_names'] = [input.TableName];
    if (input.RequestItems && typeof input.RequestItems === 'object') attributes['aws.dynamodb.table_names'] = Object.keys(input.RequestItems);
    if (typeof input.Bucket === 'string') attributes['aws.s3.bucket'] = input.Bucket;
    if (typeof input.QueueUrl === 'string') attributes['aws.sqs.queue_url'] = input.QueueUrl;
    const span = traced.tracer.startSpan(`${service}.${operation}`, { kind: SpanKind.CLIENT, attributes }, traced.parent);
    try {
      const result = await next(args);
      span.setAttributes(callAttributes(result?.output?.$metadata));
      return result;
    } catch (err) {
      span.setAttributes({ 'error.type': (err as Error)?.name ?? 'Error', ...callAttributes((err as { $metadata?: CallMetadata }).$metadata) });
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  }, { step: 'initialize', name: 'tapTracingMiddleware', override: true });
  return client;
}
