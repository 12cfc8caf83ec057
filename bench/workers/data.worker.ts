// One measurement over one data file, in a fresh process (so that its peak RSS is its own):
//   validate: the data validator's core (validateData over a file stream, the deployment's limits,
//             the schema precompiled as the construct precompiles it at synth);
//   raw:      the baseline, a bare stream read + line split + JSON.parse loop (no validation).
//   floor:    read + parse + schema-validate each record and nothing else: the least any validator
//             must do, to tell our overhead from the cost of parsing and of the schema itself.
//   parse:    CSV parsing alone with one of the CSV parsers compared (rows of string cells, counted).
// Prints one JSON line. argv: validate|floor <ndjson|csv> <file> <schema dir> | raw <file> | parse <parser> <file>
import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as fastCsvParse } from '@fast-csv/parse';
import { parse as csvParse } from 'csv-parse';
import Papa from 'papaparse';
import { fastFormats, fullFormats } from 'ajv-formats/dist/formats';
import { inferSchema, initParser, Parser } from 'udsv';
import { msSince, report } from './result';
import type { DataFormat } from '../../src/data/runtime/format';
import { SCHEMA_ARTIFACTS, SchemaMeta } from '../../src/contract/data-limits';
import { loadSchemaValidators, loadStandaloneValidator, recordValidator, SchemaValidators } from '../../src/data/runtime/schema-validators';
import { recordBuilder, RecordBuilder } from '../../src/data/runtime/validate-csv';
import { validateData } from '../../src/data/runtime/validate-data';

/**
 * The deployment's default limits, from the orchestrator (BENCH_DATA_LIMITS, JSON): importing them
 * from src/data/data-settings.ts would bundle aws-cdk-lib into this worker (35 MB) and count its
 * memory in the peak RSS measured here.
 */
function defaultLimits(): { maxRecordBytes: number; maxJsonDepth: number; maxReportErrors: number } {
  const json = process.env.BENCH_DATA_LIMITS;
  if (json === undefined) throw new Error('BENCH_DATA_LIMITS is not set: run the data worker from bench/main.ts');
  return JSON.parse(json);
}

async function validate(format: DataFormat, file: string, schemaDir: string): Promise<void> {
  const validators = loadSchemaValidators(schemaDir);
  if (!validators) throw new Error(`no precompiled schema in ${schemaDir}`);
  const start = process.hrtime.bigint();
  const result = await validateData(createReadStream(file), { format, validators, limits: defaultLimits() });
  const ms = msSince(start);
  report({ ms, records: result.counts.records, invalidRecords: result.counts.invalid, bytesRead: result.bytesRead, fatal: result.fatal });
}

/** The baseline loop; with `validate`, each parsed record also goes through the schema validator (the NDJSON floor). */
async function raw(file: string, validate?: (record: unknown) => readonly unknown[]): Promise<void> {
  const start = process.hrtime.bigint();
  let records = 0;
  let invalid = 0;
  let bytes = 0;
  let rest = '';
  const stream = createReadStream(file, { encoding: 'utf8' });
  for await (const chunk of stream as AsyncIterable<string>) {
    bytes += chunk.length;
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (line.length > 0) {
        const record = JSON.parse(line);
        if (validate && validate(record).length > 0) invalid += 1;
        records += 1;
      }
    }
  }
  if (rest.length > 0) {
    JSON.parse(rest);
    records += 1;
  }
  report({ ms: msSince(start), records, chars: bytes, ...(validate ? { invalidRecords: invalid } : {}) });
}

/**
 * The least any validator of this format must do: read, parse, validate each record, nothing else
 * (no UTF-8 check, limits, line numbers or report). NDJSON: the baseline loop plus the schema
 * validator. CSV: papaparse at its fastest (arrays of cells, a chunk at a time), a record per row
 * from the header (built as the validator builds it), plus the CSV schema validator (coercing).
 */
async function floor(format: DataFormat, file: string, schemaDir: string): Promise<void> {
  const validators = variantValidators(schemaDir);
  if (format !== 'csv') return raw(file, validators.json);
  const start = process.hrtime.bigint();
  let records = 0;
  let invalid = 0;
  let fields: string[] | undefined;
  let toRecord: RecordBuilder | undefined;
  await new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(createReadStream(file, { encoding: 'utf8' }), {
      header: false,
      delimiter: ',',
      chunk: (results) => {
        for (const cells of results.data) {
          if (fields === undefined || toRecord === undefined) { fields = cells; toRecord = recordBuilder(fields); continue; }
          if (cells.length !== fields.length) continue;
          const record = toRecord(cells);
          if (validators.csv(record).length > 0) invalid += 1;
          records += 1;
        }
      },
      complete: () => resolve(),
      error: (err: Error) => reject(err),
    });
  });
  report({ ms: msSince(start), records, invalidRecords: invalid });
}

