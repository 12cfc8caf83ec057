// `npx projen bench`: measures the handlers against their baselines and writes BENCHMARKS.md and
// BENCHMARKS.svg. Every figure is a ratio to a baseline measured in the same run, alternately with
// it (the machines are shared: absolute times are noise), as the median of several runs.
// Not part of the test suite. Inputs are generated into .tmp/bench (git-ignored); the 1 GB file is
// deleted at the end. Exits 0 when every measurement was made (a missed target is a FAIL in the
// table, not an error); 1 when a measurement could not be made.
// Environment: BENCH_RUNS (default 5) scales every run count. BENCH_ONLY (e.g. `data`, or
// `thumbnails,synth`; sections: thumbnails, data, coldstart, synth) runs only those sections and
// writes their table to .tmp/bench/BENCHMARKS.partial.md, leaving BENCHMARKS.md and BENCHMARKS.svg
// alone; without it every section runs and those files are written.
import { execFileSync, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import Ajv, { _ } from 'ajv';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone';
import * as esbuild from 'esbuild';
import sharp from 'sharp';
import { FloorEntry, FLOORS } from './floors';
import { ensureDir, makeDataFiles, makeJpeg, makeLargeFile } from './inputs';
import { chart, ratioFmt, resultText, table, targetText } from './report';
import { passes, Row, summarize, Summary } from './stats';
import { DataSchema } from '../src/data/data-schema';
import { compileDataSchema, schemaArtifacts } from '../src/data/schema-compiler';
import { SCHEMA_ARTIFACTS } from '../src/contract/data-limits';
import { DATA_DEFAULTS } from '../src/data/data-settings';
import { ENV } from '../src/contract/env-names';

const ROOT = resolve(__dirname, '..');
const WORK = ensureDir(join(ROOT, '.tmp', 'bench'));
const SCALE = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const RUNS = SCALE; // thumbnails, 100 MB files, synth
const LARGE_RUNS = Math.max(3, Math.round(SCALE * 0.6)); // the 1 GB file
const COLD_RUNS = SCALE * 3; // module loads (cheap, noisy)
const WIDTHS = [128, 512]; // the construct's default imageThumbnailWidths
const FORMAT = 'webp'; // and imageThumbnailFormat
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

/** The format checks compared on the NDJSON floor (schema directories `validator` and `validator-<key>`). */
const FORMAT_VARIANTS = [
  { key: 'ours', name: 'src/data/shared/data-formats.ts (ajv-formats full strictness, fast date-time)' },
  { key: 'ajv-full', name: 'ajv-formats 3.0.1 full formats' },
  { key: 'ajv-fast', name: 'ajv-formats 3.0.1 fast formats (less strict: 2026-02-31 is a date)' },
  { key: 'none', name: 'no format checks (validateFormats: false)' },
] as const;

function formatVariantRow(variant: typeof FORMAT_VARIANTS[number]) {
  return {
    name: `Format checks: floor with ${variant.name}, NDJSON`, unit: 'ms',
    baselineName: 'stream read + JSON.parse loop, same file', ratioMeaning: 'throughput: floor / read+parse',
  };
}

/**
 * The NDJSON floor (read + JSON.parse + schema validator) with each variant of the format checks,
 * alternately with the read+parse baseline: what the format checks cost. The variants of the
 * same strictness must find the same invalid records.
 */
function formatVariants(script: string, file: string, schemaDir: string): Row[] {
  log(`data: format checks, ${FORMAT_VARIANTS.length} variants × ${RUNS} pairs`);
  const invalid: Record<string, number> = {};
  const out = FORMAT_VARIANTS.map((variant): Row => {
    const dir = variant.key === 'ours' ? schemaDir : `${schemaDir}-${variant.key}`;
    const result = pairs(RUNS,
      () => {
        const run = worker(script, ['floor', 'ndjson', file, dir]);
        invalid[variant.key] = run.invalidRecords;
        return run.ms;
      },
      () => worker(script, ['raw', file]).ms,
      (o, b) => b / o);
    return { ...formatVariantRow(variant), ...result };
  });
  if (invalid.ours !== invalid['ajv-full']) {
    throw new Error(`the format checks disagree: ${invalid.ours} invalid records with ours, ${invalid['ajv-full']} with ajv-formats' full formats`);
  }
  const [ours, ajvFull] = [out[0], out[1]];
  notes.push(`Format checks: the NDJSON floor was ${ajvFull.ratio!.median.toFixed(2)}× of read+parse with ajv-formats' full formats ` +
    `(what the construct compiled before src/data/shared/data-formats.ts) and is ${ours.ratio!.median.toFixed(2)}× with ours, same strictness, in this run.`);
  notes.push('Format checks (NDJSON floor): invalid records found, by variant: ' +
    FORMAT_VARIANTS.map((v) => `${v.key} ${invalid[v.key].toLocaleString('en-US')}`).join('; ') + '.');
  return out;
}

/** The CSV parsers compared (bench/workers/data.worker.ts, `parse` mode), with their versions. */
const CSV_PARSERS = ['papaparse', 'udsv', 'csv-parse', '@fast-csv/parse', 'csv-simple-parser'] as const;

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function csvParserRow(parser: typeof CSV_PARSERS[number]) {
  return {
    name: `CSV parse only: ${parser} ${packageVersion(parser)}${parser === 'csv-simple-parser' ? ' (not streaming: whole file in one string)' : ''}`,
    unit: 'ms', baselineName: 'stream read + JSON.parse loop over the same records as NDJSON', ratioMeaning: 'throughput: parse only / read+parse',
  };
}

/**
 * Each CSV parser alone (rows of string cells, nothing else) over the 100 MB CSV, alternately with
 * the read+parse baseline of the CSV row: how much of the CSV time the parser takes, and what
 * another parser would leave. Every parser must read the same rows and cells.
 */
function csvParsers(script: string, file: string, baselineFile: string): Row[] {
  log(`data: CSV parsers, ${CSV_PARSERS.length} × ${RUNS} pairs`);
  const counts: Record<string, { rows: number; cells: number }> = {};
  const out = CSV_PARSERS.map((parser): Row => {
    const result = pairs(RUNS,
      () => {
        const run = worker(script, ['parse', parser, file]);
        counts[parser] = { rows: run.rows, cells: run.cells };
        return run.ms;
      },
      () => worker(script, ['raw', baselineFile]).ms,
      (o, b) => b / o);
    return { ...csvParserRow(parser), ...result };
  });
  const reference = counts.papaparse;
  for (const parser of CSV_PARSERS) {
    const { rows, cells } = counts[parser];
    // csv-simple-parser returns the empty line after the last line break as one more row of empty cells.
    const extra = parser === 'csv-simple-parser' ? rows - reference.rows : 0;
    if (rows - extra !== reference.rows || cells - extra * (reference.cells / reference.rows) !== reference.cells || extra > 1) {
      throw new Error(`${parser} read ${rows} rows and ${cells} cells, papaparse ${reference.rows} and ${reference.cells}`);
    }
  }
  notes.push(`CSV parsers: each read ${reference.rows.toLocaleString('en-US')} rows (header included) and ${reference.cells.toLocaleString('en-US')} cells of ${relative(WORK, file)}. ` +
    'Only papaparse gives the validator\'s semantics: udsv 0.7.3 puts the extra fields of a row with too many into its last cell ("3,4"), ' +
    'reads a row with too few on into the next line, drops a malformed quoted field without an error, and throws on a CRLF file with a line break inside quotes; ' +
    'csv-simple-parser and d3-dsv do not stream. The data validator parses with papaparse.');
  return out;
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
    const schemaFile = join(ROOT, 'examples', 'schema', 'order.schema.json');
    const compiled = compileDataSchema(DataSchema.fromFile(schemaFile));
    const writeValidators = (root: string, files: Record<string, string>): void => {
      const dir = ensureDir(join(root, SCHEMA_ARTIFACTS.DIR));
      for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    };
    writeValidators(schemaDir, schemaArtifacts(compiled));
    // The same schema with other format checks, for the comparison rows: ajv-formats' full formats (what
    // the construct compiled before src/data/shared/data-formats.ts), its fast ones (less strict), none.
    for (const variant of FORMAT_VARIANTS.filter((v) => v.key !== 'ours')) {
      const compile = (coerceTypes: boolean): string => {
        // compileDataSchema's ajv options (src/data/schema-compiler.ts), with other formats.
        const ajv = new Ajv({
          allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, coerceTypes,
          validateFormats: variant.key !== 'none',
          code: { source: true, formats: variant.key === 'ajv-fast' ? _`require("ajv-formats/dist/formats").fastFormats` : _`require("ajv-formats/dist/formats").fullFormats` },
        });
        addFormats(ajv, { mode: variant.key === 'ajv-fast' ? 'fast' : 'full' });
        return standaloneCode(ajv, ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8'))));
      };
      // The floor rows run each validator alone (no bounds file: the floor checks no depth).
      writeValidators(`${schemaDir}-${variant.key}`, {
        [SCHEMA_ARTIFACTS.JSON_VALIDATOR]: compile(false), [SCHEMA_ARTIFACTS.CSV_VALIDATOR]: compile(true), [SCHEMA_ARTIFACTS.META]: JSON.stringify(compiled.meta),
      });
    }
    script = bundleWorker('data');
    // The deployment's default limits, for the worker (which imports nothing of the construct side).
    process.env.BENCH_DATA_LIMITS = JSON.stringify({
      maxRecordBytes: DATA_DEFAULTS.dataMaxRecordSize.toBytes(), dataMaxJsonDepth: DATA_DEFAULTS.dataMaxJsonDepth, dataMaxReportErrors: DATA_DEFAULTS.dataMaxReportErrors,
    });
  } catch (err) {
    section(rows, describe, () => { throw err; });
    rmSync(large, { force: true });
    return;
  }
  try {
    const throughput = (format: 'ndjson' | 'csv', file: string, baselineFile: string, runs: number, withFloor = false):
    { row: Row; rssRow: Row; floorRow?: Row; ofFloorRow?: Row } => {
      log(`data: ${format} ${relative(WORK, file)} (${(statSync(file).size / 1e6).toFixed(0)} MB), ${runs} pairs`);
      let ours: Record<string, any> = {};
      let base: Record<string, any> = {};
      const rss: number[] = [];
      const baseRss: number[] = [];
      const floorRatios: number[] = [];
      const floorMs: number[] = [];
      const oursMs: number[] = [];
      const result = pairs(runs,
        () => { ours = worker(script, ['validate', format, file, schemaDir]); rss.push(ours.peakRssMiB); oursMs.push(ours.ms); return ours.ms; },
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
      // Ours against the floor, per pair (both over the same file, in the same pair).
      const ofFloorRow: Row | undefined = withFloor ? {
        name: `Validation throughput, 100 MB ${format.toUpperCase()}, as a fraction of its floor`, unit: 'ms',
        baselineName: `the floor row below, same file`, ratioMeaning: 'throughput: ours / floor',
        ours: summarize(oursMs), baseline: summarize(floorMs), ratio: summarize(oursMs.map((o, i) => floorMs[i] / o)), chart: true,
        beyondFloor: `the validator's own work over the floor's: the UTF-8 check, the limits, ${format === 'csv' ? 'row' : 'line'} numbers and the report`,
      } : undefined;
      return { row: { ...describe[format === 'csv' ? 1 : 0], ...result, chart: true }, rssRow, floorRow, ofFloorRow };
    };
    // NDJSON: the target is on ours as a fraction of the floor (read + JSON.parse + the schema
    // validator is the least any validator does); CSV: on ours as a fraction of read+parse.
    section(rows, [describe[0]], () => {
      const { row, floorRow, ofFloorRow } = throughput('ndjson', files.ndjson, files.ndjson, RUNS, true);
      return [row, { ...ofFloorRow!, target: { on: 'ratio', op: '>=', value: 0.9 } }, floorRow!];
    });
    section(rows, FORMAT_VARIANTS.map(formatVariantRow), () => formatVariants(script, files.ndjson, schemaDir));
    section(rows, [describe[1]], () => {
      const { row, floorRow } = throughput('csv', files.csv, files.csvTwin, RUNS, true);
      return [{ ...row, target: { on: 'ratio', op: '>=', value: 0.6 } }, floorRow!];
    });
    section(rows, CSV_PARSERS.map(csvParserRow), () => csvParsers(script, files.csv, files.csvTwin));
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
  [ENV.TABLE_NAME]: 'bench-table', [ENV.INDEX_SHARDS]: '16', [ENV.BUCKET_NAME]: 'bench-bucket', [ENV.BUCKET_OWNER]: '123456789012', [ENV.IMAGES_PREFIX]: 'images/', [ENV.DATA_PREFIX]: 'data/',
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
  const cold = ensureDir(join(WORK, 'cold'));
  const empty = join(ensureDir(join(cold, 'empty')), 'index.js');
  writeFileSync(empty, 'exports.handler = async () => ({});\n');
  const floorFile = (floor: FloorEntry) => join(cold, floor.key, 'index.js');
  // Each bundle and its floor (bench/floors.ts): the same third-party libraries, without our code.
  const bundles = [
    { key: 'api', name: 'API handler (notification-handler)', file: join(assets, 'notifications', 'notification-handler.lambda', 'index.js'), floor: FLOORS.api },
    { key: 'export', name: 'Export handler (notification-export)', file: join(assets, 'notifications', 'notification-export.lambda', 'index.js'), floor: FLOORS.export },
    { key: 'data', name: 'Data validator', file: join(assets, 'data', 'data-validator.lambda', 'index.js'), floor: FLOORS.data },
    { key: 'image', name: `Image processor (${basename(imageDir)}, with sharp)`, file: join(imageDir, 'index.js'), floor: FLOORS.image },
    { key: 'cli', name: 'Operations command (cdk-tap-serverless)', file: join(assets, 'cli', 'main', 'index.js'), floor: FLOORS.cli },
  ];
  // The cost of tracing, on the API handler's floor: without tracing, with the X-Ray SDK (before), with OpenTelemetry (now).
  const tracingFloors = [FLOORS.apiUntraced, FLOORS.apiXray, FLOORS.api];
  const loads = [
    ...bundles.map((b) => ({ key: b.key, file: b.file })),
    ...[...bundles.map((b) => b.floor), FLOORS.apiUntraced, FLOORS.apiXray].map((f) => ({ key: f.key, file: floorFile(f) })),
  ];
  const loadRow = (name: string) => ({
    name: `Module load: ${name}`, unit: 'ms', baselineName: 'empty handler, same method', ratioMeaning: 'process start + require: ours / empty',
  });
  const ofFloorRow = (b: typeof bundles[number]) => ({
    name: `Module load: ${b.name}, of its floor`, unit: 'ms', baselineName: 'its floor (bench/floors.ts), same method', ratioMeaning: 'process start + require: ours / floor',
  });
  const sizeRow = { name: 'Bundle size: API handler index.js', unit: 'KiB', baselineName: 'empty handler', ratioMeaning: '' };
  const names = [sizeRow, ...bundles.map(ofFloorRow), ...bundles.map((b) => loadRow(b.name)), ...tracingFloors.map((f) => loadRow(f.name))];
  section(rows, names, () => {
    // The X-Ray SDK's floor is bundled as the functions were with it: cls-hooked's `semver` and `assert` replaced by
    // the stand-ins the bundles then carried (a Node.js version check, `assert.ok`).
    const shims = ensureDir(join(cold, 'xray-shims'));
    writeFileSync(join(shims, 'semver.js'), 'exports.gte = (a, b) => { const p = (v) => String(v).replace(/^v/, \'\').split(\'.\').map(Number); ' +
      'const [x, y] = [p(a), p(b)]; for (let i = 0; i < 3; i++) { if (x[i] !== y[i]) return x[i] > y[i]; } return true; };\n');
    writeFileSync(join(shims, 'assert.js'), 'exports.ok = (v, m) => { if (!v) throw new Error(m || \'assertion failed\'); };\n');
    for (const floor of [...bundles.map((b) => b.floor), FLOORS.apiUntraced, FLOORS.apiXray]) {
      esbuild.buildSync({
        stdin: { contents: floor.contents, resolveDir: ROOT, loader: 'ts' },
        bundle: true, platform: 'node', target: floor.cli ? 'node20' : 'node24', minify: true, mainFields: ['module', 'main'],
        outfile: floorFile(floor), logLevel: 'warning', external: floor.external ?? [],
        // As projenrc/bundles.ts bundles them: the functions' credential chain stand-in (the operations command keeps the SDK's).
        alias: floor.cli ? {} : {
          '@aws-sdk/credential-provider-node': join(ROOT, 'scripts', 'bundle-shims', 'lambda-credentials.js'),
          ...(floor === FLOORS.apiXray ? { semver: join(shims, 'semver.js'), assert: join(shims, 'assert.js') } : {}),
        },
        ...(floor.cli ? {} : { footer: { js: 'module.exports=Object.assign({},module.exports);' } }),
      });
    }
    // sharp is loaded from the image processor's asset, beside which its floor is put.
    const imageFloorModules = join(cold, FLOORS.image.key, 'node_modules');
    rmSync(imageFloorModules, { recursive: true, force: true });
    symlinkSync(join(imageDir, 'node_modules'), imageFloorModules);
    for (const b of bundles) {
      if (!existsSync(b.file)) throw new Error(`${relative(ROOT, b.file)} is missing: run \`npx projen bundle\` first (the bench task does)`);
    }
    log(`cold start: ${loads.length + 1} bundles, ${COLD_RUNS} rounds`);
    const env = { ...process.env, ...HANDLER_ENV };
    const load = (file: string): { whole: number; require: number } => {
      const { ms, stdout } = timed(process.execPath, ['-e',
        `const t = process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));`], env);
      return { whole: ms, require: Number(stdout) };
    };
    for (let i = 0; i < 3; i++) [empty, ...loads.map((l) => l.file)].forEach(load); // warm the page cache
    const whole: Record<string, number[]> = { empty: [] };
    const required: Record<string, number[]> = { empty: [] };
    const ratios: Record<string, number[]> = {};
    const ofFloor: Record<string, number[]> = {};
    for (const l of loads) { whole[l.key] = []; required[l.key] = []; ratios[l.key] = []; }
    for (const b of bundles) ofFloor[b.key] = [];
    for (let round = 0; round < COLD_RUNS; round++) {
      const order = [{ key: 'empty', file: empty }, ...loads];
      // Rotate the order every round so that no bundle always runs first or last.
      const rotated = order.map((_, i) => order[(i + round) % order.length]);
      const times: Record<string, number> = {};
      for (const l of rotated) {
        const t = load(l.file);
        times[l.key] = t.whole;
        whole[l.key].push(t.whole);
        required[l.key].push(t.require);
      }
      for (const l of loads) ratios[l.key].push(times[l.key] / times.empty);
      for (const b of bundles) ofFloor[b.key].push(times[b.key] / times[b.floor.key]);
    }
    const sizeOf = (file: string): number => statSync(file).size / KIB;
    const one = (v: number): Summary => ({ median: v, min: v, max: v, runs: 1 });
    const median = (key: string) => summarize(required[key]).median.toFixed(1);
    notes.push('Cold start, in-process `require()` time alone (median ms): empty handler ' + median('empty') + '; ' +
      bundles.map((b) => `${b.name} ${median(b.key)} (its floor ${median(b.floor.key)})`).join('; ') + '; ' +
      `the API handler's floor without tracing ${median(FLOORS.apiUntraced.key)}, with the X-Ray SDK ${median(FLOORS.apiXray.key)}, ` +
      `with OpenTelemetry ${median(FLOORS.api.key)}.`);
    notes.push('Bundle sizes (index.js): ' + bundles.map((b) => `${b.name} ${sizeOf(b.file).toFixed(0)} KiB (its floor ${sizeOf(floorFile(b.floor)).toFixed(0)} KiB)`).join('; ') +
      `; the API handler's floor without tracing ${sizeOf(floorFile(FLOORS.apiUntraced)).toFixed(0)} KiB, with the X-Ray SDK ` +
      `${sizeOf(floorFile(FLOORS.apiXray)).toFixed(0)} KiB; the image processor's asset with its sharp/libvips node_modules is ${(dirBytes(imageDir) / MIB).toFixed(1)} MiB in total.`);
    const vsEmpty = (name: string, key: string): Row => ({
      ...loadRow(name), ours: summarize(whole[key]), baseline: summarize(whole.empty), ratio: summarize(ratios[key]), chart: true,
    });
    return [
      { ...sizeRow, ours: one(sizeOf(bundles[0].file)), baseline: one(sizeOf(empty)), target: { on: 'ours', op: '<=', value: 400 } },
      ...bundles.map((b): Row => ({
        ...ofFloorRow(b), ours: summarize(whole[b.key]), baseline: summarize(whole[b.floor.key]), ratio: summarize(ofFloor[b.key]), chart: true,
        target: { on: 'ratio', op: '<=', value: 1.05 },
        beyondFloor: 'our code: the handler, its settings read from the environment, and (data validator) the format checks and limits',
      })),
      // The API handler's target against an empty handler (≤ 1.5×) stands beside its floor's.
      ...bundles.map((b) => ({ ...vsEmpty(b.name, b.key), ...(b.key === 'api' ? { target: { on: 'ratio' as const, op: '<=' as const, value: 1.5 } } : {}) })),
      ...tracingFloors.map((f) => vsEmpty(f.name, f.key)),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// Synth: the example app (examples/app.ts on the compiled lib/) vs an app with one empty stack; its floor
// (an app with one empty Lambda function from an asset folder) and the example app with cold caches.

function synth(rows: Row[]): void {
  const describe = { name: 'Synth: example app (examples/app.ts), as `cdk synth` runs it', unit: 'ms', baselineName: 'app with one empty stack, run the same way', ratioMeaning: 'time: ours / empty app' };
  const bare = { name: 'Synth: example app, run by `node` alone (no CDK CLI context: the method before 2026-12-06)', unit: 'ms', baselineName: 'app with one empty stack, run by `node` alone', ratioMeaning: describe.ratioMeaning };
  const floor = { name: 'Floor: synth of an app with one empty Lambda function (asset folder)', unit: 'ms', baselineName: describe.baselineName, ratioMeaning: describe.ratioMeaning };
  const cold = { name: 'Synth: example app, cold caches (first synth on a machine)', unit: 'ms', baselineName: describe.baselineName, ratioMeaning: describe.ratioMeaning };
  const resources = { name: 'Floor: synth of the example app\'s template as L1 resources (cloudformation-include)', unit: 'ms', baselineName: describe.baselineName, ratioMeaning: describe.ratioMeaning };
  section(rows, [describe, resources, floor, cold, bare], () => {
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
    // The floor: what any app pays for one function from an asset (aws-lambda and its dependencies loaded,
    // one asset fingerprinted and staged, the template written); our construct's three functions, API,
    // table, queue, alarms and dashboard come on top of it.
    const floorCode = ensureDir(join(dir, 'floor-code'));
    writeFileSync(join(floorCode, 'index.js'), 'exports.handler = async () => ({});\n');
    const floorApp = join(dir, 'floor-app.js');
    writeFileSync(floorApp, [
      "const { App, Stack } = require('aws-cdk-lib');",
      "const lambda = require('aws-cdk-lib/aws-lambda');",
      'const app = new App();',
      "const stack = new Stack(app, 'Floor');",
      `new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromAsset(${JSON.stringify(floorCode)}) });`,
      'app.synth();',
      '',
    ].join('\n'));
    // Every row but one runs the apps as `cdk synth` does, in the environment the CDK CLI gives them.
    const cli = cdkCliEnvironment(dir);
    const runBare = (file: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], read?: (outdir: string) => void): number => {
      const outdir = mkdtempSync(join(dir, 'cdk.out-'));
      try {
        // Run from the project root so that aws-cdk-lib resolves from its node_modules.
        const { ms } = timed(process.execPath, [...nodeArgs, file], { ...process.env, CDK_OUTDIR: outdir, NODE_PATH: join(ROOT, 'node_modules'), ...env });
        read?.(outdir);
        return ms;
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    };
    const run = (file: string, env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], read?: (outdir: string) => void): number =>
      runBare(file, { ...cli.env, ...env }, nodeArgs, read);
    // Cold caches: a fresh home folder, so neither the CDK's fingerprint cache (~/.cdk/cache/fingerprints)
    // nor the construct's compiled-schema cache (~/.cdk/cache/cdk-tap-serverless) has anything yet.
    const coldRun = (): number => {
      const home = mkdtempSync(join(dir, 'home-'));
      try {
        return run(exampleApp, { HOME: home });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    };
    // The resource floor: the example app's own template read back by cloudformation-include, i.e. the same
    // CloudFormation resources as L1 constructs, with none of the L2 logic (grants, metrics, lazy values) that
    // builds them, nor the construct's. Its bootstrap-version parameter and rule, and its version-reporting
    // resource, are dropped: the including stack adds its own.
    const templateFile = join(dir, 'example.template.json');
    run(exampleApp, {}, [], (outdir) => {
      const template = JSON.parse(readFileSync(join(outdir, 'TapServerlessExample.template.json'), 'utf8'));
      delete template.Parameters?.BootstrapVersion;
      delete template.Rules?.CheckBootstrapVersion;
      delete template.Resources?.CDKMetadata; // version reporting: the including stack adds its own
      delete template.Conditions?.CDKMetadataAvailable;
      if (template.Conditions && Object.keys(template.Conditions).length === 0) delete template.Conditions;
      writeFileSync(templateFile, JSON.stringify(template));
    });
    const resourcesApp = join(dir, 'resources-app.js');
    writeFileSync(resourcesApp, [
      "const { App, Stack } = require('aws-cdk-lib');",
      "const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');",
      'const app = new App();',
      "const stack = new Stack(app, 'Resources');",
      `new CfnInclude(stack, 'Template', { templateFile: ${JSON.stringify(templateFile)} });`,
      'app.synth();',
      '',
    ].join('\n'));
    log(`synth: ${RUNS} pairs each (example app, its template as L1 resources, one-function floor, example app with cold caches; example app run by node alone)`);
    run(exampleApp); // warm the page cache and the user's caches, as any synth after the first finds them
    const example = pairs(RUNS, () => run(exampleApp), () => run(emptyApp), (o, b) => o / b);
    const resourcesResult = pairs(RUNS, () => run(resourcesApp), () => run(emptyApp), (o, b) => o / b);
    const floorResult = pairs(RUNS, () => run(floorApp), () => run(emptyApp), (o, b) => o / b);
    const coldResult = pairs(RUNS, coldRun, () => run(emptyApp), (o, b) => o / b);
    const bareResult = pairs(RUNS, () => runBare(exampleApp), () => runBare(emptyApp), (o, b) => o / b);
    const resourceCount = Object.keys(JSON.parse(readFileSync(templateFile, 'utf8')).Resources ?? {}).length;
    notes.push(`Synth medians: example app ${example.ours.median.toFixed(0)} ms, its template as L1 resources (${resourceCount} resources) ` +
      `${resourcesResult.ours.median.toFixed(0)} ms, one-function floor app ${floorResult.ours.median.toFixed(0)} ms, ` +
      `example app with cold caches ${coldResult.ours.median.toFixed(0)} ms, empty app ${example.baseline.median.toFixed(0)} ms; ` +
      `run by node alone: example app ${bareResult.ours.median.toFixed(0)} ms, empty app ${bareResult.baseline.median.toFixed(0)} ms.`);
    notes.push(cli.note);
    notes.push(synthProfile(exampleApp, dir, run));
    notes.push(synthModuleLoads(exampleApp, emptyApp, dir, run));
    return [
      { ...describe, ...example, target: { on: 'ratio', op: '<=', value: 2.5 }, chart: true },
      {
        ...resources, ...resourcesResult, chart: true, floorOf: describe.name,
        floorWhy: `the same ${resourceCount} CloudFormation resources read back from the example app's template by cloudformation-include ` +
          '(L1 constructs only: no grants, metrics or lazy values, no construct code)',
        floorGap: 'building the resources with aws-cdk-lib\'s L2 constructs (grants, metrics, lazy values), and the construct\'s own code ' +
          '(the synth CPU profile under Details says how much of it is ours)',
      },
      { ...floor, ...floorResult, chart: true },
      { ...cold, ...coldResult },
      { ...bare, ...bareResult, chart: true },
    ];
  });
}

/**
 * The environment the CDK CLI runs an app in (`cdk synth`): its context (path and asset metadata,
 * version reporting, bundling, and the example's cdk.json context), its version and a default
 * region. Read from the project's own CLI (aws-cdk) by having it synthesize a capture app once,
 * so that the bench follows the CLI rather than a copy of what it did once.
 */
function cdkCliEnvironment(synthDir: string): { env: NodeJS.ProcessEnv; note: string } {
  const work = mkdtempSync(join(synthDir, 'cli-'));
  try {
    const captured = join(work, 'env.json');
    writeFileSync(join(work, 'capture.js'), [
      "const { App, Stack } = require('aws-cdk-lib');",
      `require('fs').writeFileSync(${JSON.stringify(captured)}, JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CDK_')))));`,
      "const app = new App();",
      "new Stack(app, 'Capture');",
      'app.synth();',
      '',
    ].join('\n'));
    writeFileSync(join(work, 'cdk.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(ROOT, 'examples', 'cdk.json'), 'utf8')), app: 'node capture.js' }));
    const cdk = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
    const given: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
    const result = spawnSync(process.execPath, [cdk, 'synth', '--no-notices', '--quiet'], { cwd: work, encoding: 'utf8', env: given });
    if (result.status !== 0 || !existsSync(captured)) {
      throw new Error(`cdk synth of the capture app failed (${result.status}): ${result.stderr}`);
    }
    // What the CLI added to the environment it was given.
    const env = Object.fromEntries(Object.entries(JSON.parse(readFileSync(captured, 'utf8')) as Record<string, string>)
      .filter(([k, v]) => given[k] !== v && k !== 'CDK_OUTDIR' && k !== 'CDK_ERROR_FILE')); // each run has its own output folder
    if (env.CDK_CONTEXT_JSON === undefined) throw new Error('the CDK CLI passed no CDK_CONTEXT_JSON to the capture app');
    const cliVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'aws-cdk', 'package.json'), 'utf8')).version as string;
    const note = `Synth environment (the CDK CLI's, aws-cdk ${cliVersion}, captured by \`cdk synth\` of a capture app): ` +
      Object.entries(env).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `\`${k}=${v}\``).join(', ') +
      '. Its `aws:cdk:version-reporting` adds the CDKMetadata resource to every stack, the empty one too, and that resource reads ' +
      'aws-cdk-lib\'s region facts (region-info, 1.3 MB of JavaScript): run by `node` alone, the empty app skips that load, the example app (whose assets load it) does not.';
    return { env, note };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Where the example app's synth spends its CPU: three runs under V8's sampling profiler
 * (`node --cpu-prof`), self time summed by the code it was spent in. It says how much of the synth
 * is the construct's own code (lib/) and how much is aws-cdk-lib, Node's module loading and V8.
 */
function synthProfile(exampleApp: string, synthDir: string, run: (file: string, env: NodeJS.ProcessEnv, nodeArgs: string[]) => number): string {
  const dir = mkdtempSync(join(synthDir, 'profile-'));
  try {
    for (let i = 0; i < 3; i++) run(exampleApp, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=200']);
    const lib = `file://${join(ROOT, 'lib')}/`;
    const parts: Record<string, number> = {};
    const kind = (url: string): string =>
      url.startsWith(lib) ? 'the construct (lib/)'
        : url.includes('/node_modules/aws-cdk-lib/') ? 'aws-cdk-lib'
          : url.includes('/node_modules/') ? 'other packages (constructs, @aws-cdk/*)'
            : url.startsWith('node:') ? 'Node.js (module loading and compiling, fs)'
              : url === '' ? 'V8 (garbage collection, native code)' : 'the app file';
    const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    if (profiles.length === 0) throw new Error(`node --cpu-prof wrote no profile into ${dir}`);
    for (const f of profiles) {
      const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        nodes: Array<{ id: number; callFrame: { url: string } }>; samples: number[]; timeDeltas: number[];
      };
      const urlOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame.url]));
      profile.samples.forEach((id, i) => {
        const k = kind(urlOf.get(id) ?? '');
        parts[k] = (parts[k] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
      });
    }
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    const share = Object.entries(parts).sort((a, b) => b[1] - a[1])
      .map(([k, ms]) => `${k} ${(ms / profiles.length).toFixed(0)} ms (${(ms / total * 100).toFixed(1)} %)`);
    return `Synth CPU profile of the example app (\`node --cpu-prof\`, self time, mean of ${profiles.length} runs, ` +
      `${(total / profiles.length).toFixed(0)} ms sampled): ${share.join('; ')}.`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where the synth's module loading goes: each module's own load time, timed by a hook on Node.js's
 * module loader (bench/workers/module-loads.worker.ts), summed by package (aws-cdk-lib by
 * submodule), with the package that first required it. The CPU profile counts compiling under
 * Node.js; this says whose code was compiled.
 */
function synthModuleLoads(exampleApp: string, emptyApp: string, synthDir: string,
  run: (file: string, env: NodeJS.ProcessEnv, nodeArgs: string[]) => number): string {
  const dir = mkdtempSync(join(synthDir, 'requires-'));
  try {
    const hook = bundleWorker('module-loads');
    const lib = join(ROOT, 'lib') + '/';
    const packageOf = (file: string | undefined): string => {
      if (file === undefined) return 'the app file';
      if (file.startsWith(lib)) return 'the construct (lib/)';
      const m = /node_modules\/(aws-cdk-lib\/node_modules\/(?:@[^/]+\/)?[^/]+|aws-cdk-lib\/[^/.]+\/|(?:@[^/]+\/)?[^/]+)/.exec(file);
      return m ? m[1].replace(/\/$/, '').replace('aws-cdk-lib/node_modules/', 'aws-cdk-lib bundles ') : 'the app file';
    };
    const measure = (app: string): Array<{ own: Record<string, number>; by: Record<string, string> }> => {
      const results = [];
      for (let i = 0; i < 3; i++) {
        const out = join(dir, `times-${i}.json`);
        run(app, { REQUIRE_TIMES_OUT: out }, ['--require', hook]);
        const { own, firstBy } = JSON.parse(readFileSync(out, 'utf8')) as { own: Record<string, number>; firstBy: Record<string, string> };
        const byPackage: Record<string, number> = {};
        const by: Record<string, string> = {};
        for (const [file, ms] of Object.entries(own)) {
          if (file === app) continue; // the app's own run is the whole synth, not a module load
          const pkg = packageOf(file);
          byPackage[pkg] = (byPackage[pkg] ?? 0) + ms;
          // The first module of a package to be required says who needed the package.
          if (!(pkg in by) && packageOf(firstBy[file]) !== pkg) by[pkg] = packageOf(firstBy[file]);
        }
        results.push({ own: byPackage, by });
      }
      return results;
    };
    const medianOf = (values: number[]): number => summarize(values).median;
    const example = measure(exampleApp);
    const empty = measure(emptyApp);
    const packages = [...new Set(example.flatMap((r) => Object.keys(r.own)))];
    const total = (rs: typeof example): number => medianOf(rs.map((r) => Object.values(r.own).reduce((a, b) => a + b, 0)));
    const perPackage = packages.map((pkg) => ({
      pkg,
      ms: medianOf(example.map((r) => r.own[pkg] ?? 0)),
      emptyMs: medianOf(empty.map((r) => r.own[pkg] ?? 0)),
      by: example[0].by[pkg],
    })).sort((a, b) => b.ms - a.ms);
    const top = perPackage.slice(0, 10).map((p) =>
      `${p.pkg} ${p.ms.toFixed(0)} ms` + (p.emptyMs >= 0.5 ? ` (empty app ${p.emptyMs.toFixed(0)})` : '') + (p.by ? `, first required by ${p.by}` : ''));
    return `Synth module loading (each module's own load time, timed by a hook on Node.js's module loader, median of 3 runs, summed by package): ` +
      `example app ${total(example).toFixed(0)} ms in ${Object.keys(example[0].own).length} packages, empty app ${total(empty).toFixed(0)} ms; ` +
      `the largest: ${top.join('; ')}.`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

/** For every missed target, what its floor (when measured) says: our overhead, or out of reach. */
function missedTargets(rows: readonly Row[]): string[] {
  const failed = rows.filter((r) => !r.error && passes(r) === false);
  if (failed.length === 0) return [];
  const lines = ['## Where a target is missed', ''];
  for (const row of failed) {
    const value = row.target!.on === 'ratio' ? `${ratioFmt(row.ratio!.median, row)}×` : `${row.ours!.median.toFixed(0)} ${row.unit}`;
    if (row.beyondFloor !== undefined) {
      lines.push(`- **${row.name}**: ${value} against a target of ${targetText(row)}, measured against its floor in the same pairs: ` +
        `the gap is ${row.beyondFloor} (min–max ${ratioFmt(row.ratio!.min, row)}–${ratioFmt(row.ratio!.max, row)}×).`);
      continue;
    }
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
        ? `The floor meets the target: the gap between ${floorValue} and ${value} is ${floor.floorGap ?? 'what ours adds to the floor'}.`
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

const SECTIONS = ['thumbnails', 'data', 'coldstart', 'synth'];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined;
const unknownSections = (ONLY ?? []).filter((s) => !SECTIONS.includes(s));
if (unknownSections.length > 0) {
  throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY}: unknown section ${unknownSections.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
}
/** Whether a section runs: every section, unless BENCH_ONLY names some. */
function selected(section: string): boolean {
  return ONLY === undefined || ONLY.includes(section);
}

async function main(): Promise<void> {
  const started = new Date();
  log(`work dir ${relative(ROOT, WORK)}; runs: ${RUNS} (1 GB: ${LARGE_RUNS}, module loads: ${COLD_RUNS})`);
  const rows: Row[] = [];
  if (selected('thumbnails')) await thumbnails(rows);
  if (selected('data')) dataValidation(rows);
  if (selected('coldstart')) coldStart(rows);
  if (selected('synth')) synth(rows);
  const minutes = ((Date.now() - started.getTime()) / 60000).toFixed(1);

  const subtitle = `${os.cpus()[0]?.model ?? ''}, ${os.cpus().length} cores, Node ${process.version}, ${started.toISOString().slice(0, 10)}`;
  if (ONLY === undefined) writeFileSync(join(ROOT, 'BENCHMARKS.svg'), chart(rows, subtitle));
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
    '- **Floors and comparisons**: a floor row does the least any validator of that format must do (read, parse, run the precompiled schema validator; no UTF-8 check, limits, locations or report); "as a fraction of its floor" is our time against the floor\'s in the same pair. "Format checks" rows are the NDJSON floor with the schema compiled with each set of format checks (ours; ajv-formats 3.0.1 full, which ours must agree with on every record; its fast mode, less strict; none), each alternately with the read+parse baseline. "CSV parse only" rows are each parser alone turning the 100 MB CSV into rows of string cells (the worker\'s `parse` mode), alternately with the CSV row\'s baseline; every parser must read the same rows and cells.',
    '- **Peak RSS**: `VmHWM` of the measuring process (Node itself included), validating the 1 GB NDJSON; the baseline\'s peak RSS is shown for reference. The target (≤ 200 MiB) is on our absolute figure.',
    '- **Module load (cold start)**: wall-clock time of `node -e "require(\'<bundle>/index.js\')"` in a fresh process, i.e. process start + module load, the part of a cold start a bundle adds to a fixed runtime start, with the environment the construct sets (dummy values). Each bundle is compared with its **floor** (bench/floors.ts): an entry that loads the same third-party libraries and creates what the bundle creates at module scope (its AWS SDK clients, the Powertools Logger and Metrics; the OpenTelemetry classes it imports, whose tracer provider it sets up at its first invocation; papaparse, @streamparser/json and ajv-formats for the data validator; sharp, from the asset, for the image processor), bundled exactly as the bundles are, without our code: the ratio to the floor is the cost of our code. Every bundle and floor is also compared with an empty handler (`exports.handler = async () => ({})`), and the API handler\'s floor three times, to show the cost of tracing: without tracing, with the X-Ray SDK (Powertools Tracer created at module scope and the DynamoDB client captured, as the handlers were until 2026-12-07, bundled with the stand-ins they then had for cls-hooked\'s `semver` and `assert`), and with OpenTelemetry. Order rotated every round; ratios per round. Sizes are of `index.js` (KiB = 1024 bytes).',
    '- **Synth**: wall-clock time of a Node process running examples/app.ts (transpiled, importing the compiled `lib/`, so no ts-node compile is timed) vs an app with one empty stack, each into a fresh `CDK_OUTDIR`, with the user\'s caches as any synth after the first finds them (one synth runs before the timing). Both run as `cdk synth` runs an app: in the environment (context, CLI version, default region) that the project\'s CDK CLI gives its app, captured at the start of the run (see the details). The row "run by `node` alone" is the method used before 2026-12-06, without that environment: there the empty app has no CDKMetadata resource and skips loading aws-cdk-lib\'s region facts, which the example app loads anyway (its Lambda assets do), so that ratio counts aws-cdk-lib\'s version reporting (the region facts\' load, under module loading in the details) against the construct. The floor is the example app\'s own template (bootstrap parameter and rule dropped) read back by `cloudformation-include`\'s `CfnInclude` in an otherwise empty app, same method: the same CloudFormation resources as L1 constructs, without the L2 constructs that build them. The one-function row is an app with one empty `lambda.Function` from an asset folder: what any app with a Lambda function pays. The cold-caches row runs the example app with a fresh `HOME`: no CDK fingerprint cache and no compiled-schema cache. The CPU profile in the details is of three more runs of the example app under `node --cpu-prof` (sampling every 200 µs), self time summed by where the code lives (lib/, aws-cdk-lib, other packages, Node.js internals, V8).',
    '- Targets are on medians. A missed target is a **FAIL** here; the bench still exits 0. `info` rows have no target.',
    '',
  ].join('\n');
  if (ONLY === undefined) {
    // What the figures mean beyond the method (kept by hand in bench/NOTES.md) follows the generated part.
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), `${md}\n${readFileSync(join(ROOT, 'bench', 'NOTES.md'), 'utf8')}`);
  } else {
    writeFileSync(join(WORK, 'BENCHMARKS.partial.md'), md);
  }
  writeFileSync(join(WORK, 'results.json'), JSON.stringify({ started, rows, notes }, null, 2));
  for (const row of rows) {
    log(`${resultText(row).replace(/\*/g, '').padEnd(12)} ${row.name}: ratio ${row.ratio ? ratioFmt(row.ratio.median, row) : '—'} ` +
      `(ours ${row.ours?.median.toFixed(1) ?? '—'} ${row.unit}), target ${targetText(row)}`);
  }
  log(ONLY === undefined ? `wrote BENCHMARKS.md and BENCHMARKS.svg in ${minutes} min` : `wrote ${relative(ROOT, join(WORK, 'BENCHMARKS.partial.md'))} (${ONLY.join(', ')} only) in ${minutes} min`);
  if (rows.some((r) => r.error)) {
    log('some measurements could not be made (NOT MEASURED above)');
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
