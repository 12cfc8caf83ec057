import type { RecordLocation, ReportBuilder } from './report';
import type { RecordValidator } from './schema-validators';

/**
 * Whether a parsed value nests arrays and objects deeper than `maxDepth` (a record object is
 * depth 1). The walk stops as soon as it is deeper than `maxDepth`, so a hostile record cannot
 * overflow the stack (recursion is at most `maxDepth` + 1 deep, and `maxDepth` is at most 1000);
 * it allocates nothing, which matters at hundreds of thousands of records per second.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  return typeof value === 'object' && value !== null && deeperThan(value, 1, maxDepth);
}

function deeperThan(node: object, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(node)) {
    for (const child of node) {
      if (typeof child === 'object' && child !== null && deeperThan(child, depth + 1, maxDepth)) return true;
    }
    return false;
  }
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === 'object' && child !== null && deeperThan(child, depth + 1, maxDepth)) return true;
  }
  return false;
}

/**
 * Whether the JSON text `text` holds at most `maxDepth` opening brackets (`{` and `[`, counted
 * anywhere, inside strings too): then its value cannot nest deeper than `maxDepth`, and
 * {@link exceedsDepth} need not walk it. A few `indexOf` scans, which find the one or two brackets
 * of a typical record faster than the walk visits its fields (the walk was the largest cost of
 * ours in the NDJSON path, `npx projen bench`); at most `maxDepth` + 1 scans for any line.
 */
export function shallowText(text: string, maxDepth: number): boolean {
  let openings = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) {
    if (++openings > maxDepth) return false;
  }
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) {
    if (++openings > maxDepth) return false;
  }
  return true;
}

export interface RecordCheckOptions {
  readonly validator?: RecordValidator;
  readonly maxJsonDepth: number;
}

/**
 * Checks one parsed record (depth, then schema) and counts it in the report. `mayBeDeep: false`
 * skips the depth walk for a record known to be shallow (its text passed {@link shallowText}).
 */
export function checkRecord(record: unknown, location: RecordLocation, options: RecordCheckOptions, report: ReportBuilder, mayBeDeep = true): void {
  if (mayBeDeep && exceedsDepth(record, options.maxJsonDepth)) {
    report.invalid([{
      ...location,
      path: '',
      keyword: 'depth',
      message: `arrays and objects are nested deeper than ${options.maxJsonDepth} levels (maxJsonDepth)`,
    }]);
    return;
  }
  const errors = options.validator ? options.validator(record) : [];
  if (errors.length === 0) {
    report.valid();
  } else {
    report.invalid(errors.map((error) => ({ ...location, ...error })));
  }
}
