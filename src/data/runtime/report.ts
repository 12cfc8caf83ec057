import type { DataFormat } from './format';
import type { SchemaMeta } from '../../contract/data-limits';
import { boundText, MAX_DETAIL_STRING_CHARS, MAX_REPORT_ERROR_TEXT_CHARS } from '../../runtime/bounded';

/**
 * Where an error is: `line` (1-based physical line) for NDJSON and JSON, `row` (1-based data row,
 * the header row not counted) for CSV, `index` (0-based array index) for records of a JSON array.
 */
export interface RecordLocation {
  readonly line?: number;
  readonly row?: number;
  readonly index?: number;
}

/** One error entry of a report. */
export interface ReportError extends RecordLocation {
  /** JSON pointer of the offending value inside the record (`""` is the record itself). */
  readonly path: string;
  readonly message: string;
  /** The JSON Schema keyword that failed (`type`, `required`, …) or a parse problem (`parse`, `depth`, `utf8`, `fields`, `length`). */
  readonly keyword: string;
  /** Set when `path` or `message` was cut to {@link MAX_REPORT_ERROR_TEXT_CHARS} characters. */
  readonly truncated?: true;
}

/** Counts of a report. */
export interface ReportCounts {
  /** Records found (valid + invalid). */
  readonly records: number;
  readonly valid: number;
  readonly invalid: number;
  /** Every error found, listed or not. */
  readonly errors: number;
}

/** A problem with the file as a whole that stopped (or prevented) reading it. */
export interface FatalProblem extends RecordLocation {
  readonly reason: string;
  readonly keyword: string;
}

/** The validation outcome of one file, before the object's identity is added. */
export interface DataValidationResult {
  readonly format: DataFormat;
  readonly valid: boolean;
  readonly counts: ReportCounts;
  /** The first `dataMaxReportErrors` errors, in file order. */
  readonly errors: ReportError[];
  /** Whether errors were left out of `errors` (see `counts.errors`). */
  readonly errorsTruncated: boolean;
  /** Set when the file as a whole is unreadable: the counts cover what was read before. */
  readonly fatal?: FatalProblem;
  readonly bytesRead: number;
  readonly schema?: SchemaMeta;
}

/** Records counted between two looks at the clock: 42 ns each, against about 2 µs a record. */
const DEADLINE_CHECK_EVERY = 8;

/** Thrown by {@link ReportBuilder} when a record is counted after its deadline: the file's validation stops there. */
export class DeadlinePassedError extends Error {
  constructor(public readonly records: number) {
    super(`The deadline passed after ${records} records`);
    this.name = 'DeadlinePassedError';
  }
}

/** Accumulates counts and the first N errors of one file. */
export class ReportBuilder {
  private unchecked = 0;
  private records = 0;
  private validRecords = 0;
  private invalidRecords = 0;
  private errorCount = 0;
  private readonly errors: ReportError[] = [];
  private fatal?: FatalProblem;
  public bytesRead = 0;

  /**
   * @param deadline when counting records must stop (epoch milliseconds): every few records the
   * clock is read, and past it {@link DeadlinePassedError} is thrown, out of the parser that counted.
   */
  constructor(private readonly format: DataFormat, private readonly maxErrors: number, private readonly schema?: SchemaMeta,
    private readonly deadline?: number) {}

  public valid(): void {
    this.tick();
    this.records += 1;
    this.validRecords += 1;
  }

  /** One invalid record with its errors (at least one). */
  public invalid(errors: readonly ReportError[]): void {
    this.tick();
    this.records += 1;
    this.invalidRecords += 1;
    this.errorCount += errors.length;
    for (const error of errors) {
      if (this.errors.length >= this.maxErrors) break;
      this.errors.push(boundedError(error));
    }
  }

  private tick(): void {
    if (this.deadline !== undefined && ++this.unchecked >= DEADLINE_CHECK_EVERY) {
      this.unchecked = 0;
      if (Date.now() > this.deadline) throw new DeadlinePassedError(this.records);
    }
  }

  /** A file-level problem; the first one wins. */
  public fail(problem: FatalProblem): void {
    this.fatal ??= { ...problem, reason: boundText(problem.reason, MAX_DETAIL_STRING_CHARS) };
  }

  public get failed(): boolean {
    return this.fatal !== undefined;
  }

  public build(): DataValidationResult {
    const fatal = this.fatal ?? (this.records === 0 ? { reason: 'The file holds no records', keyword: 'empty' } : undefined);
    return {
      format: this.format,
      valid: fatal === undefined && this.invalidRecords === 0,
      counts: { records: this.records, valid: this.validRecords, invalid: this.invalidRecords, errors: this.errorCount },
      errors: this.errors,
      errorsTruncated: this.errorCount > this.errors.length,
      ...(fatal ? { fatal } : {}),
      bytesRead: this.bytesRead,
      ...(this.schema ? { schema: this.schema } : {}),
    };
  }
}

/** An error with its path and message cut to {@link MAX_REPORT_ERROR_TEXT_CHARS} characters, marked when cut. */
function boundedError(error: ReportError): ReportError {
  if (error.path.length <= MAX_REPORT_ERROR_TEXT_CHARS && error.message.length <= MAX_REPORT_ERROR_TEXT_CHARS) return error;
  return {
    ...error,
    path: boundText(error.path, MAX_REPORT_ERROR_TEXT_CHARS),
    message: boundText(error.message, MAX_REPORT_ERROR_TEXT_CHARS),
    truncated: true,
  };
}
