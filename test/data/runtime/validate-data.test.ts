import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildSync } from 'esbuild';
import Papa from 'papaparse';
import { chunked, csv, jsonArray, ndjson, schemaValidators, schemaValidatorsDir } from '../../../emulator/data-files';
import { textLineBatches, withoutBom } from '../../../src/data/runtime/bytes';
import { dataFormatOf } from '../../../src/data/runtime/format';
import { exceedsDepth } from '../../../src/data/runtime/record-check';
import { toRecordErrors } from '../../../src/data/runtime/schema-validators';
import { validateData, ValidateDataOptions } from '../../../src/data/runtime/validate-data';

const validators = schemaValidators();
const limits = { maxRecordBytes: 64 * 1024, maxJsonDepth: 64, maxReportErrors: 100 };
const options = (format: ValidateDataOptions['format'], extra: Partial<ValidateDataOptions> = {}): ValidateDataOptions =>
  ({ format, validators, limits, ...extra });
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const INVALID_UTF8 = Buffer.from([0xc3, 0x28]); // a lead byte followed by a non-continuation byte

describe('formats and helpers', () => {
  test('the format comes from the extension, case-insensitively; others are unsupported', () => {
    expect(['a.json', 'a.NDJSON', 'a.jsonl', 'x/y.Csv', 'a.txt', 'a.json.gz', 'csv'].map(dataFormatOf))
      .toEqual(['json', 'ndjson', 'ndjson', 'csv', undefined, undefined, undefined]);
  });

  test('lines are split across chunk boundaries (LF and CRLF), and an over-long line is reported, not buffered', async () => {
    const text = 'one\r\ntwo\n' + 'x'.repeat(50) + '\nthree';
    for (const size of [1, 3, 7, text.length]) {
      const lines = [];
      for await (const batch of textLineBatches(withoutBom(chunked(text, size), { bytes: 0 }), 10)) {
        for (const line of batch) lines.push([line.number, line.text ?? `tooLong ${line.tooLong}`]);
      }
      expect(lines).toEqual([[1, 'one'], [2, 'two'], [3, 'tooLong 50'], [4, 'three']]);
    }
  });

  test('text lines: multi-byte characters cut by chunks, invalid UTF-8 on one line only, a line exactly at the limit', async () => {
    const bytes = Buffer.concat([
      Buffer.from('été\r\n'), Buffer.from('a'), INVALID_UTF8, Buffer.from('\n'), Buffer.from('😀'.repeat(3)), Buffer.from('\n\n'),
      Buffer.from('y'.repeat(12)), Buffer.from('\r\n'), Buffer.from('z'.repeat(13)), Buffer.from('\nend\n'),
    ]);
    for (const size of [1, 2, 5, bytes.length]) {
      const lines = [];
      for await (const batch of textLineBatches(chunked(bytes, size), 12)) {
        for (const line of batch) lines.push(line.text ?? (line.invalidUtf8 ? 'invalid' : `tooLong ${line.tooLong}`));
      }
      expect(lines).toEqual(['été', 'invalid', '😀😀😀', '', 'y'.repeat(12), 'tooLong 13', 'end']);
    }
  });

  test('a BOM is stripped even when split across chunks', async () => {
    const out: Buffer[] = [];
    for await (const c of withoutBom(chunked(Buffer.from('\uFEFFab'), 1), { bytes: 0 })) out.push(Buffer.from(c));
    expect(Buffer.concat(out).toString()).toBe('ab');
  });

  test('depth is measured without overflowing the stack, even 100,000 levels deep', () => {
    expect(exceedsDepth({ a: [{ b: 1 }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: [{ b: [] }] }, 3)).toBe(true);
    expect(exceedsDepth(JSON.parse(deep(100_000)), 64)).toBe(true);
  });

  test('error paths are JSON pointers to the field, even a missing one, with ~ and / escaped', () => {
    expect(toRecordErrors([
      { keyword: 'required', instancePath: '/a', schemaPath: '#', params: { missingProperty: 'x/y~z' }, message: 'must have required property' },
      { keyword: 'additionalProperties', instancePath: '', schemaPath: '#', params: { additionalProperty: 'extra' }, message: 'must NOT have additional properties' },
      { keyword: 'type', instancePath: '/items/3/id', schemaPath: '#', params: { type: 'integer' }, message: 'must be integer' },
    ]).map((e) => e.path)).toEqual(['/a/x~1y~0z', '/extra', '/items/3/id']);
  });
});

describe('reference files', () => {
  test('a valid 10,000-row NDJSON file is valid', async () => {
    const result = await validateData(chunked(ndjson(10_000), 65_536), options('ndjson'));
    expect(result).toMatchObject({ valid: true, counts: { records: 10_000, valid: 10_000, invalid: 0, errors: 0 }, errors: [] });
    expect(result.fatal).toBeUndefined();
    expect(result.schema).toMatchObject({ id: 'https://schemas.tapserverless.dev/order.json', draft: 'draft-07' });
  });

  test('a CSV with 3 bad rows out of 1,000 points at those rows and fields', async () => {
    const bad: Record<number, (cells: string[]) => string[]> = {
      41: (c) => { c[3] = 'three'; return c; }, // quantity not an integer (row 42)
      499: (c) => { c[2] = 'not-an-email'; return c; }, // email format (row 500)
      997: (c) => { c[5] = 'maybe'; return c; }, // paid not a boolean (row 998)
    };
    const result = await validateData(chunked(csv(1000, (c, i) => bad[i]?.(c) ?? c), 1000), options('csv'));
    expect(result.valid).toBe(false);
    expect(result.counts).toEqual({ records: 1000, valid: 997, invalid: 3, errors: 3 });
    expect(result.errors).toEqual([
      { row: 42, path: '/quantity', keyword: 'type', message: 'must be integer' },
      { row: 500, path: '/email', keyword: 'format', message: 'must match format "email"' },
      { row: 998, path: '/paid', keyword: 'type', message: 'must be boolean' },
    ]);
  });

  test('a JSON array with a type error points at the element\'s line, index and field', async () => {
    const text = jsonArray(20, (o, i) => (i === 7 ? { ...o, price: '12.50' } : o));
    const result = await validateData(chunked(text, 100), options('json'));
    expect(result.counts).toEqual({ records: 20, valid: 19, invalid: 1, errors: 1 });
    expect(result.errors).toEqual([{ line: 72, index: 7, path: '/price', keyword: 'type', message: 'must be number' }]);
    // line 72 is where element 7 starts
    expect(text.split('\n')[71]).toBe('  {');
    expect(text.split('\n')[76]).toContain('"price": "12.50"');
  });
});

describe('CSV rows', () => {
  test('records are those of papaparse\'s header: true with skipEmptyLines: greedy (duplicate headers, blank rows), empty cells left out', async () => {
    // (papaparse renames duplicate headers only when they are on the first line: so is this header)
    const text = 'id,name,id,id_1\n1,"Doe, Jane",2,3\n \t \n,,\n\n4,,5,6\n7,"say ""hi"" now",8,9\n';
    const expected = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' }).data
      .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')));
    expect(expected).toHaveLength(3);
    for (const size of [1, 4, text.length]) {
      const seen: unknown[] = [];
      const recording = { ...validators, csv: (record: unknown) => (seen.push(record), []) };
      const result = await validateData(chunked(text, size), options('csv', { validators: recording }));
      expect(seen).toEqual(expected);
      expect(result.counts).toMatchObject({ records: 3, invalid: 0 });
    }
  });

  test('a quoting error is reported on its own row, whatever the chunking (papaparse reads the open quote to the end)', async () => {
    for (const size of [1, 5, 1000]) {
      const result = await validateData(chunked('a,b\n1,2\n\n3,"x"y\n5,6\n', size), options('csv', { validators: undefined }));
      expect(result.counts).toMatchObject({ records: 2, invalid: 1 });
      expect(result.errors).toEqual([
        expect.objectContaining({ row: 2, keyword: 'parse', message: 'Trailing quote on quoted field is malformed' }),
        expect.objectContaining({ row: 2, keyword: 'parse', message: 'Quoted field unterminated' }),
      ]);
    }
  });

  test('blank lines before the header are skipped', async () => {
    const seen: unknown[] = [];
    const recording = { ...validators, csv: (record: unknown) => (seen.push(record), []) };
    await validateData(chunked('\n  \na,b\n1,2\n', 2), options('csv', { validators: recording }));
    expect(seen).toEqual([{ a: '1', b: '2' }]);
  });
});

describe('CSV typing', () => {
  test('cells are coerced to the schema types; an empty cell is an absent field', async () => {
    const text = 'id,customer,email,quantity,price,paid,status\n' +
      '1,Ann,a@example.com,2,3.5,true,new\n' + // coerced: integer, number, boolean
      '2,Bob,b@example.com,,3.5,false,\n' + // quantity empty: required → missing; status empty: optional, absent
      '3,Cy,c@example.com,2.5,3.5,true,lost\n'; // 2.5 is not an integer; "lost" not in the enum
    const result = await validateData(chunked(text), options('csv'));
    expect(result.counts).toEqual({ records: 3, valid: 1, invalid: 2, errors: 3 });
    expect(result.errors.map((e) => [e.row, e.path, e.keyword])).toEqual([
      [2, '/quantity', 'required'], [3, '/quantity', 'type'], [3, '/status', 'enum'],
    ]);
  });

  test('JSON and NDJSON types are strict: "2" is not an integer', async () => {
    const result = await validateData(chunked(ndjson(2, (o, i) => (i === 1 ? { ...o, quantity: '2' } : o))), options('ndjson'));
    expect(result.errors).toEqual([{ line: 2, path: '/quantity', keyword: 'type', message: 'must be integer' }]);
  });
});

describe('text is validated exactly as it was uploaded (finding: text changed by the parser)', () => {
  // A closed schema: the key "\ufeffid" is not "id", and a value with U+FEFF is not the value without it.
  const closed = schemaValidators(JSON.stringify({
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: { id: { type: 'string', pattern: '^[a-z]+$' }, note: { type: 'string', maxLength: 1 } },
  }));
  const bom = '\ufeff';

  test.each(['json', 'ndjson'] as const)('%s: a U+FEFF inside a string or a key is kept, wherever the chunks split it', async (format) => {
    const records = [{ id: 'ab' }, { id: `a${bom}b` }, { id: `${bom}ab` }, { [`${bom}id`]: 'ab' }, { id: 'ab', note: `${bom}x` }];
    const text = format === 'json' ? JSON.stringify(records) : records.map((r) => JSON.stringify(r)).join('\n');
    for (const size of [1, 2, 3, 7, 4096]) {
      const result = await validateData(chunked(`${bom}${text}`, size), options(format, { validators: closed }));
      expect({ size, counts: result.counts }).toEqual({ size, counts: { records: 5, valid: 1, invalid: 4, errors: expect.any(Number) } });
    }
  });

  test('required names that every object inherits (__proto__, constructor, toString) are met only by a record\'s own field', async () => {
    const inherited = schemaValidators(JSON.stringify({ type: 'object', required: ['__proto__', 'constructor', 'toString'] }));
    for (const format of ['json', 'ndjson'] as const) {
      const text = format === 'json' ? '[{}, {"__proto__": 1, "constructor": 2, "toString": 3}]' : '{}\n{"__proto__": 1, "constructor": 2, "toString": 3}';
      const result = await validateData(chunked(text), options(format, { validators: inherited }));
      expect({ format, counts: result.counts }).toEqual({ format, counts: { records: 2, valid: 1, invalid: 1, errors: 3 } });
    }
    const csvResult = await validateData(chunked('__proto__,constructor,toString,other\n1,2,3,a\n,,,b\n'), options('csv', { validators: inherited }));
    expect(csvResult.counts).toEqual({ records: 2, valid: 1, invalid: 1, errors: 3 });
  });
});

describe('hazards (case 9)', () => {
  test('.json nested 10,000 deep is invalid with a clear reason, no crash', async () => {
    const result = await validateData(chunked(`[${deep(10_000)}]`), options('json'));
    expect(result.valid).toBe(false);
    expect(result.fatal).toMatchObject({ keyword: 'depth', line: 1, index: 0, reason: expect.stringMatching(/nested deeper than 64 levels \(dataMaxJsonDepth\)/) });
  });

  test('a one-object .json nested 10,000 deep and an NDJSON line nested 10,000 deep are invalid', async () => {
    const object = await validateData(chunked(`{"a":${deep(10_000)}}`), options('json'));
    expect(object.fatal).toMatchObject({ keyword: 'depth', line: 1 });
    const lines = await validateData(chunked(ndjson(1) + `{"a":${deep(10_000)}}\n`), options('ndjson'));
    expect(lines.counts).toMatchObject({ records: 2, valid: 1, invalid: 1 });
    expect(lines.errors).toEqual([expect.objectContaining({ line: 2, keyword: 'depth' })]);
  });

  test('a schema that bounds the depth (checked after the schema) still reports a hostile line for its depth, even when ajv overflows on it', async () => {
    // uniqueItems over object items: ajv compares the items recursively, and overflows the stack on these.
    const bounded = schemaValidators(JSON.stringify({
      type: 'object',
      additionalProperties: false,
      properties: { list: { type: 'array', uniqueItems: true, items: { type: 'object', additionalProperties: false, properties: { a: { type: 'integer' } } } } },
    }));
    expect(bounded.maxDepth).toBe(3);
    const hostile = deep(100_000);
    expect(() => bounded.json(JSON.parse(`{"list":[${hostile},${hostile}]}`))).toThrow(RangeError);
    const text = `{"list":[{"a":1},{"a":2}]}\n{"list":[${hostile},${hostile}]}\n{"list":[{"a":1},{"a":1}]}\n`;
    const result = await validateData(chunked(text), options('ndjson', { validators: bounded, limits: { ...limits, maxRecordBytes: 1024 * 1024 } }));
    expect(result.counts).toEqual({ records: 3, valid: 1, invalid: 2, errors: 2 });
    expect(result.errors.map((e) => [e.line, e.keyword])).toEqual([[2, 'depth'], [3, 'uniqueItems']]);
  });

  test('invalid UTF-8: the NDJSON line is an error, the CSV and JSON files are invalid', async () => {
    const ndjsonResult = await validateData(chunked(Buffer.concat([Buffer.from(ndjson(2)), Buffer.from('"'), INVALID_UTF8, Buffer.from('"\n')]), 7), options('ndjson'));
    expect(ndjsonResult.counts).toMatchObject({ records: 3, valid: 2, invalid: 1 });
    expect(ndjsonResult.errors).toEqual([{ line: 3, path: '', keyword: 'utf8', message: 'the line is not valid UTF-8' }]);

    const csvResult = await validateData(chunked(Buffer.concat([Buffer.from(csv(3)), INVALID_UTF8, Buffer.from(',x\n')])), options('csv'));
    expect(csvResult.valid).toBe(false);
    expect(csvResult.fatal).toMatchObject({ keyword: 'utf8', reason: expect.stringMatching(/not valid UTF-8/) });

    const jsonResult = await validateData(chunked(Buffer.concat([Buffer.from('[{"a":"'), INVALID_UTF8, Buffer.from('"}]')])), options('json', { validators: undefined }));
    expect(jsonResult.fatal).toMatchObject({ keyword: 'utf8' });
  });

  test('ragged CSV rows are row errors; the other rows are still validated', async () => {
    const text = csv(5, (c, i) => (i === 1 ? c.slice(0, 3) : i === 3 ? [...c, 'extra'] : c));
    const result = await validateData(chunked(text), options('csv'));
    expect(result.counts).toEqual({ records: 5, valid: 3, invalid: 2, errors: 2 });
    expect(result.errors).toEqual([
      expect.objectContaining({ row: 2, keyword: 'fields', message: expect.stringMatching(/Too few fields: expected 8 fields but parsed 3/) }),
      expect.objectContaining({ row: 4, keyword: 'fields', message: expect.stringMatching(/Too many fields/) }),
    ]);
  });

  test.each(['json', 'ndjson', 'csv'] as const)('an empty %s file is invalid: "The file is empty"', async (format) => {
    const result = await validateData(Readable.from([]), options(format));
    expect(result).toMatchObject({ valid: false, fatal: { keyword: 'empty', reason: 'The file is empty' }, counts: { records: 0 } });
  });

  test('a file with no records (BOM and blank lines, a header only, []) is invalid: "no records"', async () => {
    for (const [format, text] of [['ndjson', '\uFEFF\n\n'], ['csv', 'id,email\n'], ['json', '[ ]']] as const) {
      const result = await validateData(chunked(text), options(format));
      expect(result.fatal).toEqual({ keyword: 'empty', reason: 'The file holds no records' });
    }
  });

  test('a BOM and CRLF line ends are accepted in every format', async () => {
    for (const [format, text] of [['ndjson', ndjson(3).replace(/\n/g, '\r\n')], ['csv', csv(3)], ['json', jsonArray(3).replace(/\n/g, '\r\n')]] as const) {
      const result = await validateData(chunked(`\uFEFF${text}`, 2), options(format));
      expect({ format, valid: result.valid, records: result.counts.records }).toEqual({ format, valid: true, records: 3 });
    }
  });

  test('an over-long NDJSON line is an error and reading goes on; an unterminated CSV quote stops reading', async () => {
    const small = { ...limits, maxRecordBytes: 1024 };
    const long = await validateData(chunked(ndjson(1) + JSON.stringify({ pad: 'x'.repeat(5000) }) + '\n' + ndjson(1), 256), options('ndjson', { limits: small }));
    expect(long.counts).toMatchObject({ records: 3, valid: 2, invalid: 1 });
    expect(long.errors[0]).toMatchObject({ line: 2, keyword: 'length', message: expect.stringMatching(/over the limit of 1024 \(dataMaxRecordSize\)/) });

    const quote = await validateData(chunked(csv(2) + '3,"never closed\n' + 'x,y\n'.repeat(2000), 256), options('csv', { limits: small }));
    expect(quote.fatal).toMatchObject({ keyword: 'length', row: 3, reason: expect.stringMatching(/is a quote left open/) });
  });

  test('a .json record larger than dataMaxRecordSize, a truncated document and a scalar document are invalid', async () => {
    const small = { ...limits, maxRecordBytes: 1024 };
    const big = await validateData(chunked(`[{"pad":"${'x'.repeat(5000)}"}]`, 100), options('json', { limits: small, validators: undefined }));
    expect(big.fatal).toMatchObject({ keyword: 'length', line: 1 });
    const truncated = await validateData(chunked(jsonArray(2).slice(0, -20)), options('json'));
    expect(truncated.fatal).toMatchObject({ keyword: 'parse', reason: expect.stringMatching(/before it is complete|ended in the middle of a token/) });
    const syntax = await validateData(chunked('[{"id": 1,}]'), options('json'));
    expect(syntax.fatal).toMatchObject({ keyword: 'parse', line: 1 });
    const scalar = await validateData(chunked('"hello"'), options('json'));
    expect(scalar.fatal).toMatchObject({ keyword: 'type', reason: expect.stringMatching(/array of records or one object/) });
  });
});

describe('reports and well-formedness', () => {
  test('the report lists the first dataMaxReportErrors errors and counts all of them', async () => {
    const result = await validateData(chunked(ndjson(50, (o) => ({ ...o, id: 'x' }))), options('ndjson', { limits: { ...limits, maxReportErrors: 5 } }));
    expect(result.counts).toEqual({ records: 50, valid: 0, invalid: 50, errors: 50 });
    expect(result.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5]);
    expect(result.errorsTruncated).toBe(true);
  });

  test('every error of a record is listed (allErrors)', async () => {
    const result = await validateData(chunked(ndjson(1, (o) => ({ ...o, id: 0, email: 'no', extra: true }))), options('ndjson'));
    expect(result.errors.map((e) => e.path).sort()).toEqual(['/email', '/extra', '/id']);
  });

  test('without a schema only well-formedness is checked', async () => {
    const text = '{"anything": true}\n[1, 2]\n"a string"\n{broken\n';
    const result = await validateData(chunked(text), options('ndjson', { validators: undefined }));
    expect(result.counts).toEqual({ records: 4, valid: 3, invalid: 1, errors: 1 });
    expect(result.errors[0]).toMatchObject({ line: 4, keyword: 'parse' });
    expect(result.schema).toBeUndefined();
    const csvResult = await validateData(chunked('a,b\nx,y\n1,2\n'), options('csv', { validators: undefined }));
    expect(csvResult).toMatchObject({ valid: true, counts: { records: 2 } });
  });
});

