import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { serveExport, StreamingContext, StreamingRuntime } from './runtime/export-stream';
import { parseCorsOrigins } from './runtime/http';
import { ENV } from '../contract/env-names';
import { DEFAULT_EXPORT_MAX_RANGE_SECONDS } from '../contract/notifications-model';
import { optionalEnv, requireEnv, requirePositiveIntEnv } from '../runtime/env';
import { notificationsTableFromEnv } from '../runtime/notifications-table';
import { createObservability, flushMetrics } from '../runtime/observability';
import { traceInvocation } from '../runtime/tracing';

// Module scope: created once per execution environment, reused by every invocation.
const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });
const table = notificationsTableFromEnv();
const corsOrigins = parseCorsOrigins(optionalEnv(ENV.CORS_ORIGINS));
// The construct sets it (exportMaxRange); a function started without it has the default.
const maxRangeMs = (optionalEnv(ENV.EXPORT_MAX_RANGE_SECONDS) === undefined
  ? DEFAULT_EXPORT_MAX_RANGE_SECONDS
  : requirePositiveIntEnv(ENV.EXPORT_MAX_RANGE_SECONDS)) * 1000;

/** Raised when the handler runs outside the Lambda Node.js runtime, which alone provides response streaming. */
export class ResponseStreamingUnavailableError extends Error {
  constructor() {
    super('GET /notifications/export needs Lambda response streaming: the awslambda global (streamifyResponse, ' +
      'HttpResponseStream) of the Lambda Node.js runtime is missing. Run it on Lambda (Node.js 18 or later) or give it a shim.');
    this.name = 'ResponseStreamingUnavailableError';
  }
}

// Other libraries may define an `awslambda` object too (Powertools keeps its invocation store
// there): only the runtime's has streamifyResponse and HttpResponseStream.
const candidate = (globalThis as unknown as { awslambda?: Partial<StreamingRuntime> }).awslambda;
const runtime = typeof candidate?.streamifyResponse === 'function' && typeof candidate.HttpResponseStream?.from === 'function'
  ? candidate as StreamingRuntime
  : undefined;

/**
 * API Gateway REST (Lambda proxy, response transfer mode STREAM) handler of
 * GET /notifications/export: streams the notifications as NDJSON, newest first.
 */
export const handler = runtime
  ? runtime.streamifyResponse(async (event: APIGatewayProxyEvent, responseStream: Writable, context: StreamingContext) => {
    logger.addContext(context as never);
    try {
      await traceInvocation(() => serveExport(event, responseStream, context, { table, logger, metrics, runtime, corsOrigins, maxRangeMs }),
        { 'http.request.method': event?.httpMethod ?? '', 'http.route': event?.resource ?? '' }, context?.awsRequestId);
    } finally {
      flushMetrics(metrics);
    }
  })
  : async (): Promise<never> => {
    throw new ResponseStreamingUnavailableError();
  };
