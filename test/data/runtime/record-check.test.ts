import { order, schemaValidators } from '../../../emulator/data-files';
import { checkRecord, exceedsDepth, recordCheckOptions, shallowText } from '../../../src/data/runtime/record-check';
import { ReportBuilder } from '../../../src/data/runtime/report';
import type { RecordValidator } from '../../../src/data/runtime/schema-validators';

describe('shallowText: the depth walk is skipped only when the text cannot be deep', () => {
  test('a text with at most maxDepth brackets is shallow; one more and it may be deep', () => {
    expect(shallowText('{"id":1,"tags":["a","b"]}', 2)).toBe(true);
    expect(shallowText('{"id":1,"tags":["a","b"]}', 1)).toBe(false);
    expect(shallowText('"no brackets"', 0)).toBe(true);
    // Brackets inside strings count too: shallowText may send a shallow record to the walk, never the reverse.
    expect(shallowText('{"note":"[[[["}', 2)).toBe(false);
  });

  test('shallowText and the walk agree over nested texts of every depth around the limit', () => {
    for (let depth = 1; depth <= 8; depth++) {
      for (const open of ['[', '{"a":']) {
        const close = open === '[' ? ']' : '}';
        const text = open.repeat(depth) + '1' + close.repeat(depth);
        for (let max = 1; max <= 8; max++) {
          // The text has exactly `depth` opening brackets: shallow exactly when the walk finds it within the limit.
          expect(shallowText(text, max)).toBe(depth <= max);
          expect(exceedsDepth(JSON.parse(text), max)).toBe(depth > max);
        }
      }
    }
  });
});

describe('checkRecord: a schema that bounds the depth runs first, with the same report', () => {
  const validators = schemaValidators(); // the order schema: records are at most 2 deep
  // NDJSON lines, as the validator meets them.
  const lines = [
    JSON.stringify(order(0)),
    JSON.stringify({ ...order(1), tags: ['a', 'b'] }),
    JSON.stringify({ ...order(2), quantity: '2' }),
    JSON.stringify({ ...order(3), tags: [[['x']]] }), // two levels too deep for the schema, and invalid
    JSON.stringify({ ...order(4), tags: [] }).replace('[]', '['.repeat(10_000) + ']'.repeat(10_000)), // 10,000 levels deep
    '42',
  ];

  test.each([2, 3, 64])('maxJsonDepth %i: bounded and unbounded checks report alike', (maxJsonDepth) => {
    const bounded = recordCheckOptions(validators.json, maxJsonDepth, validators.maxDepth);
    const depthFirst = recordCheckOptions(validators.json, maxJsonDepth, undefined);
    expect(validators.maxDepth).toBe(2);
    expect([bounded.schemaBoundsDepth, depthFirst.schemaBoundsDepth]).toEqual([true, false]);
    const reports = [bounded, depthFirst].map((options) => {
      const report = new ReportBuilder('ndjson', 100);
      lines.forEach((line, i) => checkRecord(JSON.parse(line), { line: i + 1 }, options, report, line));
      return report.build();
    });
    expect(reports[0]).toEqual(reports[1]);
    expect(reports[0].counts).toEqual({ records: 6, valid: 2, invalid: 4, errors: expect.any(Number) });
    expect(reports[0].errors.filter((e) => e.keyword === 'depth').map((e) => e.line)).toEqual(maxJsonDepth < 5 ? [4, 5] : [5]);
  });

  test('a schema bound over the limit leaves the depth checked first', () => {
    expect(recordCheckOptions(validators.json, 1, 2).schemaBoundsDepth).toBe(false);
    expect(recordCheckOptions(undefined, 64, 2).schemaBoundsDepth).toBe(false);
  });

  test('a validator that throws on a record too deep reports the depth; on a record within the limit, it throws', () => {
    const throwing: RecordValidator = () => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const options = { validator: throwing, maxJsonDepth: 3, schemaBoundsDepth: true };
    const report = new ReportBuilder('ndjson', 100);
    checkRecord({ a: [[[[1]]]] }, { line: 7 }, options, report);
    expect(report.build().errors).toEqual([{ line: 7, path: '', keyword: 'depth', message: 'arrays and objects are nested deeper than 3 levels (dataMaxJsonDepth)' }]);
    expect(() => checkRecord({ a: [1] }, { line: 8 }, options, report)).toThrow(RangeError);
  });
});
