import { Readable } from 'node:stream';
import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType } from '@streamparser/json';
import Papa from 'papaparse';
import { ByteCounter, InvalidUtf8Error, textLineBatches, Utf8Checker, withoutBom } from './bytes';
import type { DataFormat } from './format';
import { checkRecord } from './record-check';
import { DataValidationResult, ReportBuilder } from './report';
import type { SchemaValidators } from './schema-validators';

/** The limits applied while reading one file. */
export interface ValidationLimits {
  /** Longest NDJSON line, CSV record or JSON record, in bytes. */
  readonly maxRecordBytes: number;
  /** Deepest nesting of arrays and objects in a record. */
  readonly maxJsonDepth: number;
  /** Error entries kept in the report. */
  readonly maxReportErrors: number;
}

export interface ValidateDataOptions {
  readonly format: DataFormat;
  /** Without validators only well-formedness is checked. */
  readonly validators?: SchemaValidators;
  readonly limits: ValidationLimits;
}

/**
 * Validates a data file read as a stream of chunks (an S3 GetObject body, a file stream, …):
 * parses it by format, checks each record's depth and schema, and returns the counts and the
 * first errors. Memory is bounded by `maxRecordBytes`, never by the size of the file.
 *
 * Bad data is a result (`valid: false`, with `fatal` when the file as a whole is unreadable);
 * only a failure to read the stream throws (transient: the caller lets Lambda retry).
 */
export async function validateData(source: AsyncIterable<Uint8Array | string>, options: ValidateDataOptions): Promise<DataValidationResult> {
  const report = new ReportBuilder(options.format, options.limits.maxReportErrors, options.validators?.meta);
  const counter: ByteCounter = { bytes: 0 };
  const chunks = withoutBom(source, counter);
  switch (options.format) {
    case 'ndjson':
      await validateNdjson(chunks, options, report);
      break;
    case 'csv':
      await validateCsv(chunks, options, report);
      break;
    case 'json':
      await validateJson(chunks, options, report);
      break;
  }
  report.bytesRead = counter.bytes;
  if (counter.bytes === 0) {
    report.fail({ reason: 'The file is empty', keyword: 'empty' });
  }
  return report.build();
}

/** NDJSON / JSON Lines: one JSON value per line; blank lines are ignored. A bad line never stops the file. */
async function validateNdjson(chunks: AsyncIterable<Uint8Array>, options: ValidateDataOptions, report: ReportBuilder): Promise<void> {
  const { maxRecordBytes, maxJsonDepth } = options.limits;
  const check = { validator: options.validators?.json, maxJsonDepth };
  for await (const batch of textLineBatches(chunks, maxRecordBytes)) {
    for (const line of batch) {
      const location = { line: line.number };
      const text = line.text;
      if (text === undefined) {
        report.invalid([line.tooLong !== undefined
          ? { ...location, path: '', keyword: 'length', message: `the line is ${line.tooLong} bytes long, over the limit of ${maxRecordBytes} (maxRecordSize)` }
          : { ...location, path: '', keyword: 'utf8', message: 'the line is not valid UTF-8' }]);
        continue;
      }
      if (isBlank(text)) continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (err) {
        report.invalid([{ ...location, path: '', keyword: 'parse', message: `not valid JSON: ${(err as Error).message}` }]);
        continue;
      }
      checkRecord(record, location, check, report);
    }
  }
}

const NO_PARSE_ERRORS: readonly Papa.ParseError[] = [];

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

/** Whether a line is empty or only white space (checked without trimming a copy of every line). */
function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '');
}

/**
 * CSV with a header row, parsed by papaparse (delimiter `,`, quotes `"`, LF or CRLF). Every cell is
 * a string: the CSV validator coerces them to the schema's types (ajv `coerceTypes`), and an empty
 * cell is an absent field. Rows with too few or too many fields are errors. Invalid UTF-8 or a
 * record longer than `maxRecordBytes` (e.g. an unterminated quote) stops reading.
 */
