import type { RecordLocation, ReportBuilder } from './report';
import type { RecordValidator } from './schema-validators';

/**
 * Whether a parsed value nests arrays and objects deeper than `maxDepth` (a record object is
 * depth 1). Iterative, so that a hostile record cannot overflow the stack.
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

export interface RecordCheckOptions {
  readonly validator?: RecordValidator;
  readonly maxJsonDepth: number;
}

/** Checks one parsed record (depth, then schema) and counts it in the report. */
export function checkRecord(record: unknown, location: RecordLocation, options: RecordCheckOptions, report: ReportBuilder): void {
  if (exceedsDepth(record, options.maxJsonDepth)) {
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
