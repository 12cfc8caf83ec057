import { textLineBatches } from './bytes';
import { checkRecord, recordCheckOptions } from './record-check';
import type { ReportBuilder } from './report';
import type { ValidateDataOptions } from './validate-data';

/** NDJSON / JSON Lines: one JSON value per line; blank lines are ignored. A bad line never stops the file. */
export async function validateNdjson(chunks: AsyncIterable<Uint8Array>, options: ValidateDataOptions, report: ReportBuilder): Promise<void> {
  const { maxRecordBytes, maxJsonDepth } = options.limits;
  const check = recordCheckOptions(options.validators?.json, maxJsonDepth, options.validators?.maxDepth);
  for await (const batch of textLineBatches(chunks, maxRecordBytes)) {
    for (const line of batch) {
      const location = { line: line.number };
      const text = line.text;
      if (text === undefined) {
        report.invalid([line.tooLong !== undefined
          ? { ...location, path: '', keyword: 'length', message: `the line is ${line.tooLong} bytes long, over the limit of ${maxRecordBytes} (dataMaxRecordSize)` }
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
      checkRecord(record, location, check, report, text);
    }
  }
}

/** Whether a line is empty or only white space (checked without trimming a copy of every line). */
function isBlank(text: string): boolean {
  return text.length === 0 || (text.charCodeAt(0) <= 0x20 && text.trim() === '');
}
