import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { buildSync } from 'esbuild';
import { bundledAssetDir, createNotificationsTable, dynamoClient, emulatorEndpoint, startFunctionFromAsset } from '../../emulator/bundled';
import { apiRequest } from '../../emulator/events';
import { LocalFunction } from '../../emulator/local-function';
import { EMULATOR_AWS_ENV } from '../../emulator/moto';
import { ENV } from '../../src/contract/env-names';
import { ExportTrailer } from '../../src/notifications/runtime/export-stream';
import { indexShardOf, Notification, toNotificationItem } from '../../src/runtime/notification-item';

// GET /notifications/export end to end: the bundled export function, in its own Node.js process with
// the awslambda streaming shim, against DynamoDB in moto server. 10,000 notifications over 5 shards
// (three per millisecond, so equal timestamps sit in different shards; expired items and
// object-version items mixed in), each with a 2 KB details object so that an export held in memory
// would show in the process's peak RSS.
const TABLE = 'notifications-export';
const SHARDS = 5;
const COUNT = 10_000;
const TYPES = ['image.processed', 'data.valid', 'ops.note'];
const BASE = Date.parse('2026-11-30T00:00:00.000Z');
const FAR_FUTURE = '2027-06-01T00:00:00.000Z';
/** The range the child process allows (TAP_EXPORT_MAX_RANGE_SECONDS): FAR_FUTURE's reaches back before BASE. */
const CHILD_MAX_RANGE_SECONDS = 366 * 86_400;
// The export's process gets a small heap: a 32 MB old space could not hold the 21 MB export as
// strings (let alone as objects), so buffering it would end in a heap out-of-memory failure; and
// 2 MB semi-spaces, or V8 grows its young generation with the allocation rate (tens of MB of RSS
// that say nothing about what the handler keeps).
const HEAP = ['--max-old-space-size=32', '--max-semi-space-size=2'];

let notifications: Notification[];
let dir: string;
let child: string;


const exportEvent = (query: Record<string, string>) => apiRequest('GET', '/notifications/export', { query });

interface ChildResult {
  prelude: { statusCode: number; headers: Record<string, string> };
  bodyBytes: number;
  drains: number;
  ended: boolean;
  seconds: number;
  peakRssMb: number;
  lines: Array<Notification | ExportTrailer>;
}

