import { copyFileSync, rmSync } from 'fs';
import * as path from 'path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import sharp from 'sharp';
import {
  bundledAssetDir, createBucket, createNotificationsTable, dynamoClient, s3Client, s3Event, s3FunctionEnv, s3Record,
  startBundledFunction, startFunctionFromAsset, TEST_FINGERPRINT,
} from './bundled';
import { jsonArray, ndjson, csv, schemaValidatorsDir } from './data-files';
import { FAULT_KINDS, FaultKind, FaultProxy } from './fault-proxy';
import { LambdaService } from './lambda-service';
import { LocalFunction } from './local-function';
import { EMULATOR_AWS_ENV } from './moto';
import { mulberry32 } from './prng';
import { reconcile, ReconcileReport } from '../src/cli/reconcile';
import { redrive, resolveTargets } from '../src/cli/redrive';
import { reprocess, ReprocessSummary } from '../src/cli/reprocess';
import { describeFunction, Pipeline } from '../src/cli/stack';
import { SERVICE_NAME } from '../src/contract/metric-names';
import { objectNotificationId } from '../src/runtime/outcome-store';

/** One object the scenario uploads. */
export interface PlannedObject {
  readonly key: string;
  readonly kind: 'image' | 'data';
  /** Bad input: corrupt image bytes, or data failing the schema. */
  readonly invalid: boolean;
  /** Its event is delivered twice. */
  readonly duplicate: boolean;
  /** Its event is never delivered (a lost notification). */
  readonly lost: boolean;
}

/** An uploaded object version, as PutObject named it. */
export interface UploadedObject extends PlannedObject {
  readonly bucket: string;
  readonly versionId?: string;
  readonly eTag: string;
  readonly size: number;
}

export interface FaultScenarioOptions {
  readonly objects: number;
  /** Share of the functions' S3 and DynamoDB requests answered with a fault, 0..1. */
  readonly faultRate: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
  /** moto's endpoint. @default TAP_TEST_ENDPOINT */
  readonly motoEndpoint?: string;
  /** Invoke calls in flight at once (the "S3 notification" side). @default 8 */
  readonly concurrency?: number;
  /** Share of Invoke calls the Lambda service throttles (429). @default faultRate / 4 */
  readonly throttleRate?: number;
  /** The functions' SDK attempts per call (AWS_MAX_ATTEMPTS): low, so faults surface as handler errors. @default 2 */
  readonly sdkMaxAttempts?: number;
  /** Asynchronous events each function runs at once. @default 4 */
  readonly functionConcurrency?: number;
  /**
   * A storm during delivery: from `afterMs` after the first event, `rate` of the functions'
   * requests fail for `durationMs` — long enough that events exhaust Lambda's two retries and
   * land in the dead-letter queue. @default - no storm
   */
  readonly storm?: { readonly afterMs: number; readonly durationMs: number; readonly rate: number };
}

/** The part of a `reconcile` report the figures keep. */
export interface ReconcileFigures {
  readonly objects: number;
  readonly current: number;
  readonly olderConfiguration: number;
  readonly missing: number;
  readonly complete: boolean;
  readonly deadLetterQueueDepth: number;
}

/** The figures of a run. */
export interface FaultScenarioFigures {
  readonly objects: number;
  readonly images: number;
  readonly data: number;
  readonly invalid: number;
  readonly duplicates: number;
  readonly lostEvents: number;
  readonly deliveries: number;
  readonly proxiedRequests: { readonly s3: number; readonly dynamodb: number };
  readonly faults: Record<FaultKind, number>;
  readonly faultsTotal: number;
  readonly throttled: number;
  readonly invokeRetriesByCaller: number;
  readonly handlerRuns: number;
  readonly handlerErrors: number;
  readonly retries: number;
  readonly deadLettered: number;
  readonly dropped: number;
  readonly redriveRounds: number;
  readonly redriven: number;
  readonly redriveFailed: number;
  readonly dlqLeft: number;
  /** `reconcile` after the redrive: the lost events' objects are missing. */
  readonly reconcileBefore: ReconcileFigures;
  /** `reprocess` of the missing objects. */
  readonly reprocessed: {
    readonly selected: number;
    readonly delivered: number;
    readonly events: number;
    readonly throttled: number;
    readonly failed: number;
  };
  /** `reconcile` at the end: must be complete. */
  readonly reconcileAfter: ReconcileFigures;
  /** Objects without an outcome under the fingerprint (checked by scanning the table). */
  readonly missing: number;
  readonly missingKeys: string[];
  /** Objects among the missing whose event was not lost (must be 0). */
  readonly missingNotLost: number;
  /** Objects with more than one outcome item. */
  readonly duplicatesFound: number;
  /** Objects whose outcome type is not the one their content calls for. */
  readonly unexpectedOutcomes: number;
  readonly unexpectedOutcomeKeys: string[];
  readonly outcomeTypes: Record<string, number>;
  readonly phasesMs: {
    readonly setup: number;
    readonly upload: number;
    readonly deliver: number;
    readonly process: number;
    readonly redrive: number;
    readonly reconcileAndReprocess: number;
    readonly check: number;
  };
  readonly elapsedMs: number;
}

