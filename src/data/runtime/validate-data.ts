import { ByteCounter, withoutBom } from './bytes';
import type { DataFormat } from './format';
import { DataValidationResult, ReportBuilder } from './report';
import type { SchemaValidators } from './schema-validators';
import { validateCsv } from './validate-csv';
import { validateJson } from './validate-json';
import { validateNdjson } from './validate-ndjson';

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
