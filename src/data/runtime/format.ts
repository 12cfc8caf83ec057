/** The data formats the validator reads, chosen by the key's extension (case-insensitive). */
export type DataFormat = 'json' | 'ndjson' | 'csv';

const EXTENSIONS: ReadonlyArray<[string, DataFormat]> = [
  ['.json', 'json'],
  ['.ndjson', 'ndjson'],
  ['.jsonl', 'ndjson'],
  ['.csv', 'csv'],
];

/** Extensions accepted, for messages. */
export const SUPPORTED_EXTENSIONS = EXTENSIONS.map(([ext]) => ext);

/** The format of a key by its extension, or `undefined` for any other extension. */
export function dataFormatOf(key: string): DataFormat | undefined {
  const lower = key.toLowerCase();
  return EXTENSIONS.find(([ext]) => lower.endsWith(ext))?.[1];
}
