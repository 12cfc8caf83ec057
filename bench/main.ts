// `npx projen bench`: measures the handlers against their baselines and writes BENCHMARKS.md and
// BENCHMARKS.svg. Every figure is a ratio to a baseline measured in the same run, alternately with
// it (the machines are shared: absolute times are noise), as the median of several runs.
// Not part of the test suite. Inputs are generated into .tmp/bench (git-ignored); the 1 GB file is
// deleted at the end. Exits 0 when every measurement was made (a missed target is a FAIL in the
// table, not an error); 1 when a measurement could not be made.
// Environment: BENCH_RUNS (default 5) scales every run count.
import { execFileSync, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import sharp from 'sharp';
import { ensureDir, makeDataFiles, makeJpeg, makeLargeFile } from './inputs';
import { chart, ratioFmt, resultText, table, targetText } from './report';
import { passes, Row, summarize, Summary } from './stats';
import { DataSchema } from '../src/data-schema';
import { compileDataSchema } from '../src/data/schema-compiler';
import { ENV } from '../src/contract/env-names';

const ROOT = resolve(__dirname, '..');
const WORK = ensureDir(join(ROOT, '.tmp', 'bench'));
const SCALE = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const RUNS = SCALE; // thumbnails, 100 MB files, synth
const LARGE_RUNS = Math.max(3, Math.round(SCALE * 0.6)); // the 1 GB file
const COLD_RUNS = SCALE * 3; // module loads (cheap, noisy)
const WIDTHS = [128, 512]; // the construct's default thumbnailWidths
const FORMAT = 'webp'; // and thumbnailFormat
const DATA_BYTES = 100 * 1000 * 1000;
const LARGE_COPIES = 10; // 10 × the 100 MB NDJSON = 1 GB
const MIB = 1024 * 1024;
const KIB = 1024;

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function check(result: SpawnSyncReturns<Buffer>, what: string): string {
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${what} exited with ${result.status}: ${result.stderr.toString().trim().slice(-2000)}`);
  return result.stdout.toString();
}

/** Runs a command; returns its wall-clock time in ms and its stdout. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, maxBuffer: 64 * MIB });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, stdout: check(result, `${command} ${args.join(' ')}`) };
}

/** Runs a bundled worker in a fresh Node process and returns its one JSON result line. */
function worker<T = Record<string, any>>(file: string, args: readonly string[]): T {
  const { stdout } = timed(process.execPath, [file, ...args]);
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

/** The workers, bundled as the handlers are (esbuild, minified, sharp external). */
function bundleWorker(name: string): string {
  const outfile = join(WORK, 'workers', `${name}.js`);
  esbuild.buildSync({
    entryPoints: [join(__dirname, 'workers', `${name}.worker.ts`)],
    bundle: true, platform: 'node', target: `node${process.versions.node.split('.')[0]}`, minify: true,
    mainFields: ['module', 'main'], external: ['sharp'], outfile, tsconfig: join(ROOT, 'test', 'tsconfig.json'), logLevel: 'warning',
  });
  return outfile;
}

/** Pairs of (ours, baseline) measured alternately (the order flips every run), and their per-pair ratios. */
function pairs(runs: number, ours: (run: number) => number, baseline: (run: number) => number,
  ratio: (o: number, b: number) => number): { ours: Summary; baseline: Summary; ratio: Summary } {
  const o: number[] = [];
  const b: number[] = [];
  const r: number[] = [];
  for (let run = 0; run < runs; run++) {
    let a: number;
    let c: number;
    if (run % 2 === 0) {
      a = ours(run); c = baseline(run);
    } else {
      c = baseline(run); a = ours(run);
    }
    o.push(a); b.push(c); r.push(ratio(a, c));
  }
  return { ours: summarize(o), baseline: summarize(b), ratio: summarize(r) };
}

function section(rows: Row[], names: readonly { name: string; unit: string; baselineName: string; ratioMeaning: string }[], body: () => Row[]): void {
  try {
    rows.push(...body());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log(`FAILED: ${message}`);
    for (const n of names) rows.push({ ...n, error: message.split('\n')[0].slice(0, 300) });
  }
}

// ---------------------------------------------------------------------------------------------
// vipsthumbnail (Debian libvips-tools), installed when absent.

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

function ensureVipsthumbnail(): void {
  if (commandExists('vipsthumbnail')) return;
  log('vipsthumbnail is absent: installing libvips-tools with apt-get');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  for (const args of [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'libvips-tools']]) {
    const [cmd, ...rest] = [...sudo, ...args];
    check(spawnSync(cmd, rest, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }), args.join(' '));
  }
  if (!commandExists('vipsthumbnail')) throw new Error('libvips-tools installed, but vipsthumbnail is still not on the PATH');
}

function vipsCliVersion(): string {
  try {
    return execFileSync('vips', ['--version']).toString().trim();
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------

const notes: string[] = [];

async function thumbnails(rows: Row[]): Promise<void> {
  const images = [
    { name: '12 MP JPEG (4000×3000)', file: join(WORK, 'photo-12mp.jpg'), width: 4000, height: 3000, seed: 12 },
    { name: '24 MP JPEG (6000×4000)', file: join(WORK, 'photo-24mp.jpg'), width: 6000, height: 4000, seed: 24 },
  ];
  const describe = (image: typeof images[number]) => ({
    name: `Thumbnails ${WIDTHS.join('+')} px ${FORMAT}, ${image.name}`,
    unit: 'ms',
    baselineName: `vipsthumbnail, one call per width, VIPS_CONCURRENCY=1, start-up excluded`,
    ratioMeaning: 'time: ours / vipsthumbnail',
  });
  try {
    ensureVipsthumbnail();
    for (const image of images) await makeJpeg(image.file, image.width, image.height, image.seed);
  } catch (err) {
    section(rows, images.map(describe), () => { throw err; });
    return;
  }
  const script = bundleWorker('thumbnails');
  const out = ensureDir(join(WORK, 'vips-out'));
  // Like for like: the handler runs libvips with one thread (configureSharpForLambda); so does vipsthumbnail here.
  const vipsEnv = { ...process.env, VIPS_CONCURRENCY: '1' };
  for (const image of images) {
    section(rows, [describe(image)], () => {
      log(`thumbnails: ${image.name} (${(statSync(image.file).size / MIB).toFixed(1)} MiB), ${RUNS} pairs`);
      let last: Record<string, any> = {};
      const rss: number[] = [];
      const totals: number[] = [];
      const startups: number[] = [];
      const result = pairs(RUNS,
        () => {
          last = worker(script, [image.file, WIDTHS.join(','), FORMAT]);
          rss.push(last.peakRssMiB);
          return last.ms;
        },
        () => {
          const start = process.hrtime.bigint();
          for (const width of WIDTHS) {
            check(spawnSync('vipsthumbnail', [image.file, '--size', `${width}x`, '-o', join(out, `%s_${width}.${FORMAT}[Q=80,effort=4,strip]`)], { env: vipsEnv }), 'vipsthumbnail');
          }
          const total = Number(process.hrtime.bigint() - start) / 1e6;
          // Our time excludes process start-up (Node and sharp are loaded before the clock starts): take
          // vipsthumbnail's start-up (libvips initialised, no image) out of its time too, as often as it ran.
          const startupStart = process.hrtime.bigint();
          for (const _ of WIDTHS) check(spawnSync('vipsthumbnail', ['--vips-version'], { env: vipsEnv }), 'vipsthumbnail --vips-version');
          const startup = Number(process.hrtime.bigint() - startupStart) / 1e6;
          totals.push(total);
          startups.push(startup);
          return total - startup;
        },
        (o, b) => o / b);
      // Both produced the same widths.
      for (const width of WIDTHS) {
        const produced = join(out, `${basename(image.file, '.jpg')}_${width}.${FORMAT}`);
        const ours = (last.thumbnails as Array<{ width: number }>).find((t) => t.width === width);
        if (!existsSync(produced) || !ours) throw new Error(`width ${width}: vipsthumbnail or makeThumbnails did not produce it`);
      }
      if (!notes.some((n) => n.startsWith('sharp'))) {
        notes.push(`sharp ${last.sharp} bundles libvips ${last.vips}; vipsthumbnail is Debian's libvips-tools (${vipsCliVersion()}).`);
      }
      notes.push(`vipsthumbnail on the ${image.name}: ${summarize(totals).median.toFixed(0)} ms median for all widths including ` +
        `${summarize(startups).median.toFixed(0)} ms of process start-up, which the baseline leaves out; with it, our ratio would be ` +
        `${(result.ours.median / summarize(totals).median).toFixed(2)}× (ratio of medians) rather than ${result.ratio.median.toFixed(2)}×.`);
      const rssSummary = summarize(rss);
      notes.push(`Thumbnails of the ${image.name}: peak RSS of the measuring process (Node + sharp + the image) ` +
        `${rssSummary.median.toFixed(0)} MiB median (${rssSummary.min.toFixed(0)}–${rssSummary.max.toFixed(0)}); ` +
        `input ${(statSync(image.file).size / MIB).toFixed(1)} MiB; our ${WIDTHS.join('/')} px thumbnails are ` +
        `${(last.thumbnails as Array<{ bytes: number }>).map((t) => `${(t.bytes / 1024).toFixed(1)} KiB`).join(' / ')}.`);
      return [{ ...describe(image), ...result, target: { on: 'ratio', op: '<=', value: 1.3 }, chart: true }];
    });
  }
}

