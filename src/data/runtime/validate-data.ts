import { ByteCounter, withoutBom } from './bytes';
import type { DataFormat } from './format';
import { DataValidationResult, DeadlinePassedError, ReportBuilder } from './report';
import type { SchemaValidators } from './schema-validators';
import { validateCsv } from './validate-csv';
import { validateJson } from './validate-json';
import { validateNdjson } from './validate-ndjson';
import { RejectionError } from '../../runtime/errors';
import type { ObjectBudget } from '../../runtime/time-budget';

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
  /** When validating must stop. @default - no deadline */
  readonly budget?: ObjectBudget;
}

/**
 * Validates a data file read as a stream of chunks (an S3 GetObject body, a file stream, …):
 * parses it by format, checks each record's depth and schema, and returns the counts and the
 * first errors. Memory is bounded by `maxRecordBytes`, never by the size of the file, and the time
 * taken on one record by its size (the schema's patterns run on RE2, `uniqueItems` in one pass, a CSV
 * has at most MAX_CSV_COLUMNS columns).
 *
 * Bad data is a result (`valid: false`, with `fatal` when the file as a whole is unreadable);
 * a file not validated by the `budget`'s deadline is rejected ({@link RejectionError}, recorded once,
 * never retried); only a failure to read the stream throws otherwise (transient: the caller lets Lambda retry).
 */
export async function validateData(source: AsyncIterable<Uint8Array | string>, options: ValidateDataOptions): Promise<DataValidationResult> {
  const report = new ReportBuilder(options.format, options.limits.maxReportErrors, options.validators?.meta, options.budget?.deadline);
  const counter: ByteCounter = { bytes: 0 };
  const chunks = withoutBom(source, counter);
  try {
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
  } catch (err) {
    if (!(err instanceof DeadlinePassedError)) throw err;
    const seconds = Math.round((options.budget?.milliseconds ?? 0) / 100) / 10;
    throw new RejectionError(`The ${options.format} file was not validated within its time budget of ${seconds} s `
      + `(its share of the invocation's time, less what recording its outcome takes): stopped after ${err.records} records `
      + `and ${counter.bytes} bytes. Raise the data validator's timeout, or split the file`,
    { timeBudgetMs: Math.round(options.budget?.milliseconds ?? 0), recordsChecked: err.records, bytesRead: counter.bytes });
  }
  report.bytesRead = counter.bytes;
  if (counter.bytes === 0) {
    report.fail({ reason: 'The file is empty', keyword: 'empty' });
  }
  return report.build();
}
