import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dataFormatOf, SUPPORTED_EXTENSIONS } from './format';
import type { DataLimits } from './limits';
import type { DataValidationResult } from './report';
import type { SchemaValidators } from './schema-validators';
import { validateData } from './validate-data';
import { OUTCOME } from '../../contract/notifications-model';
import { asInputRejection, RejectionError } from '../../runtime/errors';
import { ObjectReadDetails, objectReadDetails, pinnedTo, writeOutputsWhileCurrent } from '../../runtime/object-read';
import type { S3ObjectRef } from '../../runtime/outcome-store';
import { outputKey, rejectTooLongOutputKeys } from '../../runtime/output-key';
import type { ObjectProcessor, ProcessedObject } from '../../runtime/s3-event';
import { SPAN, traceStage } from '../../runtime/tracing';

export interface DataProcessorOptions {
  readonly s3: S3Client;
  /** Where reports go: `<dataOutputPrefix><key>.report.json`. */
  readonly reportsPrefix: string;
  /** The deployment's compiled schema; without it only well-formedness is checked. */
  readonly validators?: SchemaValidators;
  readonly limits: DataLimits;
}

/**
 * The report of a data object: `<dataOutputPrefix><mapped key>.report.json`, the object's whole key
 * being mapped by `encodeKeyPath` (src/runtime/output-key.ts): ordinary keys are kept as they are,
 * `.`/`..`/empty segments, `%` and control characters are percent-encoded.
 *
 * @example reportKeyOf('reports/', 'data/orders.csv') === 'reports/data/orders.csv.report.json'
 * @example reportKeyOf('reports/', 'data/../orders.csv') === 'reports/data/%2E%2E/orders.csv.report.json'
 */
export function reportKeyOf(reportsPrefix: string, key: string): string {
  return outputKey(reportsPrefix, key, '.report.json');
}

/** The report document written to S3. Deterministic for one object version: a duplicate delivery rewrites it unchanged. */
export interface DataReport extends DataValidationResult {
  readonly reportVersion: 1;
  readonly source: { readonly bucket: string; readonly key: string; readonly versionId?: string; readonly eTag?: string; readonly size?: number };
  readonly limits: DataLimits;
}

/** The report of one object version: `read` is what S3 said about the version read (it wins over the event's `object`). */
export function buildReport(object: S3ObjectRef, result: DataValidationResult, limits: DataLimits, read: ObjectReadDetails = {}): DataReport {
  const versionId = read.versionId ?? object.versionId;
  const eTag = read.eTag ?? object.eTag;
  return {
    reportVersion: 1,
    source: {
      bucket: object.bucket,
      key: object.key,
      ...(versionId ? { versionId } : {}),
      ...(eTag ? { eTag } : {}),
      ...(read.size !== undefined ? { size: read.size } : {}),
    },
    ...result,
    limits,
  };
}

/**
 * The notification of a validated object: `data.valid` or `data.invalid`, with the counts and the
 * report's key, and the `size`, `versionId`, `eTag` and `contentType` of the version read (`read`).
 */
export function toProcessedObject(
  object: S3ObjectRef,
  result: DataValidationResult,
  reportKey: string,
  read: ObjectReadDetails = {},
): ProcessedObject {
  const { counts } = result;
  const where = `s3://${object.bucket}/${object.key}`;
  const message = result.valid
    ? `Valid: ${where}: ${counts.records} ${result.format} records`
    : result.fatal
      ? `Invalid: ${where}: ${result.fatal.reason}`
      : `Invalid: ${where}: ${counts.invalid} of ${counts.records} ${result.format} records are invalid`;
  return {
    type: result.valid ? OUTCOME.data.VALID : OUTCOME.data.INVALID,
    message,
    details: {
      ...read,
      format: result.format,
      records: counts.records,
      validRecords: counts.valid,
      invalidRecords: counts.invalid,
      errors: counts.errors,
      reportKey,
      ...(result.schema ? { schemaSha256: result.schema.sha256 } : {}),
      ...(result.fatal ? { reason: result.fatal.reason } : {}),
      ...(result.errors.length > 0 ? { firstError: result.errors[0] } : {}),
    },
  };
}

/**
 * The data validator's per-object work: check the extension, the report's key (S3's 1,024-byte
 * limit) and the size (before reading), stream-validate the object, write its report, and return
 * the `data.valid` / `data.invalid` outcome, which describes the object version read (its size,
 * version id, ETag and content type from the GetObject response, not from the event).
 *
 * An unknown extension, a report key too long or an object over `maxDataBytes` is a rejection, as
 * is an error of the parsers (a property of the data). A fault reading the object, or writing the
 * report, propagates (retried).
 */
export function createDataProcessor(options: DataProcessorOptions): ObjectProcessor {
  const { s3, limits } = options;
  const tooLarge = (size: number, read?: ObjectReadDetails): RejectionError => new RejectionError(
    `The object is ${size} bytes, over the limit of ${limits.maxDataBytes} bytes (dataMaxSize); it was not read`,
    { ...read, size, maxDataBytes: limits.maxDataBytes });

  return async (object, budget) => {
    const format = dataFormatOf(object.key);
    if (format === undefined) {
      throw new RejectionError(`Unsupported data file type: the key must end with ${SUPPORTED_EXTENSIONS.join(', ')}`,
        { supportedExtensions: SUPPORTED_EXTENSIONS });
    }
    const reportKey = reportKeyOf(options.reportsPrefix, object.key);
    rejectTooLongOutputKeys([reportKey], 'report');
    if (object.size !== undefined && object.size > limits.maxDataBytes) {
      throw tooLarge(object.size);
    }
    // The read span is the request; the body is streamed into the validation (the validate span).
    const get = new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...pinnedTo(object) });
    const response = await traceStage(SPAN.READ, () => s3.send(get));
    const body = response.Body as Readable | undefined;
    const read = objectReadDetails(object, response);
    if (read.size !== undefined && read.size > limits.maxDataBytes) {
      body?.destroy();
      throw tooLarge(read.size, read);
    }
    const source = new TrackedRead(body ?? Readable.from([]));
    let result: DataValidationResult;
    try {
      result = await traceStage(SPAN.VALIDATE, () => validateData(source.chunks(), { format, validators: options.validators, limits, budget }), { 'tap.data.format': format });
    } catch (err) {
      if (source.failure !== undefined) {
        throw source.failure.error; // the read broke (a network fault, a timeout): retried
      }
      throw asInputRejection(err, (message) => `The ${format} file could not be validated: ${message}`, { ...read, format });
    } finally {
      body?.destroy();
    }
    // Never over the report of a newer write of the key (a late, retried or redriven event, or one processed at the same time).
    await traceStage(SPAN.WRITE_OUTPUTS, () => writeOutputsWhileCurrent(s3, { bucket: object.bucket, key: object.key, read }, [{
      Key: reportKey,
      Body: JSON.stringify(buildReport(object, result, limits, read), null, 2),
      ContentType: 'application/json',
    }]));
    return toProcessedObject(object, result, reportKey, read);
  };
}

/**
 * The chunks of an object's body, remembering the error that broke the read, if one did: an error
 * from the body is a fault of the read (retried); any other error while validating comes from the
 * data (rejected).
 */
class TrackedRead {
  public failure: { readonly error: unknown } | undefined;

  constructor(private readonly body: AsyncIterable<Uint8Array | string>) {}

  public async *chunks(): AsyncGenerator<Uint8Array | string> {
    try {
      for await (const chunk of this.body) {
        yield chunk;
      }
    } catch (err) {
      this.failure = { error: err };
      throw err;
    }
  }
}
