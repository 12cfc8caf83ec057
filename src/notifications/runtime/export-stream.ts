import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { exportNotifications, ExportOptions } from './export-notifications';
import { ExportQuery, parseExportQuery } from './export-query';
import { corsHeaders, getHeader, HttpError } from './http';
import { EXPORT_METRICS } from '../../contract/metric-names';
import { Notification } from '../../runtime/notification-item';
import { NotificationsTable } from '../../runtime/notifications-table';
import { countMetric } from '../../runtime/observability';

/** The HTTP status and headers API Gateway sends before the streamed body. */
export interface HttpPrelude {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
}

/**
 * What the Lambda Node.js runtime provides as the `awslambda` global for response streaming
 * (absent anywhere else: see notification-export.lambda.ts).
 */
export interface StreamingRuntime {
  readonly HttpResponseStream: {
    /** Writes the HTTP prelude to `stream` and returns the stream the body is written to. */
    from(stream: Writable, prelude: HttpPrelude): Writable;
  };
  streamifyResponse(handler: (event: APIGatewayProxyEvent, responseStream: Writable, context: StreamingContext) => Promise<void>): unknown;
}

/** The part of the Lambda context the export reads. */
export interface StreamingContext {
  readonly awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

/** Content type of the export: one JSON document per line. */
export const NDJSON = 'application/x-ndjson';

/**
 * The handler stops reading this long before the function's timeout, writes the trailer saying
 * where to resume, and ends the response cleanly.
 */
export const EXPORT_STOP_MARGIN_MS = 30_000;

/**
 * The last line of every export: `complete` true when every notification of the range was
 * written; false when the export stopped early (`error` says why, `resumeUntil` is the `until`
 * of the request that fetches the rest; it repeats the notifications of the last instant
 * written, so deduplicate by id). A response that does not end with this line was cut.
 */
export interface ExportTrailer {
  readonly trailer: true;
  readonly complete: boolean;
  readonly count: number;
  readonly type?: string;
  readonly since?: string;
  readonly until: string;
  readonly error?: string;
  readonly resumeUntil?: string;
}

export interface ExportDependencies {
  readonly table: NotificationsTable;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Where the export's counts go ({@link EXPORT_METRICS}); the handler publishes them after the response. */
  readonly metrics: Pick<Metrics, 'addMetric'>;
  readonly runtime: Pick<StreamingRuntime, 'HttpResponseStream'>;
  readonly corsOrigins: readonly string[];
  /** Longest since–until range of one export, in ms (`TAP_EXPORT_MAX_RANGE_SECONDS`; default: unbounded). */
  readonly maxRangeMs?: number;
  /** Request time (default: now). */
  readonly now?: () => Date;
  /** Stop margin before the timeout, in ms (default {@link EXPORT_STOP_MARGIN_MS}). */
  readonly stopMarginMs?: number;
  readonly exportOptions?: ExportOptions;
}

/**
 * Serves one GET /notifications/export on a Lambda response stream: parameters are checked before
 * anything is sent (400 JSON), and so is the first read of the table (500 JSON); then a 200 NDJSON
 * body, newest first, written batch by batch with backpressure (the next batch is read only once
 * the stream has taken the previous one), ending with an {@link ExportTrailer} line.
 */
export async function serveExport(
  event: APIGatewayProxyEvent,
  responseStream: Writable,
  context: StreamingContext,
  deps: ExportDependencies,
): Promise<void> {
  const started = (deps.now ?? (() => new Date()))();
  const cors = corsHeaders(getHeader(event.headers, 'origin'), deps.corsOrigins);
  let query: ExportQuery;
  try {
    query = parseExportQuery(event, started, deps.maxRangeMs);
  } catch (err) {
    if (err instanceof HttpError) {
      await sendJson(deps, responseStream, err.statusCode, { ...err.extra, message: err.message }, cors);
      return;
    }
    throw err;
  }

  const batches = exportNotifications(deps.table, query, deps.exportOptions)[Symbol.asyncIterator]();
  let first: IteratorResult<Notification[]>;
  try {
    first = await batches.next();
  } catch (err) {
    deps.logger.error('export failed before streaming', { error: err as Error });
    await sendJson(deps, responseStream, 500, { message: 'Internal server error: the export could not start; retry later' }, cors);
    return;
  }

  const body = deps.runtime.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'Content-Type': NDJSON, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...cors },
  });
  const margin = deps.stopMarginMs ?? EXPORT_STOP_MARGIN_MS;
  let count = 0;
  let lastCreatedAt: string | undefined;
  let stopped: string | undefined;
  try {
    for (let result = first; !result.done; result = await batches.next()) {
      const items = result.value;
      if (items.length > 0) {
        await write(body, items.map((n) => JSON.stringify(n)).join('\n') + '\n');
        count += items.length;
        lastCreatedAt = items[items.length - 1].createdAt;
      }
      if (context.getRemainingTimeInMillis() < margin) {
        stopped = 'time limit reached: request the rest with until=resumeUntil (or a narrower range)';
        await batches.return(undefined);
        break;
      }
    }
  } catch (err) {
    if (body.destroyed || body.writableEnded) {
      deps.logger.warn('export stream closed by the client', { count, error: err as Error });
      countMetric(deps.metrics, EXPORT_METRICS.EXPORTED, count);
      return;
    }
    deps.logger.error('export failed while streaming', { count, error: err as Error });
    stopped = 'internal error while reading the notifications: request the rest with until=resumeUntil';
  }
  const trailer: ExportTrailer = {
    trailer: true,
    complete: stopped === undefined,
    count,
    ...(query.type !== undefined ? { type: query.type } : {}),
    ...(query.since !== undefined ? { since: query.since } : {}),
    until: query.until,
    ...(stopped !== undefined ? {
      error: stopped,
      // One millisecond after the last instant written: nothing older than it is skipped.
      resumeUntil: lastCreatedAt === undefined ? query.until : new Date(Date.parse(lastCreatedAt) + 1).toISOString(),
    } : {}),
  };
  await write(body, JSON.stringify(trailer) + '\n');
  await end(body);
  countMetric(deps.metrics, EXPORT_METRICS.EXPORTED, count);
  countMetric(deps.metrics, EXPORT_METRICS.INCOMPLETE, trailer.complete ? 0 : 1);
  deps.logger.info('export streamed', { count, complete: trailer.complete, type: query.type, since: query.since, until: query.until });
}

async function sendJson(deps: ExportDependencies, stream: Writable, statusCode: number, body: unknown, cors: Record<string, string>): Promise<void> {
  const out = deps.runtime.HttpResponseStream.from(stream, {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...cors },
  });
  await write(out, JSON.stringify(body));
  await end(out);
}

/** Writes a chunk, waiting for 'drain' when the stream's buffer is full (memory stays bounded). */
async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) {
    await once(stream, 'drain');
  }
}

function end(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}
