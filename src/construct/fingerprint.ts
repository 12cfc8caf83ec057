import { createHash } from 'crypto';
import { DataSettings, ImageSettings } from './settings';

/**
 * Version of the processing rules themselves, part of every fingerprint: raise it when a release
 * changes what a function makes of the same object under the same settings (e.g. a new thumbnail
 * encoder setting, a new report field), so that `reprocess --all` can redo objects recorded by the
 * older code.
 */
export const PROCESSING_RULES_VERSION = 1;

/**
 * The configuration fingerprint of the image processor: 16 hex digits of the sha256 of the
 * settings that shape its output (thumbnail widths and format, size and pixel limits). Settings
 * that do not change what is recorded (memory, timeout, alarms) are left out, so changing them
 * does not make every object "older configuration".
 */
export function imageProcessorFingerprint(images: ImageSettings): string {
  return fingerprint({
    rules: PROCESSING_RULES_VERSION,
    kind: 'image',
    thumbnailWidths: [...images.thumbnailWidths],
    thumbnailFormat: images.thumbnailFormat,
    maxImageBytes: images.maxImageBytes,
    maxImagePixels: images.maxImagePixels,
  });
}

/**
 * The configuration fingerprint of the data validator: 16 hex digits of the sha256 of the data
 * schema's hash (none: no schema) and of the limits that decide a verdict or a report's content.
 */
export function dataValidatorFingerprint(data: DataSettings): string {
  return fingerprint({
    rules: PROCESSING_RULES_VERSION,
    kind: 'data',
    schemaSha256: data.schema?.meta.sha256 ?? null,
    maxDataBytes: data.maxDataBytes,
    maxRecordBytes: data.maxRecordBytes,
    maxJsonDepth: data.maxJsonDepth,
    maxReportErrors: data.maxReportErrors,
  });
}

function fingerprint(settings: Record<string, unknown>): string {
  // Keys in a fixed order (the literals above), so the same settings always give the same text.
  return createHash('sha256').update(JSON.stringify(settings), 'utf8').digest('hex').slice(0, 16);
}
