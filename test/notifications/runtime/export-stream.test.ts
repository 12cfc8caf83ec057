import { Writable } from 'node:stream';
import { InternalServerError } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { serveExport, ExportDependencies, ExportTrailer, NDJSON } from '../../../src/notifications/runtime/export-stream';
import { Notification, toNotificationItem } from '../../../src/runtime/notification-item';
import { createNotificationsTable } from '../../../src/runtime/notifications-table';
import { fakeIndexes } from '../../support/fake-index';
import { apiRequest, FUNCTION_ENV, lambdaContext } from '../../support/fixtures';
import { createStreamingShim, RecordedResponse, ShimOptions } from '../../support/streaming-shim';

const ddb = mockClient(DynamoDBDocumentClient);
process.env.AWS_REGION = 'us-east-1';
const table = createNotificationsTable('t', { indexShards: 3 });
const BASE = Date.parse('2026-12-01T00:00:00.000Z');
const NOW = new Date('2026-12-05T00:00:00.000Z');
const notifications: Notification[] = Array.from({ length: 250 }, (_, i) => ({
  id: `n-${String(i).padStart(3, '0')}`,
  type: i % 2 === 0 ? 'image.processed' : 'data.valid',
  createdAt: new Date(BASE + Math.floor(i / 2) * 1000).toISOString(),
  message: `notification ${i} ${'x'.repeat(200)}`,
}));
const logger = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
const metrics = { addMetric: jest.fn() };

/** The counts serveExport added, by metric name (all Count). */
function counted(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, unit, value] of metrics.addMetric.mock.calls) {
    expect(unit).toBe('Count');
    out[name] = (out[name] ?? 0) + value;
  }
  return out;
}


const exportEvent = (query: Record<string, string> | null, headers: Record<string, string> = {}) =>
  apiRequest('GET', '/notifications/export', { query, headers });

/** Runs serveExport as the Lambda runtime would (streamifyResponse), recording what it writes. */
async function run(
  event: APIGatewayProxyEvent,
  options: { shim?: ShimOptions; remainingMs?: () => number; deps?: Partial<ExportDependencies> } = {},
): Promise<RecordedResponse> {
  const shim = createStreamingShim(options.shim);
  const deps: ExportDependencies = { table, logger, metrics, runtime: shim, corsOrigins: [], now: () => NOW, ...options.deps };
  const invoke = shim.streamifyResponse((e, stream, context) => serveExport(e as APIGatewayProxyEvent, stream, context as any, deps));
  return invoke(event, { ...lambdaContext(), getRemainingTimeInMillis: options.remainingMs ?? (() => 600_000) });
}

function lines(body: string): unknown[] {
  expect(body.endsWith('\n')).toBe(true);
  return body.slice(0, -1).split('\n').map((line) => JSON.parse(line));
}

beforeEach(() => {
  ddb.reset();
  jest.clearAllMocks();
});

