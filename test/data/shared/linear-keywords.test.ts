import Ajv from 'ajv';
import * as re2js from 're2js';
import { writeSchemaArtifacts } from '../../../emulator/data-files';
import { mulberry32 } from '../../../emulator/prng';
import { DataSchema } from '../../../src';
import { SCHEMA_ARTIFACTS } from '../../../src/contract/data-limits';
import { loadSchemaValidators } from '../../../src/data/runtime/schema-validators';
import { compileDataSchema, schemaArtifacts } from '../../../src/data/schema-compiler';
import { duplicateItems, linearRegExp, re2Syntax, useRe2 } from '../../../src/data/shared/linear-keywords';

// The schema's patterns run on RE2 and `uniqueItems` in one pass (finding: no time budget), with
// the answers JavaScript's RegExp and ajv's own uniqueItems give.

// At synth, the compiler loads re2js from the package; here the module is used alone.
beforeEach(() => useRe2(() => re2js));

const compile = (schema: object) => compileDataSchema(DataSchema.fromJson(JSON.stringify(schema)), { cacheDir: false });

describe('patterns on RE2 mean what they mean in JavaScript', () => {
  const PATTERNS = [
    '^[a-z]+$', '\\s', '^\\S+$', '^.$', '^.+$', 'a.b', '[\\s,]+', '^\\d{3}-\\w+$', '^[^\\s]+$', '\\u0041', '\\u{1F600}',
    '^\\p{L}+$', '[]', '[^]', '^(a|b)*c$', '\\.', '[.]', 'x{2,3}', '^$', '(?<y>ab)', '[\\]a]', '^[\\-a]$', '\\bfoo\\b',
    '[\\b]', '^[A-Z]{2}\\d{2}[A-Z0-9]{1,30}$', '^\\+?[0-9 ()-]{7,}$', '\\cJ', '^[^.]+\\.[a-z]{2,}$', '(a|ab)(c|bcd)(d*)',
  ];
  const INPUTS = [
    'abc', 'a b', 'a\u00a0b', 'a\u2028b', '\u3000', '\ufeff', '😀', 'a\nb', 'a\rb', 'a\tb', 'a\vb', 'axb', '123-x', 'A', 'é',
    '', 'c', 'abababc', '.', 'xxx', ']', '-', 'foo bar', 'foobar', '\b', 'ab', 'DE44500105175407324931', '+49 (30) 1234',
    '\n', 'mail.example', 'abcd', 'a'.repeat(30),
  ];

  test.each(PATTERNS)('%s', (pattern) => {
    const js = new RegExp(pattern, 'u');
    const re2 = linearRegExp(pattern, 'u');
    expect(INPUTS.filter((s) => re2.test(s) !== js.test(s))).toEqual([]);
  });

  test('\\s, \\S and . are spelt out as JavaScript reads them (RE2 reads them as ASCII and all but \\n)', () => {
    expect(re2Syntax('.')).toBe('[^\\n\\r\\x{2028}\\x{2029}]');
    expect(re2Syntax('[\\s]')).toBe('[\\t-\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}]');
    expect(re2Syntax('\\S')).toMatch(/^\[\^\\t-\\r /);
  });

  test('an expression that backtracks exponentially in JavaScript is a plain scan on RE2', () => {
    // `^(a|a)*$` on 26 a's and a b took 1.3 s in JavaScript and doubles with each a; the test's
    // own timeout would stop this line long before JavaScript's RegExp could answer it.
    expect(linearRegExp('^(a|a)*$').test(`${'a'.repeat(100_000)}b`)).toBe(false);
    expect(linearRegExp('^(a|a)*$').test('a'.repeat(100_000))).toBe(true);
  });

  test.each([
    ['(?=a)b', /cannot run in linear time \(RE2\): .*unsupported Perl syntax/],
    ['(?<=a)b', /cannot run in linear time \(RE2\)/],
    ['(a)\\1', /cannot run in linear time \(RE2\): .*invalid escape sequence: `\\1`/],
    ['(?<n>a)\\k<n>', /cannot run in linear time \(RE2\): back-references/],
    ['[\\S]', /\\S inside a bracket class has no equivalent in RE2/],
    ['(?i)abc', /is not a valid ECMAScript regular expression/],
    ['\\pL', /is not a valid ECMAScript regular expression/],
  ])('%s is refused, with the reason', (pattern, reason) => {
    expect(() => linearRegExp(pattern)).toThrow(reason);
  });
});

describe('uniqueItems in one pass', () => {
  const ajv = new Ajv({ allErrors: true });
  const ajvUnique = ajv.compile({ type: 'array', uniqueItems: true });

  test('the pair reported is the one ajv\'s own check reports, over random arrays of every kind of item', () => {
    const random = mulberry32(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const atoms = [0, -0, 1, 1.5, '1', 'a', true, false, null, [], {}, [1], { a: 1 }, { a: 1, b: [2] }, { b: [2], a: 1 }, [[1], { x: null }]];
    for (let n = 0; n < 2000; n++) {
      const items = Array.from({ length: Math.floor(random() * 8) }, () => pick(atoms));
      const expected = ajvUnique(items) ? undefined : [ajvUnique.errors![0].params.j, ajvUnique.errors![0].params.i];
      expect([JSON.stringify(items), duplicateItems(items)]).toEqual([JSON.stringify(items), expected]);
    }
  });

  test('the compiled schema reports ajv\'s message and params', () => {
    const validators = loadSchemaValidators(writeSchemaArtifacts(compile({ type: 'array', uniqueItems: true })))!;
    expect(validators.json([{ a: 1, b: 2 }, 3, { b: 2, a: 1 }])).toEqual([
      { path: '', keyword: 'uniqueItems', message: 'must NOT have duplicate items (items ## 0 and 2 are identical)' },
    ]);
    expect(validators.json(Array.from({ length: 40_000 }, (_, i) => [i]))).toEqual([]);
    expect(compile({ type: 'array', uniqueItems: false }).jsonValidator).not.toContain('duplicateItems');
  });
});

describe('the schema compiler', () => {
  test.each([
    [{ type: 'string', pattern: '^(?!tmp)' }],
    [{ type: 'object', patternProperties: { '^(a)\\1$': { type: 'string' } } }],
    [{ type: 'object', propertyNames: { pattern: '(?<=x)y' } }],
  ])('a pattern RE2 cannot run fails the synth, naming it: %j', (schema) => {
    expect(() => compile(schema)).toThrow(/invalid dataSchema .*does not compile as a JSON Schema \(draft-07\): the pattern ".*" cannot run in linear time \(RE2\).*patterns run on RE2 \(no lookaround or back-references\)/);
  });

  test('re2js is written beside the compiled schema only when the schema has a pattern', () => {
    const withPattern = schemaArtifacts(compile({ type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]+$' } } }));
    expect(withPattern[SCHEMA_ARTIFACTS.RE2]).toContain('RE2JS');
    expect(Object.keys(schemaArtifacts(compile({ type: 'object', properties: { id: { type: 'string' } } })))).not.toContain(SCHEMA_ARTIFACTS.RE2);
    const validators = loadSchemaValidators(writeSchemaArtifacts(compile({ type: 'object', patternProperties: { '^x-': { type: 'integer' } } })))!;
    expect(validators.json({ 'x-a': 1, 'y': 'b' })).toEqual([]);
    expect(validators.json({ 'x-a': 'one' })).toEqual([{ path: '/x-a', keyword: 'type', message: 'must be integer' }]);
  });
});