/** Runs the bundled export in a child process; returns what it streamed and its peak RSS. */
function runExport(name: string, query: Record<string, string>, nodeOptions: string[] = HEAP): ChildResult {
  const outFile = join(dir, `${name}.ndjson`);
  const run = spawnSync(process.execPath, [...nodeOptions, child, bundledAssetDir('notification-export'), outFile, JSON.stringify(exportEvent(query))], {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: process.env.PATH ?? '',
      ...EMULATOR_AWS_ENV,
      AWS_ENDPOINT_URL: emulatorEndpoint(),
      TAP_TABLE_NAME: TABLE,
      TAP_INDEX_SHARDS: String(SHARDS),
      TAP_ENVIRONMENT: 'test',
      TAP_EXPORT_MAX_RANGE_SECONDS: String(CHILD_MAX_RANGE_SECONDS),
      POWERTOOLS_SERVICE_NAME: 'notification-export',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  });
  if (run.status !== 0) throw new Error(`export child failed (${run.status}): ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop()!);
  const body = readFileSync(outFile, 'utf8');
  expect(body.endsWith('\n')).toBe(true);
  const lines = body.slice(0, -1).split('\n').map((line) => JSON.parse(line));
  return { ...result, lines };
}

const key = (n: Notification) => `${n.createdAt}#${n.id}`;
const newestFirst = (list: readonly Notification[]) => [...list].sort((a, b) => (key(a) < key(b) ? 1 : -1)).map((n) => n.id);

/** Splits an export into its notifications and its trailer, checking the order as it goes. */
function split(result: ChildResult): { items: Notification[]; trailer: ExportTrailer } {
  const trailer = result.lines[result.lines.length - 1] as ExportTrailer;
  const items = result.lines.slice(0, -1) as Notification[];
  expect(trailer.trailer).toBe(true);
  expect(items.every((n) => (n as unknown as ExportTrailer).trailer === undefined)).toBe(true);
  // Strictly newest first: every sort key below the one before it (so no duplicate either).
  const outOfOrder = items.findIndex((n, i) => i > 0 && !(key(n) < key(items[i - 1])));
  expect(outOfOrder).toBe(-1);
  return { items, trailer };
}

async function writeAll(ddb: DynamoDBDocumentClient, items: readonly object[]): Promise<void> {
  const chunks: object[][] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  // A few writers at once: moto answers requests concurrently.
  const writer = async () => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      let pending: any[] = chunk.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const result = await ddb.send(new BatchWriteCommand({ RequestItems: { [TABLE]: pending } }));
        pending = result.UnprocessedItems?.[TABLE] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, writer));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tap-export-'));
  child = join(dir, 'export-child.js');
  buildSync({
    entryPoints: [join(__dirname, '..', 'support', 'export-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: child,
    logLevel: 'silent',
  });
  const client = dynamoClient();
  await createNotificationsTable(client, TABLE);
  const ddb = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  notifications = Array.from({ length: COUNT }, (_, i) => ({
    id: `n-${String((i * 7919) % COUNT).padStart(5, '0')}-${i}`,
    type: TYPES[i % TYPES.length],
    createdAt: new Date(BASE + Math.floor(i / 3)).toISOString(),
    message: `notification ${i}`,
    details: { sequence: i, note: `${i} `.padEnd(2048, '.') },
  }));
  const layout = { indexShards: SHARDS };
  const expired = Array.from({ length: 20 }, (_, i) => ({
    ...toNotificationItem({ id: `expired-${i}`, type: TYPES[i % 3], createdAt: new Date(BASE + i * 100).toISOString(), message: 'old' }, layout),
    expiresAt: Math.floor(Date.now() / 1000) - 1,
  }));
  const versionItems = Array.from({ length: 20 }, (_, i) => ({ id: `ver-${i}`, fingerprints: new Set(['fp1']) }));
  await writeAll(ddb, [...notifications.map((n) => toNotificationItem(n, layout)), ...expired, ...versionItems]);
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the data: 10,000 notifications over every shard, with equal timestamps in different shards', () => {
  expect(new Set(notifications.map((n) => indexShardOf(n.id, SHARDS))).size).toBe(SHARDS);
  const tied = notifications.filter((n) => n.createdAt === notifications[0].createdAt);
  expect(new Set(tied.map((n) => indexShardOf(n.id, SHARDS))).size).toBeGreaterThan(1);
});

describe('the bundled export against moto', () => {
  let all: ChildResult;
  let range: ChildResult;

  beforeAll(() => {
    all = runExport('all', { until: FAR_FUTURE });
    // About a tenth of the notifications: the baseline of the memory comparison.
    range = runExport('range', { since: new Date(BASE + 2000).toISOString(), until: new Date(BASE + 2334).toISOString() });
    process.stdout.write(
      `export of ${COUNT} notifications: ${all.lines.length - 1} lines, ${(all.bodyBytes / 1048576).toFixed(1)} MB in ${all.seconds.toFixed(1)} s, ` +
      `peak RSS ${all.peakRssMb.toFixed(1)} MB, ${all.drains} drains; ` +
      `${range.lines.length - 1} notifications: peak RSS ${range.peakRssMb.toFixed(1)} MB\n`);
  }, 240_000);

  test('streams all 10,000 notifications, strictly newest first, no duplicate, then a complete trailer', () => {
    expect(all.prelude).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    });
    const { items, trailer } = split(all);
    expect(items).toHaveLength(COUNT);
    expect(new Set(items.map((n) => n.id)).size).toBe(COUNT);
    expect(items.map((n) => n.id)).toEqual(newestFirst(notifications));
    expect(items[0]).toEqual(notifications[COUNT - 1]);
    // Without since, the range is the longest allowed, ending at until: the trailer says so
    const since = new Date(Date.parse(FAR_FUTURE) - CHILD_MAX_RANGE_SECONDS * 1000).toISOString();
    expect(trailer).toEqual({ trailer: true, complete: true, count: COUNT, since, until: FAR_FUTURE });
    expect(all.ended).toBe(true);
  });

  test('a time range is exactly the notifications from since (included) to until (excluded)', () => {
    const since = new Date(BASE + 2000).toISOString();
    const until = new Date(BASE + 2334).toISOString();
    const { items, trailer } = split(range);
    const expected = notifications.filter((n) => n.createdAt >= since && n.createdAt < until);
    expect(expected).toHaveLength(1002);
    expect(items.map((n) => n.id)).toEqual(newestFirst(expected));
    expect(trailer).toEqual({ trailer: true, complete: true, count: 1002, since, until });
  });

  test('memory stays flat: exporting 10 times as many notifications (about 20 MB more body) barely moves the peak RSS, in a 32 MB heap', () => {
    // Held in memory, the 10,000 notifications (over 20 MB of NDJSON, more as objects) would add
    // at least that much to the peak; streamed, the difference is the garbage collector's slack.
    expect(all.bodyBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(range.bodyBytes).toBeLessThan(all.bodyBytes / 8);
    expect(all.peakRssMb - range.peakRssMb).toBeLessThan(12);
    expect(all.peakRssMb).toBeLessThan(range.peakRssMb + (all.bodyBytes - range.bodyBytes) / 1048576 / 2);
    expect(all.drains).toBeGreaterThan(0);
  });

  test('the type filter streams that type\'s notifications of the range, newest first (the by-type index)', () => {
    const since = new Date(BASE).toISOString();
    const until = new Date(BASE + 1000).toISOString();
    const result = runExport('type', { type: 'data.valid', since, until });
    const { items, trailer } = split(result);
    const expected = notifications.filter((n) => n.type === 'data.valid' && n.createdAt < until);
    expect(expected).toHaveLength(1000);
    expect(items.map((n) => n.id)).toEqual(newestFirst(expected));
    expect(trailer).toMatchObject({ complete: true, count: expected.length, type: 'data.valid' });
  }, 120_000);

  test('bad parameters: 400 JSON before anything is streamed', () => {
    const outFile = join(dir, 'bad.ndjson');
    const run = spawnSync(process.execPath, [child, bundledAssetDir('notification-export'), outFile, JSON.stringify(exportEvent({ since: 'tomorrow' }))], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...EMULATOR_AWS_ENV, AWS_ENDPOINT_URL: emulatorEndpoint(), TAP_TABLE_NAME: TABLE, TAP_INDEX_SHARDS: String(SHARDS), TAP_ENVIRONMENT: 'test' },
    });
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim().split('\n').pop()!).prelude).toMatchObject({ statusCode: 400, headers: { 'Content-Type': 'application/json' } });
    expect(JSON.parse(readFileSync(outFile, 'utf8'))).toMatchObject({ parameter: 'since', message: expect.stringMatching(/^Invalid since/) });
  });
});

