import { Size } from 'aws-cdk-lib';
import { DataSchema } from './data-schema';

/**
 * How the data validator checks the objects uploaded under `dataInputPrefix`: the JSON Schema of their
 * records and the limits of a file, a record and a report. Part of {@link TapServerlessProps}.
 */
export interface DataValidationOptions {
  /**
   * The JSON Schema every record of an uploaded data file must satisfy. It is checked and
   * precompiled at synth (a schema that does not compile fails synth) and shipped in the data
   * validator's code asset. CSV cells are coerced to the schema's types; see docs/data-validation.md.
   *
   * @default - no schema: files are only checked to be well-formed JSON, NDJSON or CSV
   */
  readonly dataSchema?: DataSchema;

  /**
   * Largest data object that is validated. Larger objects are recorded as `data.rejected`
   * without being read.
   *
   * @default Size.gibibytes(1)
   */
  readonly dataMaxSize?: Size;

  /**
   * Longest record the data validator reads: an NDJSON line, a CSV row or an element of a JSON
   * array (a `.json` object file is one record). Longer ones are reported as errors. Bounds the
   * function's memory use, whatever the file's size.
   *
   * @default Size.mebibytes(1)
   */
  readonly dataMaxRecordSize?: Size;

  /**
   * Deepest nesting of arrays and objects inside one record (the record itself is level 1).
   * Deeper records are reported as errors.
   *
   * @default 64
   */
  readonly dataMaxJsonDepth?: number;

  /**
   * How many error entries a validation report lists (its counts cover every error).
   *
   * @default 100
   */
  readonly dataMaxReportErrors?: number;
}
