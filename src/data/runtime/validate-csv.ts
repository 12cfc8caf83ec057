import { Readable } from 'node:stream';
import Papa from 'papaparse';
import { InvalidUtf8Error, Utf8Checker } from './bytes';
import { checkRecord, recordCheckOptions } from './record-check';
import type { ReportBuilder } from './report';
import type { ValidateDataOptions } from './validate-data';

const NO_PARSE_ERRORS: readonly Papa.ParseError[] = [];

/**
 * The most columns a CSV file may have (as many as a spreadsheet holds): every row's record is
 * built and validated field by field, and a row of 100,000 columns took 0.2 s (0.4 s under a
 * schema refusing other fields), so a file of such rows would spend its time budget on a few rows.
 */
export const MAX_CSV_COLUMNS = 16_384;

/**
 * CSV with a header row, parsed by papaparse (delimiter `,`, quotes `"`, LF or CRLF). Every cell is
 * a string: the CSV validator coerces them to the schema's types (ajv `coerceTypes`), and an empty
 * cell is an absent field. Rows with too few or too many fields are errors. Invalid UTF-8 or a
 * record longer than `maxRecordBytes` (e.g. an unterminated quote) stops reading.
 */
export async function validateCsv(chunks: AsyncIterable<Uint8Array>, options: ValidateDataOptions, report: ReportBuilder): Promise<void> {
  const { maxRecordBytes, maxJsonDepth } = options.limits;
  const check = recordCheckOptions(options.validators?.csv, maxJsonDepth, options.validators?.maxDepth);
  let row = 0;
  let pendingBytes = 0;

  async function* text(): AsyncGenerator<string> {
    const utf8 = new Utf8Checker();
    // papaparse guesses LF or CRLF from its first chunk: hold text back until a whole line is there.
    let head: string | undefined = '';
    try {
      for await (const chunk of chunks) {
        if (report.failed) return; // nothing more is read of a file that stopped being validated
        if (pendingBytes > maxRecordBytes) {
          report.fail({ row: row + 1, keyword: 'length', reason: `CSV row ${row + 1} is longer than ${maxRecordBytes} bytes (dataMaxRecordSize); is a quote left open?` });
          return;
        }
        pendingBytes += chunk.length;
        const decoded = utf8.decode(chunk);
        if (head === undefined) {
          yield decoded;
        } else if ((head += decoded).includes('\n')) {
          yield head;
          head = undefined;
        }
      }
      yield (head ?? '') + utf8.end();
    } catch (err) {
      if (!(err instanceof InvalidUtf8Error)) throw err;
      report.fail({ row: row + 1, keyword: 'utf8', reason: `The file is not valid UTF-8 (${err.message}, while reading row ${row + 1})` });
    }
  }

  // Rows come from papaparse as arrays of cells (`header: false`), a chunk at a time, and the records
  // are built here from the header row: papaparse's per-row results and per-cell header, typing and
  // transform hooks took a third of the CSV time (measured by `npx projen bench`). Same results as its
  // `header: true` with `skipEmptyLines: 'greedy'`: the first non-blank row is the header (duplicate
  // names renamed as papaparse does), rows of white space only are skipped, a row with too few or too
  // many fields is a field mismatch.
  let fields: string[] | undefined;
  let toRecord: RecordBuilder | undefined;
  const csvRow = (cells: string[], errors: readonly Papa.ParseError[]): void => {
    if (isBlankRow(cells)) return;
    if (fields === undefined || toRecord === undefined) {
      if (cells.length > MAX_CSV_COLUMNS) {
        report.fail({ keyword: 'columns', reason: `The CSV header has ${cells.length} columns, over the limit of ${MAX_CSV_COLUMNS}` });
        return;
      }
      fields = headerFields(cells);
      toRecord = recordBuilder(fields);
      return;
    }
    row += 1;
    const location = { row };
    if (cells.length !== fields.length) {
      const adjective = cells.length > fields.length ? 'many' : 'few';
      report.invalid([{
        ...location,
        path: '',
        keyword: 'fields',
        message: `Too ${adjective} fields: expected ${fields.length} fields but parsed ${cells.length} (expected one field per header column)`,
      }]);
      return;
    }
    if (errors.length > 0) {
      report.invalid(errors.map((e) => ({ ...location, path: '', keyword: 'parse', message: e.message })));
      return;
    }
    checkRecord(toRecord(cells), location, check, report);
  };
  const input = Readable.from(text());
  await new Promise<void>((resolve, reject) => {
    // An error of the stream itself (the body closed under it, once parsing stopped) settles nothing
    // more, but must have a listener: an 'error' event without one ends the process.
    input.on('error', reject);
    Papa.parse<string[]>(input, {
      header: false,
      delimiter: ',',
      // Blank rows are skipped by csvRow: papaparse's own skipping would shift the row numbers of its errors.
      skipEmptyLines: false,
      // The rows of each chunk at once (not one callback and one result object per row).
      chunk: (results) => {
        if (results.data.length > 0) pendingBytes = 0;
        const errorsByRow = new Map<number, Papa.ParseError[]>();
        for (const error of results.errors) {
          const index = error.row ?? results.data.length - 1;
          errorsByRow.set(index, [...(errorsByRow.get(index) ?? []), error]);
        }
        for (let i = 0; i < results.data.length; i++) {
          if (report.failed) return; // the rest of a file that stopped being read
          csvRow(results.data[i], errorsByRow.get(i) ?? NO_PARSE_ERRORS);
        }
      },
      complete: () => resolve(),
      error: (err: Error) => reject(err),
    });
  }).finally(() => input.destroy()); // parsing stopped early (its deadline, an error): nothing more is read
}

