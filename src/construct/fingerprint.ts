import { createHash } from 'crypto';

/**
 * Version of the processing rules themselves, part of every fingerprint: raise it when a release
 * changes what a function makes of the same object under the same settings (e.g. a new thumbnail
 * encoder setting, a new report field), so that `reprocess --all` can redo objects recorded by the
 * older code.
 */
export const PROCESSING_RULES_VERSION = 1;

/**
 * A function's configuration fingerprint, part of every outcome id it records: 16 hex digits of
 * the sha256 of the processing rules' version, the function's kind (`image`, `data`, `route:<name>`)
 * and the settings that shape its output (each feature names its own: images/image-settings.ts,
 * data/data-settings.ts, routes/route-settings.ts).
 */
export function configFingerprint(kind: string, settings: Record<string, unknown>): string {
  // Keys in a fixed order (the caller's literal), so the same settings always give the same text.
  const text = JSON.stringify({ rules: PROCESSING_RULES_VERSION, kind, ...settings });
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}