describe('the local Lambda host (the demo\'s) runs the streamed export', () => {
  // emulator/lambda-host.js gives every function the runtime's `awslambda` global and answers
  // a streamified handler's invocation as API Gateway would answer the client: the prelude's status
  // and headers, and the body that followed it.
  let fn: LocalFunction;

  beforeAll(async () => {
    // The export stops 30 s before its deadline (complete: false); on a loaded machine (the suite runs a worker per
    // core) these exports may take longer than the 30 s a 60 s timeout would leave them, so the function has 5 minutes.
    fn = await startFunctionFromAsset(bundledAssetDir('notification-export'), 'notification-export', {
      [ENV.TABLE_NAME]: TABLE, [ENV.INDEX_SHARDS]: String(SHARDS), [ENV.ENVIRONMENT]: 'test', POWERTOOLS_LOG_LEVEL: 'WARN',
    }, emulatorEndpoint(), { timeoutSeconds: 300 });
  }, 60_000);

  afterAll(async () => {
    await fn?.stop();
  });

  test('a time range: 200 NDJSON with the range\'s notifications newest first, then the trailer', async () => {
    const since = new Date(BASE + 3000).toISOString();
    const until = new Date(BASE + 3100).toISOString();
    const res = await fn.invoke<{ statusCode: number; headers: Record<string, string>; body: string }>(exportEvent({ since, until }));
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/x-ndjson' });
    const lines = res.body.slice(0, -1).split('\n').map((line) => JSON.parse(line));
    const expected = notifications.filter((n) => n.createdAt >= since && n.createdAt < until);
    expect(expected).toHaveLength(300);
    expect(lines.slice(0, -1).map((n) => n.id)).toEqual(newestFirst(expected));
    expect(lines[lines.length - 1]).toEqual({ trailer: true, complete: true, count: 300, since, until });
  }, 60_000);

  test('a range longer than exportMaxRange (31 days by default) is a 400 naming the earliest since allowed; without since, the range is 31 days (finding: the export starves the account)', async () => {
    const until = '2026-12-31T00:00:00.000Z';
    const tooLong = await fn.invoke<{ statusCode: number; body: string }>(exportEvent({ since: '2026-11-29T23:59:59.999Z', until }));
    expect(tooLong.statusCode).toBe(400);
    expect(JSON.parse(tooLong.body)).toEqual({
      parameter: 'since',
      maxRangeSeconds: 31 * 86_400,
      message: 'Invalid since: one export covers at most 31 days (until − since); got since 2026-11-29T23:59:59.999Z, until 2026-12-31T00:00:00.000Z: '
        + 'request since=2026-11-30T00:00:00.000Z or later, and the rest in further calls',
    });

    const defaulted = await fn.invoke<{ statusCode: number; body: string }>(exportEvent({ until: new Date(BASE + 3100).toISOString() }));
    expect(defaulted.statusCode).toBe(200);
    const trailer = JSON.parse(defaulted.body.slice(0, -1).split('\n').pop()!);
    expect(trailer).toMatchObject({ trailer: true, complete: true, since: new Date(BASE + 3100 - 31 * 86_400_000).toISOString() });
  }, 240_000);

  test('bad parameters: the 400 JSON error, as the client would get it', async () => {
    const res = await fn.invoke<{ statusCode: number; headers: Record<string, string>; body: string }>(exportEvent({ until: 'later' }));
    expect(res.statusCode).toBe(400);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/json' });
    expect(JSON.parse(res.body)).toMatchObject({ parameter: 'until', message: expect.stringMatching(/^Invalid until/) });
  });
});
