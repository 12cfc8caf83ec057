import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dataFormatOf, SUPPORTED_EXTENSIONS } from './format';
import type { DataLimits } from './limits';
import type { DataValidationResult } from './report';
import type { SchemaValidators } from './schema-validators';
import { validateData } from './validate-data';
import { OUTCOME } from '../../contract/notifications-model';
import { RejectionError } from '../../runtime/errors';
import type { S3ObjectRef } from '../../runtime/outcome-store';
import type { ObjectProcessor, ProcessedObject } from '../../runtime/s3-event';

export interface DataProcessorOptions {
  readonly s3: S3Client;
  /** Where reports go: `<reportsPrefix><key>.report.json`. */
  readonly reportsPrefix: string;
  /** The deployment's compiled schema; without it only well-formedness is checked. */
  readonly validators?: SchemaValidators;
  readonly limits: DataLimits;
}

/** The report of a data object: `reports/data/orders.csv` → `reports/data/orders.csv.report.json`. */
export function reportKeyOf(reportsPrefix: string, key: string): string {
  return `${reportsPrefix}${key}.report.json`;
}

/** The report document written to S3. Deterministic for one object version: a duplicate delivery rewrites it unchanged. */
export interface DataReport extends DataValidationResult {
  readonly reportVersion: 1;
  readonly source: { readonly bucket: string; readonly key: string; readonly versionId?: string; readonly eTag?: string; readonly size?: number };
  readonly limits: DataLimits;
}

export function buildReport(object: S3ObjectRef, result: DataValidationResult, limits: DataLimits, size?: number): DataReport {
  return {
    reportVersion: 1,
    source: {
      bucket: object.bucket,
      key: object.key,
      ...(object.versionId ? { versionId: object.versionId } : {}),
      ...(object.eTag ? { eTag: object.eTag } : {}),
      ...(size !== undefined ? { size } : {}),
    },
    ...result,
    limits,
  };
}

/** The notification of a validated object: `data.valid` or `data.invalid`, with the counts and the report's key. */
export function toProcessedObject(object: S3ObjectRef, result: DataValidationResult, reportKey: string): ProcessedObject {
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
 * The data validator's per-object work: check the extension and the size (before reading),
 * stream-validate the object, write its report, and return the `data.valid` / `data.invalid`
 * outcome. An unknown extension or an object over `maxDataBytes` is a rejection; a read or
 * write fault propagates (retried).
 */
export function createDataProcessor(options: DataProcessorOptions): ObjectProcessor {
  const { s3, limits } = options;
  const tooLarge = (size: number): RejectionError => new RejectionError(
    `The object is ${size} bytes, over the limit of ${limits.maxDataBytes} bytes (maxDataSize); it was not read`,
    { size, maxDataBytes: limits.maxDataBytes });

  return async (object) => {
    const format = dataFormatOf(object.key);
    if (format === undefined) {
      throw new RejectionError(`Unsupported data file type: the key must end with ${SUPPORTED_EXTENSIONS.join(', ')}`,
        { supportedExtensions: SUPPORTED_EXTENSIONS });
    }
    if (object.size !== undefined && object.size > limits.maxDataBytes) {
      throw tooLarge(object.size);
    }
    const response = await s3.send(new GetObjectCommand({
      Bucket: object.bucket,
      Key: object.key,
      ...(object.versionId ? { VersionId: object.versionId } : {}),
    }));
    const body = response.Body as Readable | undefined;
    const size = response.ContentLength ?? object.size;
    if (size !== undefined && size > limits.maxDataBytes) {
      body?.destroy();
      throw tooLarge(size);
    }
    let result: DataValidationResult;
    try {
      result = await validateData(body ?? Readable.from([]), { format, validators: options.validators, limits });
    } finally {
      body?.destroy();
    }
    const reportKey = reportKeyOf(options.reportsPrefix, object.key);
    const versioned = { ...object, versionId: response.VersionId ?? object.versionId };
    await s3.send(new PutObjectCommand({
      Bucket: object.bucket,
      Key: reportKey,
      Body: JSON.stringify(buildReport(versioned, result, limits, size), null, 2),
      ContentType: 'application/json',
    }));
    return toProcessedObject(object, result, reportKey);
  };
}
