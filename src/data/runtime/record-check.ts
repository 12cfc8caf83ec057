import type { RecordLocation, ReportBuilder } from './report';
import type { RecordError, RecordValidator } from './schema-validators';

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
  /**
   * The schema accepts no record deeper than `dataMaxJsonDepth` (its bound is worked out at synth):
   * a record the validator accepts is within the limit, so only invalid records need the depth check.
   */
  readonly schemaBoundsDepth?: boolean;
}

/** How records of one kind are checked: by `validator`, against the depth limit, which the schema may bound (`schemaMaxDepth`). */
export function recordCheckOptions(validator: RecordValidator | undefined, maxJsonDepth: number,
  schemaMaxDepth: number | undefined): RecordCheckOptions {
  return { validator, maxJsonDepth, schemaBoundsDepth: validator !== undefined && schemaMaxDepth !== undefined && schemaMaxDepth <= maxJsonDepth };
}

/**
 * Checks one parsed record (depth, then schema) and counts it in the report. `text`, the record's
 * JSON text when the caller has it, lets a record with few brackets skip the depth walk
 * ({@link shallowText}).
 *
 * When the schema bounds the depth (`schemaBoundsDepth`), the schema runs first and a valid record
 * needs no depth check at all. An invalid record is then checked for depth, and one too deep is
 * reported for its depth, not its schema errors: the report is the same as when the depth is
 * checked first. A validator that throws on a hostile record (ajv's `uniqueItems` compares items
 * recursively) is no crash when the record is too deep; on a record within the limit it would be a
 * bug, and is thrown.
 */
export function checkRecord(record: unknown, location: RecordLocation, options: RecordCheckOptions, report: ReportBuilder, text?: string): void {
  const { validator, maxJsonDepth } = options;
  if (options.schemaBoundsDepth) {
    let errors: RecordError[];
    try {
      errors = validator!(record);
    } catch (err) {
      if (!tooDeep(record, text, maxJsonDepth)) throw err;
      reportDepth(location, maxJsonDepth, report);
      return;
    }
    if (errors.length > 0 && tooDeep(record, text, maxJsonDepth)) {
      reportDepth(location, maxJsonDepth, report);
    } else {
      count(errors, location, report);
    }
    return;
  }
  if (tooDeep(record, text, maxJsonDepth)) {
    reportDepth(location, maxJsonDepth, report);
  } else {
    count(validator ? validator(record) : [], location, report);
  }
}

function count(errors: readonly RecordError[], location: RecordLocation, report: ReportBuilder): void {
  if (errors.length === 0) {
    report.valid();
  } else {
    report.invalid(errors.map((error) => ({ ...location, ...error })));
  }
}

function tooDeep(record: unknown, text: string | undefined, maxDepth: number): boolean {
  return (text === undefined || !shallowText(text, maxDepth)) && exceedsDepth(record, maxDepth);
}

function reportDepth(location: RecordLocation, maxDepth: number, report: ReportBuilder): void {
  report.invalid([{
    ...location,
    path: '',
    keyword: 'depth',
    message: `arrays and objects are nested deeper than ${maxDepth} levels (dataMaxJsonDepth)`,
  }]);
}