function dataValidation(rows: Row[]): void {
  const files = { ndjson: join(WORK, 'orders-100mb.ndjson'), csv: join(WORK, 'orders-100mb.csv'), csvTwin: join(WORK, 'orders-100mb.csv-twin.ndjson') };
  const large = join(WORK, 'orders-1gb.ndjson');
  const schemaDir = join(WORK, 'validator');
  const describe = [
    { name: 'Validation throughput, 100 MB NDJSON', unit: 'ms', baselineName: 'stream read + JSON.parse loop, same file', ratioMeaning: 'throughput: ours / read+parse' },
    { name: 'Validation throughput, 100 MB CSV', unit: 'ms', baselineName: 'stream read + JSON.parse loop over the same records as NDJSON', ratioMeaning: 'throughput (records/s): ours / read+parse' },
    { name: 'Validation throughput, 1 GB NDJSON', unit: 'ms', baselineName: 'stream read + JSON.parse loop, same file', ratioMeaning: 'throughput: ours / read+parse' },
    { name: 'Peak RSS, validating 1 GB NDJSON', unit: 'MiB', baselineName: 'peak RSS of the read+parse loop, same file', ratioMeaning: 'RSS: ours / read+parse' },
  ];
  let script: string;
  try {
    log('data: generating inputs (100 MB NDJSON, 100 MB CSV + its NDJSON twin, 1 GB NDJSON) and compiling examples/schema/order.schema.json');
    makeDataFiles(files, DATA_BYTES, 42);
    makeLargeFile(large, files.ndjson, LARGE_COPIES);
    // The schema as the construct precompiles it at synth, written where the handler finds it (schema/ beside it).
    const compiled = compileDataSchema(DataSchema.fromFile(join(ROOT, 'examples', 'schema', 'order.schema.json')));
    const dir = ensureDir(join(schemaDir, 'schema'));
    writeFileSync(join(dir, 'validate-json.js'), compiled.jsonValidator);
    writeFileSync(join(dir, 'validate-csv.js'), compiled.csvValidator);
    writeFileSync(join(dir, 'schema-meta.json'), JSON.stringify(compiled.meta));
    script = bundleWorker('data');
  } catch (err) {
    section(rows, describe, () => { throw err; });
    rmSync(large, { force: true });
    return;
  }
  try {
    const throughput = (format: 'ndjson' | 'csv', file: string, baselineFile: string, runs: number, withFloor = false): { row: Row; rssRow: Row; floorRow?: Row } => {
      log(`data: ${format} ${relative(WORK, file)} (${(statSync(file).size / 1e6).toFixed(0)} MB), ${runs} pairs`);
      let ours: Record<string, any> = {};
      let base: Record<string, any> = {};
      const rss: number[] = [];
      const baseRss: number[] = [];
      const floorRatios: number[] = [];
      const floorMs: number[] = [];
      const result = pairs(runs,
        () => { ours = worker(script, ['validate', format, file, schemaDir]); rss.push(ours.peakRssMiB); return ours.ms; },
        () => {
          base = worker(script, ['raw', baselineFile]);
          baseRss.push(base.peakRssMiB);
          if (withFloor) {
            const floorRun = worker(script, ['floor', format, file, schemaDir]);
            floorMs.push(floorRun.ms);
            floorRatios.push(base.ms / floorRun.ms);
          }
          return base.ms;
        },
        (o, b) => b / o); // same records: throughput ratio = baseline time / our time
      if (ours.fatal || ours.records !== base.records) {
        throw new Error(`the validator read ${ours.records} records (fatal: ${JSON.stringify(ours.fatal)}), the baseline ${base.records}`);
      }
      const mbps = (ms: number): string => (statSync(file).size / 1e6 / (ms / 1000)).toFixed(0);
      notes.push(`${relative(WORK, file)}: ${ours.records.toLocaleString('en-US')} records (${ours.invalidRecords.toLocaleString('en-US')} invalid by design), ` +
        `${(statSync(file).size / 1e6).toFixed(0)} MB; validator ≈ ${mbps(result.ours.median)} MB/s, baseline ≈ ${(statSync(baselineFile).size / 1e6 / (result.baseline.median / 1000)).toFixed(0)} MB/s` +
        ` of ${relative(WORK, baselineFile)}; peak RSS ${summarize(rss).median.toFixed(0)} MiB (baseline ${summarize(baseRss).median.toFixed(0)} MiB).`);
      const rssRow: Row = {
        ...describe[3], ours: summarize(rss), baseline: summarize(baseRss),
        ratio: summarize(rss.map((r, i) => r / baseRss[i])), target: { on: 'ours', op: '<=', value: 200 },
      };
      const floorRow: Row | undefined = withFloor ? {
        name: `Floor: read + ${format === 'csv' ? 'papaparse' : 'JSON.parse'} + schema validator only, ${format.toUpperCase()}`,
        unit: 'ms', baselineName: describe[format === 'csv' ? 1 : 0].baselineName, ratioMeaning: 'throughput: floor / read+parse',
        ours: summarize(floorMs), baseline: result.baseline, ratio: summarize(floorRatios), chart: true,
        floorOf: describe[format === 'csv' ? 1 : 0].name,
        floorWhy: format === 'csv'
          ? 'reading, parsing with papaparse at its fastest and running the precompiled schema validator on each record, and nothing else (no UTF-8 check, limits, row numbers or report)'
          : 'reading, JSON.parse and running the precompiled schema validator on each record, and nothing else (no UTF-8 check, limits, line numbers or report)',
      } : undefined;
      return { row: { ...describe[format === 'csv' ? 1 : 0], ...result, chart: true }, rssRow, floorRow };
    };
    for (const [format, file, baselineFile, target, d] of [
      ['ndjson', files.ndjson, files.ndjson, 0.7, describe[0]], ['csv', files.csv, files.csvTwin, 0.5, describe[1]],
    ] as const) {
      section(rows, [d], () => {
        const { row, floorRow } = throughput(format, file, baselineFile, RUNS, true);
        return [{ ...row, target: { on: 'ratio', op: '>=', value: target } }, floorRow!];
      });
    }
    section(rows, [describe[2], describe[3]], () => {
      const { row, rssRow } = throughput('ndjson', large, large, LARGE_RUNS);
      return [{ ...row, ...describe[2] }, rssRow];
    });
  } finally {
    rmSync(large, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Cold start: whole-process time of `node -e "require(bundle)"` vs the same for an empty handler.

const HANDLER_ENV: Record<string, string> = {
  [ENV.TABLE_NAME]: 'bench-table', [ENV.INDEX_SHARDS]: '16', [ENV.BUCKET_NAME]: 'bench-bucket', [ENV.IMAGES_PREFIX]: 'images/', [ENV.DATA_PREFIX]: 'data/',
  [ENV.THUMBNAILS_PREFIX]: 'thumbnails/', [ENV.REPORTS_PREFIX]: 'reports/', [ENV.THUMBNAIL_WIDTHS]: WIDTHS.join(','),
  [ENV.THUMBNAIL_FORMAT]: FORMAT, [ENV.MAX_IMAGE_BYTES]: String(50 * MIB), [ENV.MAX_IMAGE_PIXELS]: '100000000', [ENV.ENVIRONMENT]: 'bench',
  // The data validator reads its limits and every S3 function its fingerprint at module load.
  [ENV.DATA_MAX_BYTES]: String(1024 * MIB), [ENV.DATA_MAX_RECORD_BYTES]: String(MIB), [ENV.DATA_MAX_JSON_DEPTH]: '64',
  [ENV.DATA_MAX_REPORT_ERRORS]: '100', [ENV.CONFIG_FINGERPRINT]: 'bench',
  AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench',
  // The AWS SDK warns about Node 20 on stderr; Lambda's nodejs24.x runtime would not.
  NODE_NO_WARNINGS: '1',
};

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
  }
  return total;
}

function coldStart(rows: Row[]): void {
  const assets = join(ROOT, 'assets');
  const imageDir = join(assets, 'images', `image-processor.lambda-${process.arch === 'arm64' ? 'arm64' : 'x64'}`);
  const empty = join(ensureDir(join(WORK, 'cold', 'empty')), 'index.js');
  writeFileSync(empty, 'exports.handler = async () => ({});\n');
  // The floor of any handler that talks to DynamoDB: the SDK client alone, bundled as the handlers are.
  const floor = join(WORK, 'cold', 'dynamodb-only', 'index.js');
  const bundles = [
    { key: 'api', name: 'API handler (notification-handler)', file: join(assets, 'notifications', 'notification-handler.lambda', 'index.js') },
    { key: 'floor', name: 'DynamoDB DocumentClient only (floor)', file: floor },
    { key: 'data', name: 'Data validator', file: join(assets, 'data', 'data-validator.lambda', 'index.js') },
    { key: 'image', name: `Image processor (${basename(imageDir)}, with sharp)`, file: join(imageDir, 'index.js') },
  ];
  const loadRow = (b: typeof bundles[number]) => ({
    name: `Module load: ${b.name}`, unit: 'ms', baselineName: 'empty handler, same method', ratioMeaning: 'process start + require: ours / empty',
  });
  const sizeRow = { name: 'Bundle size: API handler index.js', unit: 'KiB', baselineName: 'empty handler', ratioMeaning: '' };
  section(rows, [sizeRow, ...bundles.map(loadRow)], () => {
    esbuild.buildSync({
      stdin: {
        contents: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\n" +
          'export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));\nexport const handler = async () => ({});\n',
        resolveDir: ROOT, loader: 'ts',
      },
      bundle: true, platform: 'node', target: 'node24', minify: true, mainFields: ['module', 'main'], outfile: floor, logLevel: 'warning',
    });
    for (const b of bundles) {
      if (!existsSync(b.file)) throw new Error(`${relative(ROOT, b.file)} is missing: run \`npx projen bundle\` first (the bench task does)`);
    }
    log(`cold start: ${bundles.length + 1} bundles, ${COLD_RUNS} rounds`);
    const env = { ...process.env, ...HANDLER_ENV };
    const load = (file: string): { whole: number; require: number } => {
      const { ms, stdout } = timed(process.execPath, ['-e',
        `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`], env);
      return { whole: ms, require: Number(stdout) };
    };
    for (let i = 0; i < 3; i++) [empty, ...bundles.map((b) => b.file)].forEach(load); // warm the page cache
    const whole: Record<string, number[]> = { empty: [] };
    const required: Record<string, number[]> = { empty: [] };
    const ratios: Record<string, number[]> = {};
    for (const b of bundles) { whole[b.key] = []; required[b.key] = []; ratios[b.key] = []; }
    for (let round = 0; round < COLD_RUNS; round++) {
      const order = [{ key: 'empty', file: empty }, ...bundles];
      // Rotate the order every round so that no bundle always runs first or last.
      const rotated = order.map((_, i) => order[(i + round) % order.length]);
      const times: Record<string, number> = {};
      for (const b of rotated) {
        const t = load(b.file);
        times[b.key] = t.whole;
        whole[b.key].push(t.whole);
        required[b.key].push(t.require);
      }
      for (const b of bundles) ratios[b.key].push(times[b.key] / times.empty);
    }
    const sizeOf = (file: string): number => statSync(file).size / KIB;
    const apiSize = sizeOf(bundles[0].file);
    const one = (v: number): Summary => ({ median: v, min: v, max: v, runs: 1 });
    notes.push('Cold start, in-process `require()` time alone (median ms): ' +
      [['empty handler', 'empty'], ...bundles.map((b) => [b.name, b.key])].map(([n, k]) => `${n} ${summarize(required[k]).median.toFixed(1)}`).join('; ') + '.');
    notes.push('Bundle sizes (index.js): ' + bundles.map((b) => `${b.name} ${sizeOf(b.file).toFixed(0)} KiB`).join('; ') +
      `; the image processor's asset with its sharp/libvips node_modules is ${(dirBytes(imageDir) / MIB).toFixed(1)} MiB in total.`);
    return [
      { ...sizeRow, ours: one(apiSize), baseline: one(sizeOf(empty)), target: { on: 'ours', op: '<=', value: 400 } },
      ...bundles.map((b): Row => ({
        ...loadRow(b), ours: summarize(whole[b.key]), baseline: summarize(whole.empty), ratio: summarize(ratios[b.key]), chart: true,
        ...(b.key === 'api' ? { target: { on: 'ratio', op: '<=', value: 1.5 } } : {}),
        ...(b.key === 'floor' ? {
          floorOf: loadRow(bundles[0]).name,
          floorWhy: 'loading the AWS SDK v3 DynamoDB client alone, bundled and minified as our handlers are, which every handler that reads or writes the notifications table needs',
        } : {}),
      })),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Synth: the example app (examples/app.ts on the compiled lib/) vs an app with one empty stack.

function synth(rows: Row[]): void {
  const describe = { name: 'Synth: example app (examples/app.ts)', unit: 'ms', baselineName: 'app with one empty stack, same method', ratioMeaning: 'time: ours / empty app' };
  section(rows, [describe], () => {
    if (!existsSync(join(ROOT, 'lib', 'index.js'))) throw new Error('lib/ is missing: run `npx projen compile` first (the bench task does)');
    const dir = ensureDir(join(WORK, 'synth'));
    // examples/app.ts itself, transpiled, importing the compiled library (lib/) instead of src/: no ts-node in the timing.
    const app = esbuild.transformSync(readFileSync(join(ROOT, 'examples', 'app.ts'), 'utf8'), { loader: 'ts', format: 'cjs', platform: 'node' }).code
      .replace(/require\("\.\.\/src"\)/g, `require(${JSON.stringify(join(ROOT, 'lib'))})`)
      .replace(/__dirname/g, JSON.stringify(join(ROOT, 'examples')));
    if (!app.includes(join(ROOT, 'lib'))) throw new Error('examples/app.ts no longer imports ../src: update bench/main.ts');
    const exampleApp = join(dir, 'example-app.js');
    writeFileSync(exampleApp, app);
    const emptyApp = join(dir, 'empty-app.js');
    writeFileSync(emptyApp, "const { App, Stack } = require('aws-cdk-lib');\nconst app = new App();\nnew Stack(app, 'Empty');\napp.synth();\n");
    const run = (file: string): number => {
      const outdir = mkdtempSync(join(dir, 'cdk.out-'));
      try {
        // Run from the project root so that aws-cdk-lib resolves from its node_modules.
        return timed(process.execPath, [file], { ...process.env, CDK_OUTDIR: outdir, NODE_PATH: join(ROOT, 'node_modules') }).ms;
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    };
    log(`synth: ${RUNS} pairs`);
    run(exampleApp); // warm the page cache
    return [{ ...describe, ...pairs(RUNS, () => run(exampleApp), () => run(emptyApp), (o, b) => o / b), chart: true }];
  });
}

// ---------------------------------------------------------------------------------------------

const README_START = '<!-- bench:headline:start (written by `npx projen bench`) -->';
const README_END = '<!-- bench:headline:end -->';

/** The README's headline figures (between its bench markers): the rows with a target. */
function updateReadme(rows: readonly Row[], started: Date): void {
  const file = join(ROOT, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) {
    log('README.md has no bench markers: headline figures not written');
    return;
  }
  const lines = rows.filter((r) => r.target).map((r) => {
    const figure = r.error ? 'not measured' : r.target!.on === 'ratio'
      ? `${ratioFmt(r.ratio!.median, r)}× (${r.ratioMeaning})`
      : `${r.ours!.median.toFixed(0)} ${r.unit}`;
    return `| ${r.name} | ${figure} | ${targetText(r)} | ${resultText(r)} |`;
  });
  const block = [
    README_START,
    `Medians of the run of ${started.toISOString().slice(0, 10)} ([BENCHMARKS.md](./BENCHMARKS.md) has every figure, its baseline and range):`,
    '',
    '| measurement | ratio or figure | target | result |',
    '|---|---|---|---|',
    ...lines,
    README_END,
  ].join('\n');
  writeFileSync(file, text.slice(0, start) + block + text.slice(end + README_END.length));
}

/** For every missed target, what its floor (when measured) says: our overhead, or out of reach. */
function missedTargets(rows: readonly Row[]): string[] {
  const failed = rows.filter((r) => !r.error && passes(r) === false);
  if (failed.length === 0) return [];
  const lines = ['## Where a target is missed', ''];
  for (const row of failed) {
    const value = row.target!.on === 'ratio' ? `${ratioFmt(row.ratio!.median, row)}×` : `${row.ours!.median.toFixed(0)} ${row.unit}`;
    const floor = rows.find((r) => r.floorOf === row.name && r.ratio);
    if (!floor || row.target!.on !== 'ratio') {
      lines.push(`- **${row.name}**: ${value} against a target of ${targetText(row)}; no floor measured.`);
      continue;
    }
    const floorValue = `${ratioFmt(floor.ratio!.median, row)}×`;
    const floorPasses = passes({ ...floor, target: row.target });
    lines.push(`- **${row.name}**: ${value} against a target of ${targetText(row)}. Its floor, ${floor.floorWhy}, measured in the same run: ` +
      `${floorValue} (${ratioFmt(floor.ratio!.min, row)}–${ratioFmt(floor.ratio!.max, row)}×). ` +
      (floorPasses
        ? `The floor meets the target: the gap between ${floorValue} and ${value} is our own overhead.`
        : 'The floor itself misses the target, so no implementation on these libraries can meet it on this input; ' +
          `ours is ${(row.ratio!.median / floor.ratio!.median * 100).toFixed(0)} % of the floor's ${floor.ratioMeaning.split(':')[0]}.`));
  }
  lines.push('');
  return lines;
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (${os.arch()}); memory ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()}; load average at start ${startLoad.map((l) => l.toFixed(2)).join(', ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (shared machine)`,
    `- Node.js ${process.version}; sharp ${sharp.versions.sharp} with libvips ${sharp.versions.vips}; vipsthumbnail from ${commandExists('vips') ? vipsCliVersion() : 'libvips-tools (version unknown)'}`,
  ];
}

const startLoad = os.loadavg();

async function main(): Promise<void> {
  const started = new Date();
  log(`work dir ${relative(ROOT, WORK)}; runs: ${RUNS} (1 GB: ${LARGE_RUNS}, module loads: ${COLD_RUNS})`);
  const rows: Row[] = [];
  await thumbnails(rows);
  dataValidation(rows);
  coldStart(rows);
  synth(rows);
  const minutes = ((Date.now() - started.getTime()) / 60000).toFixed(1);

  const subtitle = `${os.cpus()[0]?.model ?? ''}, ${os.cpus().length} cores, Node ${process.version}, ${started.toISOString().slice(0, 10)}`;
  writeFileSync(join(ROOT, 'BENCHMARKS.svg'), chart(rows, subtitle));
  const md = [
    '<!-- Generated by `npx projen bench` (bench/main.ts). Do not edit: run the benchmark again. -->',
    '# Benchmarks',
    '',
    'Every figure is a **ratio to a baseline measured in the same run**, alternately with it, reported as the',
    'median of several runs with its min–max: these machines are shared, so absolute times are noise and only',
    'ratios carry over. Each measurement runs in a fresh process. See "Method" below.',
    '',
    `- Command: \`npx projen bench\` (runs \`bundle\`, \`compile\`, then \`ts-node --project tsconfig.dev.json bench/main.ts\`); ${RUNS} runs per figure (1 GB: ${LARGE_RUNS}, module loads: ${COLD_RUNS}); took ${minutes} min`,
    `- Date: ${started.toISOString().replace(/\.\d+Z$/, 'Z')}`,
    ...machine(),
    '',
    '## Results',
    '',
    table(rows),
    '',
    '![Ratios to the baselines, median and min–max, with the targets](BENCHMARKS.svg)',
    '',
    ...missedTargets(rows),
    '## Details',
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    '## Method',
    '',
    `- **Thumbnails**: \`makeThumbnails()\` (src/images/runtime/thumbnails.ts, the handler's core: header check, one decode with JPEG shrink-on-load, every width, ${FORMAT} quality 80 effort 4, metadata stripped) on a Buffer already in memory, with sharp configured as the handler configures it (no cache, one libvips thread), timed inside a fresh Node process. Baseline: \`vipsthumbnail in.jpg --size <w>x -o out.${FORMAT}[Q=80,effort=4,strip]\` once per configured width (${WIDTHS.join(', ')}), with \`VIPS_CONCURRENCY=1\`, timed as wall-clock time of the processes minus the start-up of as many \`vipsthumbnail --vips-version\` processes (libvips initialised, no image), since our time excludes Node's and sharp's start-up; the uncorrected figure is in the details. Ratio = our time / vipsthumbnail's time, per pair. Our core decodes once (shrink-on-load to the largest width) and derives every width from that; vipsthumbnail decodes once per width.`,
    '- **Inputs** are generated (seeded, deterministic) into `.tmp/bench/`: photo-like JPEGs (quality 90, 4:2:0); orders following `examples/schema/order.schema.json` (about 1 % invalid by design), as NDJSON and as CSV (the CSV has no `tags` column and some quoted names with commas); the 1 GB NDJSON is ten copies of the 100 MB one, deleted after the run.',
    '- **Validation**: `validateData()` (src/data/runtime/validate-data.ts, the handler\'s core) over a file stream, with the deployment\'s default limits and the example schema precompiled as the construct precompiles it at synth (ajv standalone). Baseline: a bare `fs.createReadStream` + line split + `JSON.parse` loop, no validation, over the same file (for CSV: over an NDJSON file holding the same records, since CSV cannot be `JSON.parse`d). Ratio = baseline time / our time over the same records = our throughput as a fraction of the bare read+parse throughput.',
    '- **Peak RSS**: `VmHWM` of the measuring process (Node itself included), validating the 1 GB NDJSON; the baseline\'s peak RSS is shown for reference. The target (≤ 200 MiB) is on our absolute figure.',
    '- **Module load (cold start)**: wall-clock time of `node -e "require(\'<bundle>/index.js\')"` in a fresh process, i.e. process start + module load, the part of a cold start a bundle adds to a fixed runtime start, vs the same for an empty handler (`exports.handler = async () => ({})`), with the environment the construct sets (dummy values). Order rotated every round; ratio per round. The DynamoDB-only bundle (`DynamoDBDocumentClient` from the AWS SDK v3, bundled as our handlers are) shows the floor of any handler that talks to DynamoDB. Sizes are of `index.js` (KiB = 1024 bytes).',
    '- **Synth**: wall-clock time of a Node process running examples/app.ts (transpiled, importing the compiled `lib/`, so no ts-node compile is timed) vs an app with one empty stack, each into a fresh `CDK_OUTDIR`.',
    '- Targets are on medians. A missed target is a **FAIL** here; the bench still exits 0. `info` rows have no target.',
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
  updateReadme(rows, started);
  writeFileSync(join(WORK, 'results.json'), JSON.stringify({ started, rows, notes }, null, 2));
  for (const row of rows) {
    log(`${resultText(row).replace(/\*/g, '').padEnd(12)} ${row.name}: ratio ${row.ratio ? ratioFmt(row.ratio.median, row) : '—'} ` +
      `(ours ${row.ours?.median.toFixed(1) ?? '—'} ${row.unit}), target ${targetText(row)}`);
  }
  log(`wrote BENCHMARKS.md and BENCHMARKS.svg in ${minutes} min`);
  if (rows.some((r) => r.error)) {
    log('some measurements could not be made (NOT MEASURED above)');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