const IMAGE_FUNCTION = 'fault-run-image-processor';
const DATA_FUNCTION = 'fault-run-data-validator';

/**
 * Runs the pipeline's S3 functions under faults and checks that every object ends with exactly
 * one outcome: objects are uploaded to moto, their events delivered asynchronously to the local
 * Lambda service (some twice, some never), the functions' S3 and DynamoDB calls go through a
 * fault proxy, failed events are retried and dead-lettered, the DLQ is redriven with
 * `redrive()`, `reconcile()` finds the objects whose event was lost, `reprocess()` delivers them
 * (its events face the same faults), `reconcile()` must then report the bucket complete, and the
 * table is finally scanned directly in moto for duplicates and wrong outcome types.
 */
export async function runFaultScenario(options: FaultScenarioOptions): Promise<FaultScenarioFigures> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const motoEndpoint = options.motoEndpoint ?? process.env.TAP_TEST_ENDPOINT;
  if (!motoEndpoint) throw new Error('runFaultScenario needs motoEndpoint (or TAP_TEST_ENDPOINT)');
  const run = `${options.seed}-${Date.now().toString(36)}`;
  const bucket = `tap-fault-${run}`;
  const table = `notifications-fault-${run}`;
  const s3 = s3Client(motoEndpoint);
  const ddb = DynamoDBDocumentClient.from(dynamoClient(motoEndpoint));
  const sqs = new SQSClient({ endpoint: motoEndpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials: credentials() });
  const stops: Array<() => Promise<void> | void> = [() => s3.destroy(), () => ddb.destroy(), () => sqs.destroy()];
  try {
    await createBucket(s3, bucket);
    await createNotificationsTable(dynamoClient(motoEndpoint), table);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `tap-fault-dlq-${run}` }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;

    const proxy = await FaultProxy.start({ target: motoEndpoint, seed: options.seed, rate: options.faultRate });
    stops.push(() => proxy.stop());
    const functions = await startFunctions(bucket, table, proxy.endpoint, options.sdkMaxAttempts ?? 2);
    stops.push(...functions.stops);
    const service = await LambdaService.start({
      functions: [[IMAGE_FUNCTION, functions.image] as const, [DATA_FUNCTION, functions.data] as const].map(([name, hosted]) => ({
        name,
        fn: hosted.fn,
        environment: hosted.environment,
        deadLetterQueueUrl: queueUrl,
        deadLetterQueueArn: queueArn,
        maxConcurrency: options.functionConcurrency,
      })),
      sqs,
      retryDelayMs: 50,
      throttle: { rate: options.throttleRate ?? options.faultRate / 4, seed: options.seed + 1 },
    });
    stops.push(() => service.stop());
    const lambda = new LambdaClient({ endpoint: service.endpoint, region: EMULATOR_AWS_ENV.AWS_REGION, credentials: credentials() });
    stops.push(() => lambda.destroy());
    const setupDone = Date.now();
    log(`setup: bucket ${bucket}, table ${table}, proxy ${proxy.endpoint}, lambda ${service.endpoint} (${setupDone - started} ms)`);

    // Upload (directly to moto), then deliver the events (through the Lambda service).
    const plan = planObjects(options.objects, options.seed);
    const objects = await uploadAll(s3, bucket, plan, options.concurrency ?? 8);
    const uploadDone = Date.now();
    log(`uploaded ${objects.length} objects (${uploadDone - setupDone} ms)`);
    const deliveries = deliveryOrder(objects, options.seed);
    const storm = options.storm;
    const stormTimer = storm ? setTimeout(() => {
      log(`storm: ${Math.round(storm.rate * 100)} % faults for ${storm.durationMs} ms`);
      proxy.startStorm(storm.rate, storm.durationMs);
    }, storm.afterMs) : undefined;
    stops.push(() => clearTimeout(stormTimer));
    const delivery = await deliverAll(lambda, deliveries, options.concurrency ?? 8);
    const deliverDone = Date.now();
    log(`delivered ${deliveries.length} events, ${delivery.callerRetries} Invoke retries after throttling (${deliverDone - uploadDone} ms)`);
    await service.whenIdle();
    const processDone = Date.now();
    log(`processed: ${service.counters.handlerRuns} runs, ${service.counters.retries} retries, ${service.counters.deadLettered} dead-lettered (${processDone - deliverDone} ms)`);

    // Redrive until the DLQ is empty (at most 3 rounds).
    const targets = await resolveTargets(lambda, [IMAGE_FUNCTION, DATA_FUNCTION]);
    let rounds = 0;
    let redriven = 0;
    let redriveFailed = 0;
    const redriveAll = async () => {
      let depth = await queueDepth(sqs, queueUrl);
      while (depth > 0 && rounds < 6) {
        rounds += 1;
        const summary = await redrive(sqs, lambda, { queueUrl, targets, visibilityTimeoutSeconds: 30 });
        await service.whenIdle();
        redriven += summary.redriven;
        redriveFailed += summary.failed;
        depth = await queueDepth(sqs, queueUrl);
        log(`redrive round ${rounds}: ${summary.redriven} redriven, ${summary.failed} failed, ${summary.unroutable} unroutable; ${depth} left in the DLQ`);
      }
      return depth;
    };
    await redriveAll();
    const redriveDone = Date.now();

    // The operator's side: reconcile, reprocess what is missing, redrive what that dead-letters, reconcile.
    // The CLI's clients talk to moto directly and to the Lambda service; the functions still face faults.
    const functionsAsDeployed = await Promise.all([IMAGE_FUNCTION, DATA_FUNCTION].map((name) => describeFunction(lambda, name)));
    const pipeline: Pipeline = { bucket, table, queueUrl, functions: functionsAsDeployed.map((fn) => fn!) };
    const reconcileBefore = await reconcileFigures(s3, ddb, sqs, pipeline);
    log(`reconcile: ${reconcileBefore.objects} objects, ${reconcileBefore.current} current, ${reconcileBefore.missing} missing`);
    const reprocessed = await reprocess({ s3, ddb, lambda }, { pipeline, selection: 'missing', batchSize: 10, concurrency: 4 });
    await service.whenIdle();
    log(`reprocess: ${reprocessed.delivered} objects in ${reprocessed.events} events, ${reprocessed.throttled} throttled, ${reprocessed.failed} failed`);
    const dlqLeft = await redriveAll();
    const reconcileAfter = await reconcileFigures(s3, ddb, sqs, pipeline);
    log(`reconcile: ${reconcileAfter.objects} objects, ${reconcileAfter.current} current, ${reconcileAfter.missing} missing, complete: ${reconcileAfter.complete}`);
    const operationsDone = Date.now();

    // Check, without faults: directly against moto.
    proxy.enabled = false;
    const check = checkOutcomes(objects, await scanAll(ddb, table));
    const checkDone = Date.now();
    log(`checked: ${check.missing.length} missing, ${check.duplicated} with more than one outcome (${checkDone - operationsDone} ms)`);

    return {
      objects: objects.length,
      images: objects.filter((o) => o.kind === 'image').length,
      data: objects.filter((o) => o.kind === 'data').length,
      invalid: objects.filter((o) => o.invalid).length,
      duplicates: objects.filter((o) => o.duplicate).length,
      lostEvents: objects.filter((o) => o.lost).length,
      deliveries: deliveries.length,
      proxiedRequests: { ...proxy.counters.requests },
      faults: { ...proxy.counters.faults },
      faultsTotal: proxy.totalFaults,
      throttled: service.counters.throttled,
      invokeRetriesByCaller: delivery.callerRetries,
      handlerRuns: service.counters.handlerRuns,
      handlerErrors: service.counters.handlerErrors,
      retries: service.counters.retries,
      deadLettered: service.counters.deadLettered,
      dropped: service.counters.dropped,
      redriveRounds: rounds,
      redriven,
      redriveFailed,
      dlqLeft,
      reconcileBefore,
      reprocessed: summaryFigures(reprocessed),
      reconcileAfter,
      missing: check.missing.length,
      missingKeys: check.missing.map((o) => o.key),
      missingNotLost: check.missing.filter((o) => !o.lost).length,
      duplicatesFound: check.duplicated,
      unexpectedOutcomes: check.unexpected.length,
      unexpectedOutcomeKeys: check.unexpected,
      outcomeTypes: check.types,
      phasesMs: {
        setup: setupDone - started,
        upload: uploadDone - setupDone,
        deliver: deliverDone - uploadDone,
        process: processDone - deliverDone,
        redrive: redriveDone - processDone,
        reconcileAndReprocess: operationsDone - redriveDone,
        check: checkDone - operationsDone,
      },
      elapsedMs: checkDone - started,
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

async function reconcileFigures(s3: S3Client, ddb: DynamoDBDocumentClient, sqs: SQSClient, pipeline: Pipeline): Promise<ReconcileFigures> {
  const report: ReconcileReport = await reconcile({ s3, ddb, sqs }, { pipeline });
  return {
    objects: report.objects,
    current: report.current,
    olderConfiguration: report.olderConfiguration,
    missing: report.missing,
    complete: report.complete,
    deadLetterQueueDepth: (report.deadLetterQueue?.visible ?? 0) + (report.deadLetterQueue?.inFlight ?? 0),
  };
}

function summaryFigures(summary: ReprocessSummary): FaultScenarioFigures['reprocessed'] {
  return { selected: summary.selected, delivered: summary.delivered, events: summary.events, throttled: summary.throttled, failed: summary.failed };
}

function credentials() {
  return { accessKeyId: EMULATOR_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: EMULATOR_AWS_ENV.AWS_SECRET_ACCESS_KEY };
}

interface StartedFunction {
  readonly fn: LocalFunction;
  /** The environment GetFunctionConfiguration reports (what redrive's resolveTargets reads). */
  readonly environment: Record<string, string>;
}

/** Starts the bundled image processor and data validator (with the order schema), pointed at the proxy. */
async function startFunctions(bucket: string, table: string, endpoint: string, sdkMaxAttempts: number) {
  const common = { ...s3FunctionEnv(table, bucket), AWS_MAX_ATTEMPTS: String(sdkMaxAttempts) };
  const imageEnv = {
    ...common,
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME.IMAGE_PROCESSOR,
    TAP_THUMBNAIL_WIDTHS: '32',
    TAP_THUMBNAIL_FORMAT: 'webp',
    TAP_MAX_IMAGE_BYTES: String(5 * 1024 * 1024),
    TAP_MAX_IMAGE_PIXELS: '100000000',
  };
  const dataEnv = { ...common, POWERTOOLS_SERVICE_NAME: SERVICE_NAME.DATA_VALIDATOR };
  // The data validator's asset as the construct stages it: index.js + the precompiled schema.
  const dataAsset = schemaValidatorsDir();
  copyFileSync(path.join(bundledAssetDir('data-validator'), 'index.js'), path.join(dataAsset, 'index.js'));
  const stops: Array<() => Promise<void> | void> = [() => rmSync(dataAsset, { recursive: true, force: true })];
  try {
    const image = await startBundledFunction('image-processor', imageEnv, endpoint);
    stops.push(() => image.stop());
    const data = await startFunctionFromAsset(dataAsset, 'data-validator', dataEnv, endpoint);
    stops.push(() => data.stop());
    return {
      image: { fn: image, environment: imageEnv } as StartedFunction,
      data: { fn: data, environment: dataEnv } as StartedFunction,
      stops,
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop();
    throw err;
  }
}

/**
 * The objects of a run, alternately images and data files: a seeded ~10 % invalid, ~5 %
 * delivered twice and ~2 % (at least one) never delivered (the last two disjoint).
 */
export function planObjects(count: number, seed: number): PlannedObject[] {
  const random = mulberry32(seed * 7919 + 13);
  const order = shuffle(Array.from({ length: count }, (_, i) => i), random);
  const lost = new Set(order.slice(0, Math.max(1, Math.round(count * 0.02))));
  const duplicate = new Set(order.slice(lost.size, lost.size + Math.round(count * 0.05)));
  const invalid = new Set(shuffle(Array.from({ length: count }, (_, i) => i), random).slice(0, Math.round(count * 0.1)));
  const dataExt = ['ndjson', 'csv', 'json'];
  return Array.from({ length: count }, (_, i) => {
    const kind = i % 2 === 0 ? 'image' as const : 'data' as const;
    const n = String(i).padStart(5, '0');
    const key = kind === 'image'
      ? `images/run/${n}.${i % 4 === 0 ? 'png' : 'jpg'}`
      : `data/run/${n}.${dataExt[Math.floor(i / 2) % dataExt.length]}`;
    return { key, kind, invalid: invalid.has(i), duplicate: duplicate.has(i), lost: lost.has(i) };
  });
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The bytes of a planned object: a tiny image (its colour from the index, so every ETag differs) or a small data file. */
async function contentOf(object: PlannedObject, index: number): Promise<Buffer> {
  if (object.kind === 'image') {
    if (object.invalid) {
      // A PNG or JPEG signature followed by garbage: named as an image, not decodable.
      const signature = object.key.endsWith('.png') ? [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] : [0xff, 0xd8, 0xff, 0xe0];
      return Buffer.concat([Buffer.from(signature), Buffer.from(`corrupt image ${index} `.repeat(8))]);
    }
    const image = sharp({ create: { width: 24, height: 16, channels: 3, background: { r: index % 256, g: Math.floor(index / 256) % 256, b: 128 } } });
    return object.key.endsWith('.png') ? image.png().toBuffer() : image.jpeg({ quality: 70 }).toBuffer();
  }
  const distinct = (o: Record<string, unknown>, i: number) => ({ ...o, id: index * 10 + i + 1 });
  const broken = (o: Record<string, unknown>, i: number) => (i === 1 ? { ...o, quantity: 'two' } : distinct(o, i));
  if (object.key.endsWith('.csv')) {
    // Column 3 is the quantity, an integer in the schema.
    const row = (cells: string[], i: number) => (object.invalid && i === 1
      ? [...cells.slice(0, 3), 'two', ...cells.slice(4)]
      : [String(index * 10 + i + 1), ...cells.slice(1)]);
    return Buffer.from(csv(3, row));
  }
  const edit = object.invalid ? broken : distinct;
  return Buffer.from(object.key.endsWith('.json') ? jsonArray(3, edit) : ndjson(3, edit));
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function eachLimited<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function uploadAll(s3: S3Client, bucket: string, plan: readonly PlannedObject[], concurrency: number): Promise<UploadedObject[]> {
  const uploaded: UploadedObject[] = new Array(plan.length);
  await eachLimited(plan, concurrency, async (object, index) => {
    const body = await contentOf(object, index);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: object.key, Body: body, ContentLength: body.length }));
    uploaded[index] = { ...object, bucket, versionId: put.VersionId, eTag: (put.ETag ?? '').replace(/"/g, ''), size: body.length };
  });
  return uploaded;
}

/** The events to deliver, in a seeded order: one per object, twice for the duplicates, none for the lost ones. */
function deliveryOrder(objects: readonly UploadedObject[], seed: number): UploadedObject[] {
  const deliveries = objects.filter((o) => !o.lost);
  deliveries.push(...objects.filter((o) => o.duplicate));
  return shuffle(deliveries, mulberry32(seed * 31 + 7));
}

/** Invokes the function of each object asynchronously, as S3 does, retrying throttled calls as S3 keeps trying. */
async function deliverAll(lambda: LambdaClient, deliveries: readonly UploadedObject[], concurrency: number): Promise<{ callerRetries: number }> {
  let callerRetries = 0;
  await eachLimited(deliveries, concurrency, async (object) => {
    const event = s3Event(s3Record(object.bucket, object.key, { ETag: `"${object.eTag}"`, VersionId: object.versionId }, object.size));
    const functionName = object.kind === 'image' ? IMAGE_FUNCTION : DATA_FUNCTION;
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
        if (res.StatusCode !== 202) throw new Error(`Invoke answered ${res.StatusCode}`);
        return;
      } catch (err) {
        if ((err as Error).name !== 'TooManyRequestsException' || attempt >= 20) throw err;
        callerRetries += 1;
        await new Promise((r) => setTimeout(r, 20 * attempt));
      }
    }
  });
  return { callerRetries };
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

async function scanAll(ddb: DynamoDBDocumentClient, table: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await ddb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** The outcome type an object's content calls for. */
function expectedType(object: PlannedObject): string {
  if (object.kind === 'image') return object.invalid ? 'image.rejected' : 'image.processed';
  return object.invalid ? 'data.invalid' : 'data.valid';
}

/**
 * Matches the table's outcome items (those with a string `type`) to the uploaded objects: by the
 * deterministic id for presence and type, and by the details' bucket/key/version for duplicates.
 */
export function checkOutcomes(objects: readonly UploadedObject[], items: readonly Record<string, any>[]) {
  const outcomes = items.filter((item) => typeof item.type === 'string');
  const byId = new Map(outcomes.map((item) => [item.id as string, item]));
  const perVersion = new Map<string, number>();
  const types: Record<string, number> = {};
  for (const item of outcomes) {
    const d = item.details ?? {};
    const version = JSON.stringify([d.bucket, d.key, d.versionId ?? d.eTag]);
    perVersion.set(version, (perVersion.get(version) ?? 0) + 1);
    types[item.type] = (types[item.type] ?? 0) + 1;
  }
  const missing: UploadedObject[] = [];
  const unexpected: string[] = [];
  for (const object of objects) {
    const id = objectNotificationId({ bucket: object.bucket, key: object.key, versionId: object.versionId, eTag: object.eTag }, TEST_FINGERPRINT);
    const item = byId.get(id);
    if (!item) missing.push(object);
    else if (item.type !== expectedType(object)) unexpected.push(`${object.key}: ${item.type} (expected ${expectedType(object)})`);
  }
  const duplicated = [...perVersion.values()].filter((n) => n > 1).length;
  return { missing, duplicated, unexpected, types };
}

/** The figures as rows of a two-column table. */
export function figuresTable(figures: FaultScenarioFigures): string {
  const rows: Array<[string, string | number]> = [
    ['objects', figures.objects], ['images', figures.images], ['data files', figures.data], ['invalid', figures.invalid],
    ['delivered twice', figures.duplicates], ['events lost', figures.lostEvents], ['deliveries', figures.deliveries],
    ['proxied S3 requests', figures.proxiedRequests.s3], ['proxied DynamoDB requests', figures.proxiedRequests.dynamodb],
    ...FAULT_KINDS.map((k) => [`fault ${k}`, figures.faults[k]] as [string, number]),
    ['faults total', figures.faultsTotal], ['Invoke throttled (429)', figures.throttled], ['Invoke retries by caller', figures.invokeRetriesByCaller],
    ['handler runs', figures.handlerRuns], ['handler errors', figures.handlerErrors], ['async retries', figures.retries],
    ['dead-lettered', figures.deadLettered], ['dropped', figures.dropped], ['redrive rounds', figures.redriveRounds],
    ['redriven', figures.redriven], ['redrive failed', figures.redriveFailed],
    ['reconcile before: missing', figures.reconcileBefore.missing], ['reprocess: objects', figures.reprocessed.delivered],
    ['reprocess: events', figures.reprocessed.events], ['reprocess: throttled', figures.reprocessed.throttled],
    ['reprocess: failed', figures.reprocessed.failed], ['left in DLQ', figures.dlqLeft],
    ['reconcile after: current', figures.reconcileAfter.current], ['reconcile after: missing', figures.reconcileAfter.missing],
    ['missing', figures.missing], ['missing (not lost)', figures.missingNotLost], ['duplicates found', figures.duplicatesFound],
    ['unexpected outcomes', figures.unexpectedOutcomes], ['elapsed ms', figures.elapsedMs],
    ...Object.entries(figures.phasesMs).map(([k, v]) => [`  ${k} ms`, v] as [string, number]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${String(v).padStart(8)}`).join('\n');
}