async function validateCsv(chunks: AsyncIterable<Uint8Array>, options: ValidateDataOptions, report: ReportBuilder): Promise<void> {
  const { maxRecordBytes, maxJsonDepth } = options.limits;
  const check = { validator: options.validators?.csv, maxJsonDepth };
  let row = 0;
  let pendingBytes = 0;

  async function* text(): AsyncGenerator<string> {
    const utf8 = new Utf8Checker();
    // papaparse guesses LF or CRLF from its first chunk: hold text back until a whole line is there.
    let head: string | undefined = '';
    try {
      for await (const chunk of chunks) {
        if (pendingBytes > maxRecordBytes) {
          report.fail({ row: row + 1, keyword: 'length', reason: `CSV row ${row + 1} is longer than ${maxRecordBytes} bytes (maxRecordSize); is a quote left open?` });
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
  const csvRow = (cells: string[], errors: readonly Papa.ParseError[]): void => {
    if (isBlankRow(cells)) return;
    if (fields === undefined) {
      fields = headerFields(cells);
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
    const record: Record<string, string> = {};
    for (let i = 0; i < cells.length; i++) {
      if (cells[i] !== '') record[fields[i]] = cells[i]; // an empty cell is an absent field
    }
    checkRecord(record, location, check, report);
  };
  await new Promise<void>((resolve, reject) => {
    Papa.parse<string[]>(Readable.from(text()), {
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
  });
}

/**
 * `.json`: an array of records (each element is one record) or one object (one record), parsed as
 * a stream of tokens (@streamparser/json), so that an array of any size is read in bounded memory.
 * An element (or the object) larger than `maxRecordBytes` or nested deeper than `maxJsonDepth`, a
 * syntax error or invalid UTF-8 stops reading: the parser cannot resynchronize inside a document.
 */
async function validateJson(chunks: AsyncIterable<Uint8Array>, options: ValidateDataOptions, report: ReportBuilder): Promise<void> {
  const { maxRecordBytes, maxJsonDepth } = options.limits;
  const check = { validator: options.validators?.json, maxJsonDepth };
  const utf8 = new Utf8Checker();
  const tokenizer = new Tokenizer();
  let parser: TokenParser | undefined;
  let topLevel: 'array' | 'object' | undefined;
  let depth = 0;
  let line = 1;
  let fed = 0;
  let newlines: number[] = [];
  let nextNewline = 0;
  let element: { index: number; line: number; offset: number } | undefined;
  let index = -1;

  /** The line of a byte offset; offsets only grow, so the newlines before it are consumed once. */
  const lineAt = (offset: number): number => {
    while (nextNewline < newlines.length && newlines[nextNewline] < offset) {
      nextNewline += 1;
      line += 1;
    }
    return line;
  };
  const stop = (reason: string, keyword: string): never => {
    report.fail({ keyword, reason, ...(element ? { line: element.line, ...(topLevel === 'array' ? { index: element.index } : {}) } : {}) });
    throw new StopParsing();
  };

  tokenizer.onToken = ({ token, value, offset }) => {
    const at = lineAt(offset);
    if (topLevel === undefined) {
      if (token === TokenType.LEFT_BRACKET) topLevel = 'array';
      else if (token === TokenType.LEFT_BRACE) topLevel = 'object';
      else stop(`A .json file must hold an array of records or one object; it starts with ${JSON.stringify(value)} on line ${at}`, 'type');
      parser = new TokenParser({ paths: [topLevel === 'array' ? '$.*' : '$'], keepStack: false });
      parser.onValue = ({ value: record }) => {
        checkRecord(record, topLevel === 'array' ? { line: element!.line, index: element!.index } : { line: element!.line }, check, report);
        element = undefined;
      };
      if (topLevel === 'object') element = { index: 0, line: at, offset };
    }
    const elementDepth = topLevel === 'array' ? 1 : 0;
    if (depth === elementDepth && element === undefined && token !== TokenType.COMMA && token !== TokenType.RIGHT_BRACKET) {
      index += 1;
      element = { index, line: at, offset };
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      depth += 1;
      if (depth - elementDepth > maxJsonDepth) {
        stop(`Arrays and objects are nested deeper than ${maxJsonDepth} levels (maxJsonDepth) in the record starting on line ${element?.line}`, 'depth');
      }
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      depth -= 1;
    }
    parser!.write({ token, value } as Parameters<TokenParser['write']>[0]);
  };

  try {
    for await (const chunk of chunks) {
      utf8.decode(chunk);
      newlines = newlines.slice(nextNewline);
      nextNewline = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, nl + 1)) newlines.push(fed + nl);
      fed += chunk.length;
      tokenizer.write(chunk);
      if (element !== undefined && fed - element.offset > maxRecordBytes) {
        stop(`The record starting on line ${element.line} is longer than ${maxRecordBytes} bytes (maxRecordSize)`, 'length');
      }
      if (element === undefined && topLevel === undefined && fed > maxRecordBytes) {
        stop(`No JSON value starts within the first ${maxRecordBytes} bytes`, 'parse');
      }
    }
    utf8.end();
    if (fed > 0) tokenizer.end();
    if (parser && !parser.isEnded) {
      element ??= { index, line, offset: fed };
      stop(`The JSON document ends on line ${line} before it is complete (truncated?)`, 'parse');
    }
  } catch (err) {
    if (err instanceof StopParsing) return;
    if (err instanceof InvalidUtf8Error) {
      report.fail({ keyword: 'utf8', reason: `The file is not valid UTF-8 (${err.message})`, ...(element ? { line: element.line } : {}) });
      return;
    }
    if (err instanceof TokenizerError || err instanceof TokenParserError) {
      report.fail({ keyword: 'parse', reason: `Not valid JSON: ${err.message} (line ${line})`, line });
      return;
    }
    throw err;
  }
}

/** Unwinds the JSON tokenizer once the report has its fatal problem. */
class StopParsing extends Error {}