test('200 NDJSON: every notification newest first, then a trailer saying the export is complete', async () => {
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  const res = await run(exportEvent(null));
  expect(res.prelude).toEqual({
    statusCode: 200,
    headers: { 'Content-Type': NDJSON, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  });
  const out = lines(res.body);
  const trailer = out.pop() as ExportTrailer;
  expect(trailer).toEqual({ trailer: true, complete: true, count: 250, until: NOW.toISOString() });
  expect((out as Notification[]).map((n) => n.id)).toEqual([...notifications].reverse().map((n) => n.id));
  expect(out[0]).toEqual(notifications[249]);
  expect(res.ended).toBe(true);
  // AND counted: 250 exported, nothing incomplete
  expect(counted()).toEqual({ NotificationsExported: 250 });
});

test('an empty range is just the trailer', async () => {
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  const res = await run(exportEvent({ until: new Date(BASE).toISOString(), type: 'data.valid' }));
  expect(lines(res.body)).toEqual([{ trailer: true, complete: true, count: 0, type: 'data.valid', until: '2026-12-01T00:00:00.000Z' }]);
  expect(counted()).toEqual({});
});

test('bad parameters: a 400 JSON response before anything is read or streamed', async () => {
  const stats = fakeIndexes(ddb, []);
  const res = await run(exportEvent({ since: 'last week' }));
  expect(res.prelude).toMatchObject({ statusCode: 400, headers: { 'Content-Type': 'application/json' } });
  expect(JSON.parse(res.body)).toEqual({ parameter: 'since', message: expect.stringMatching(/^Invalid since: must be an ISO-8601 date-time/) });
  expect(stats.queries).toBe(0);
  expect(counted()).toEqual({});
});

test('a failure of the first read: a 500 JSON response, not a broken stream', async () => {
  ddb.on(QueryCommand).rejects(new InternalServerError({ message: 'boom', $metadata: {} }));
  const res = await run(exportEvent(null));
  expect(res.prelude).toMatchObject({ statusCode: 500, headers: { 'Content-Type': 'application/json' } });
  expect(JSON.parse(res.body)).toEqual({ message: 'Internal server error: the export could not start; retry later' });
  expect(logger.error).toHaveBeenCalledWith('export failed before streaming', expect.anything());
});

test('a failure after streaming started: status stays 200, the trailer says incomplete and where to resume', async () => {
  // GIVEN a table whose third BatchGetItem fails
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  const batchGet = ddb.commandCalls(BatchGetCommand);
  expect(batchGet).toHaveLength(0);
  let calls = 0;
  const original = ddb.on(BatchGetCommand);
  original.callsFake(async (input) => {
    calls += 1;
    if (calls === 3) throw new InternalServerError({ message: 'boom', $metadata: {} });
    const [name, request] = Object.entries(input.RequestItems)[0] as [string, { Keys: Array<{ id: string }> }];
    const byId = new Map(notifications.map((n) => [n.id, toNotificationItem(n, table.layout)]));
    return { Responses: { [name]: request.Keys.map((k) => byId.get(k.id)) } };
  });
  // WHEN
  const res = await run(exportEvent(null));
  // THEN two full batches went out, then the trailer
  expect(res.prelude?.statusCode).toBe(200);
  const out = lines(res.body);
  const trailer = out.pop() as ExportTrailer;
  expect(out).toHaveLength(200);
  const last = out[199] as Notification;
  expect(trailer).toEqual({
    trailer: true,
    complete: false,
    count: 200,
    until: NOW.toISOString(),
    error: expect.stringMatching(/^internal error/),
    resumeUntil: new Date(Date.parse(last.createdAt) + 1).toISOString(),
  });
  // Resuming with until=resumeUntil loses nothing: it includes every notification not yet written.
  const notWritten = notifications.filter((n) => !out.some((o) => (o as Notification).id === n.id));
  expect(notWritten.every((n) => n.createdAt < trailer.resumeUntil!)).toBe(true);
  // AND counted as an incomplete export of 200
  expect(counted()).toEqual({ NotificationsExported: 200, ExportsIncomplete: 1 });
});

test('near the timeout the export stops cleanly: an incomplete trailer with resumeUntil', async () => {
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  let remaining = 120_000;
  const res = await run(exportEvent({ type: 'image.processed' }), { remainingMs: () => (remaining -= 50_000) });
  const out = lines(res.body);
  const trailer = out.pop() as ExportTrailer;
  // 120 s left: one batch (70 s left), a second (20 s, under the 30 s margin), then stop.
  expect(out).toHaveLength(125);
  expect(trailer).toMatchObject({ complete: false, count: 125, type: 'image.processed', error: expect.stringMatching(/^time limit reached/) });
  expect(trailer.resumeUntil).toBe(new Date(Date.parse((out[124] as Notification).createdAt) + 1).toISOString());
  expect(counted()).toEqual({ NotificationsExported: 125, ExportsIncomplete: 1 });
});

test('a client that goes away mid-stream: the export stops, logs it, and counts what was written, not an incomplete export', async () => {
  // GIVEN a response stream whose peer disconnects after about 45 KB (a batch and a half)
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  let received = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      setImmediate(() => callback(received > 45_000 ? new Error('client went away') : null));
    },
  });
  stream.on('error', () => undefined);
  const deps: ExportDependencies = { table, logger, metrics, runtime: { HttpResponseStream: { from: (s) => s } }, corsOrigins: [], now: () => NOW };
  // WHEN
  await serveExport(exportEvent(null), stream, { getRemainingTimeInMillis: () => 600_000 }, deps);
  // THEN it stopped early, without a trailer, and said so
  expect(stream.destroyed).toBe(true);
  expect(logger.warn).toHaveBeenCalledWith('export stream closed by the client', expect.objectContaining({ count: expect.any(Number) }));
  const { count } = logger.warn.mock.calls[0][1] as { count: number };
  expect(count).toBeGreaterThan(0);
  expect(count).toBeLessThan(250);
  expect(counted()).toEqual({ NotificationsExported: count });
});

test('writes respect backpressure: the response buffer never holds more than its size plus one batch', async () => {
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  const highWaterMark = 1024;
  const res = await run(exportEvent(null), { shim: { highWaterMark } });
  const batchBytes = Math.max(...notifications.map((n) => JSON.stringify(n).length + 1)) * 100;
  expect(res.drains).toBeGreaterThan(0);
  expect(res.maxBuffered).toBeLessThanOrEqual(highWaterMark + batchBytes);
  expect(lines(res.body)).toHaveLength(251);
});

test('CORS headers for an allowed origin, on the streamed response and on errors', async () => {
  fakeIndexes(ddb, notifications.map((n) => toNotificationItem(n, table.layout)));
  const deps = { corsOrigins: ['https://app.example.com'] };
  const ok = await run(exportEvent(null, { Origin: 'https://app.example.com' }), { deps });
  expect(ok.prelude?.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Vary': 'Origin' });
  const bad = await run(exportEvent({ until: 'x' }, { origin: 'https://app.example.com' }), { deps });
  expect(bad.prelude?.headers).toMatchObject({ 'Access-Control-Allow-Origin': 'https://app.example.com' });
});

test('the entry point fails clearly when the runtime gives no awslambda.streamifyResponse', async () => {
  Object.assign(process.env, FUNCTION_ENV);
  expect((globalThis as any).awslambda?.streamifyResponse).toBeUndefined();
  const mod = jest.requireActual<typeof import('../../../src/notifications/notification-export.lambda')>('../../../src/notifications/notification-export.lambda');
  await expect((mod.handler as () => Promise<unknown>)()).rejects.toThrow(
    /GET \/notifications\/export needs Lambda response streaming: the awslambda global .* is missing/);
});