/** Makes the record of a row: a field per non-empty cell, named by its header column. */
export type RecordBuilder = (cells: readonly string[]) => Record<string, string>;

/**
 * The record builder of a header: `{}` then one `if (cell !== '') record["name"] = cell` per
 * column, generated as code once per file, so that every record of the file is built by the same
 * straight-line stores (a loop storing under each column's name in turn was 4× slower and the
 * largest cost of ours in the CSV path, `npx projen bench`). The names enter the code only as
 * JSON string literals (`JSON.stringify`), never as code; the result is what the loop gave
 * (an empty cell is an absent field, a duplicate name was renamed by {@link headerFields}). A
 * `__proto__` column is an own field like any other.
 */
export function recordBuilder(fields: readonly string[]): RecordBuilder {
  const stores = fields.map((name, i) => name === '__proto__'
    // An assignment would call Object.prototype's __proto__ setter: the column would be lost.
    ? `if ((cell = cells[${i}]) !== '') Object.defineProperty(record, '__proto__', { value: cell, enumerable: true, writable: true, configurable: true });`
    : `if ((cell = cells[${i}]) !== '') record[${JSON.stringify(name)}] = cell;`);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('cells', `'use strict'; const record = {}; let cell; ${stores.join(' ')} return record;`) as RecordBuilder;
}

/** Whether a CSV row holds only white space (papaparse's `skipEmptyLines: 'greedy'` test, without joining every row). */
function isBlankRow(cells: readonly string[]): boolean {
  for (const cell of cells) {
    if (cell.length === 0) continue;
    const first = cell.charCodeAt(0);
    if ((first > 0x20 && first < 0x7f) || cell.trim() !== '') return false;
  }
  return true;
}

/** The header row's names, duplicates renamed `name_1`, `name_2`, … as papaparse's `header: true` does. */
function headerFields(cells: readonly string[]): string[] {
  const used = new Set(cells);
  const counts = new Map<string, number>();
  return cells.map((name) => {
    const count = counts.get(name);
    if (count === undefined) {
      counts.set(name, 1);
      used.add(name);
      return name;
    }
    let renamed: string;
    let suffix = count;
    do {
      renamed = `${name}_${suffix}`;
      suffix += 1;
    } while (used.has(renamed));
    used.add(renamed);
    counts.set(name, count + 1);
    return renamed;
  });
}