describe('memory (case 10, scaled to 200 MB)', () => {
  // Measured in a fresh process with a 64 MB heap, not in jest's (whose RSS depends on when its
  // GC runs): reading 200 MB whole could not even fit, and the process's peak RSS is its own.
  test('a 200 MB NDJSON stream is validated with a 64 MB heap, peak RSS far below the file size', () => {
    // GIVEN the validation core bundled as the function bundles it, and the order schema's validators
    const dir = mkdtempSync(join(tmpdir(), 'tap-memory-'));
    const child = join(dir, 'child.js');
    buildSync({
      entryPoints: [join(__dirname, '..', '..', 'support', 'memory-child.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: child,
      logLevel: 'silent',
    });
    const validatorsDir = schemaValidatorsDir();
    // WHEN
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', child, validatorsDir, '200'], { encoding: 'utf8', timeout: 280_000 });
    // THEN
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    process.stdout.write(`200 MB NDJSON: ${result.records} records, peak RSS ${result.peakRssMb.toFixed(0)} MB (64 MB heap)\n`);
    expect(result).toMatchObject({ valid: true });
    expect(result.bytesRead).toBeGreaterThanOrEqual(result.totalBytes);
    expect(result.records).toBeGreaterThan(1_500_000);
    expect(result.peakRssMb).toBeLessThan(200);
  }, 300_000);
});

describe('the time budget (finding: no time budget)', () => {
  const past = { deadline: Date.now() - 1, milliseconds: 1234 };

  test.each([
    ['ndjson', ndjson(100)],
    ['csv', csv(100)],
    ['json', jsonArray(100)],
  ] as const)('a %s file still being validated past its deadline is rejected, naming the budget and how far it got', async (format, text) => {
    const validation = validateData(chunked(text, 512), options(format, { budget: past }));
    await expect(validation).rejects.toMatchObject({
      name: 'RejectionError',
      message: expect.stringMatching(new RegExp(`^The ${format} file was not validated within its time budget of 1\\.2 s .*: stopped after 7 records and \\d+ bytes\\. Raise the data validator's timeout, or split the file$`)),
      details: { timeBudgetMs: 1234, recordsChecked: 7, bytesRead: expect.any(Number) },
    });
  });

  test('within its budget a file gets the result it gets without one', async () => {
    const budget = { deadline: Date.now() + 60_000, milliseconds: 60_000 };
    for (const [format, text] of [['ndjson', ndjson(50)], ['csv', csv(50)], ['json', jsonArray(50)]] as const) {
      expect(await validateData(chunked(text, 512), options(format, { budget }))).toEqual(await validateData(chunked(text, 512), options(format)));
    }
  });
});