/**
 * The CSV parsers compared, each parsing the file into rows of string cells (delimiter `,`, quote
 * `"`, the header row included) at its fastest documented way of streaming, and returning the
 * number of rows and cells (the orchestrator checks that they all agree). csv-simple-parser
 * cannot stream: it parses the whole file read into one string.
 */
const CSV_PARSERS: Record<string, (file: string) => Promise<{ rows: number; cells: number }>> = {
  papaparse: (file) => new Promise((resolve, reject) => {
    let rows = 0;
    let cells = 0;
    Papa.parse<string[]>(createReadStream(file, { encoding: 'utf8' }), {
      header: false,
      delimiter: ',',
      chunk: (results) => {
        for (const row of results.data) { rows += 1; cells += row.length; }
      },
      complete: () => resolve({ rows, cells }),
      error: (err: Error) => reject(err),
    });
  }),
  udsv: async (file) => {
    let rows = 0;
    let cells = 0;
    let parser: Parser | undefined;
    const onRow = (row: string[]) => { rows += 1; cells += row.length; };
    for await (const chunk of createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
      // No header row skipped (`header: () => []`): every row is counted, as the other parsers count them.
      parser ??= initParser(inferSchema(chunk, { col: ',', row: '\n', encl: '"', header: () => [] }));
      parser.chunk<string[]>(chunk, parser.stringArrs, onRow);
    }
    parser?.end();
    return { rows, cells };
  },
  'csv-parse': async (file) => {
    let rows = 0;
    let cells = 0;
    const records = createReadStream(file).pipe(csvParse({ delimiter: ',', relax_column_count: true, bom: true }));
    for await (const row of records as AsyncIterable<string[]>) { rows += 1; cells += row.length; }
    return { rows, cells };
  },
  '@fast-csv/parse': (file) => new Promise((resolve, reject) => {
    let rows = 0;
    let cells = 0;
    createReadStream(file).pipe(fastCsvParse({ delimiter: ',' }))
      .on('data', (row: string[]) => { rows += 1; cells += row.length; })
      .on('error', reject)
      .on('end', () => resolve({ rows, cells }));
  }),
  'csv-simple-parser': async (file) => {
    const { default: csvSimpleParse } = await import('csv-simple-parser'); // an ES module only
    const parsed = csvSimpleParse(readFileSync(file, 'utf8'), { delimiter: ',', quote: '"', header: false }) as string[][];
    let cells = 0;
    for (const row of parsed) cells += row.length;
    return { rows: parsed.length, cells };
  },
};

async function parseOnly(parser: string, file: string): Promise<void> {
  const parse = CSV_PARSERS[parser];
  if (!parse) throw new Error(`unknown CSV parser ${parser}: one of ${Object.keys(CSV_PARSERS).join(', ')}`);
  const start = process.hrtime.bigint();
  const { rows, cells } = await parse(file);
  report({ ms: msSince(start), rows, cells });
}

/**
 * The validators of a schema directory: the construct's own (loadSchemaValidators), or a variant
 * the bench compiled with ajv-formats' full or fast formats (which `require("ajv-formats/dist/formats")`).
 */
function variantValidators(schemaDir: string): SchemaValidators {
  const ajvFormats = { 'ajv-formats/dist/formats': { fullFormats, fastFormats } };
  const load = (name: string) => {
    const path = join(schemaDir, SCHEMA_ARTIFACTS.DIR, name);
    return recordValidator(loadStandaloneValidator(readFileSync(path, 'utf8'), path, ajvFormats));
  };
  const meta = JSON.parse(readFileSync(join(schemaDir, SCHEMA_ARTIFACTS.DIR, SCHEMA_ARTIFACTS.META), 'utf8')) as SchemaMeta;
  return { meta, json: load(SCHEMA_ARTIFACTS.JSON_VALIDATOR), csv: load(SCHEMA_ARTIFACTS.CSV_VALIDATOR) };
}

const [mode, ...args] = process.argv.slice(2);
const run = mode === 'raw' ? raw(args[0])
  : mode === 'parse' ? parseOnly(args[0], args[1])
    : mode === 'floor' ? floor(args[0] as DataFormat, args[1], args[2]) : validate(args[0] as DataFormat, args[1], args[2]);
run.catch((err) => {
  console.error(err);
  process.exit(1);
});
