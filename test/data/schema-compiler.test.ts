import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeSchemaArtifacts } from '../../emulator/data-files';
import { DataSchema } from '../../src';
import { loadSchemaValidators } from '../../src/data/runtime/schema-validators';
import { cacheKey, compileDataSchema } from '../../src/data/schema-compiler';

// The data schema is compiled at synth (ajv standalone); the two validator modules are cached under a
// key of the schema text, the ajv versions and the compiler's code, so the next synth loads no ajv.

let cacheDir: string;
beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-schema-cache-'));
});
afterEach(() => {
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

const ORDER = DataSchema.fromJson('{"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}');

test('a compiled schema is written to the cache and read back by the next compile', () => {
  // GIVEN a first compile (a miss)
  const first = compileDataSchema(ORDER, { cacheDir });
  const file = path.join(cacheDir, `${cacheKey(ORDER.json)}.json`);
  expect(fs.readdirSync(cacheDir)).toEqual([path.basename(file)]);
  expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ key: cacheKey(ORDER.json), jsonValidator: first.jsonValidator, csvValidator: first.csvValidator });
  // WHEN the entry is marked and the same schema is compiled again
  const entry = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...entry, jsonValidator: `${entry.jsonValidator}\n// from the cache` }));
  const second = compileDataSchema(ORDER, { cacheDir });
  // THEN it came from the cache (the mark), with the same metadata and CSV validator
  expect(second.jsonValidator).toBe(`${first.jsonValidator}\n// from the cache`);
  expect(second.csvValidator).toBe(first.csvValidator);
  expect(second.meta).toEqual(first.meta);
});

test('the cached validators are the ones a compile without the cache makes', () => {
  compileDataSchema(ORDER, { cacheDir });
  expect(compileDataSchema(ORDER, { cacheDir })).toEqual(compileDataSchema(ORDER, { cacheDir: false }));
});

test('a different schema text (even one space) is a different entry', () => {
  expect(cacheKey(ORDER.json)).not.toBe(cacheKey(`${ORDER.json} `));
  compileDataSchema(ORDER, { cacheDir });
  compileDataSchema(DataSchema.fromJson(`${ORDER.json} `), { cacheDir });
  expect(fs.readdirSync(cacheDir)).toHaveLength(2);
});

test('an entry that is not for its key, or is damaged, is ignored and rewritten', () => {
  const file = path.join(cacheDir, `${cacheKey(ORDER.json)}.json`);
  const good = compileDataSchema(ORDER, { cacheDir: false });
  for (const damaged of ['{"key": "other", "jsonValidator": "x", "csvValidator": "y"}', '{"key": "', '']) {
    fs.writeFileSync(file, damaged);
    expect(compileDataSchema(ORDER, { cacheDir })).toEqual(good);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).key).toBe(cacheKey(ORDER.json));
  }
});

test('an entry someone else could have written (finding: schema-cache poisoning) is not used, but compiled again', () => {
  const file = path.join(cacheDir, `${cacheKey(ORDER.json)}.json`);
  const good = compileDataSchema(ORDER, { cacheDir: false });
  const planted = JSON.stringify({ key: cacheKey(ORDER.json), jsonValidator: 'module.exports = () => true', csvValidator: 'module.exports = () => true' });
  const attempts: Array<[string, () => void]> = [
    ['a file writable by others', () => fs.chmodSync(file, 0o666)],
    ['a file writable by its group', () => fs.chmodSync(file, 0o620)],
    ['a folder writable by others', () => fs.chmodSync(cacheDir, 0o777)],
    ['a file owned by another user', () => fs.chownSync(file, 65534, 65534)],
  ];
  for (const [name, make] of attempts) {
    fs.chmodSync(cacheDir, 0o700);
    fs.writeFileSync(file, planted, { mode: 0o600 });
    make();
    if (name.includes('another user') && process.getuid?.() !== 0) continue; // only root can give a file away
    expect({ name, compiled: compileDataSchema(ORDER, { cacheDir }) }).toEqual({ name, compiled: good });
  }
  fs.chmodSync(cacheDir, 0o700);
});

test('the cache folder and its entries are written for this user only', () => {
  compileDataSchema(ORDER, { cacheDir });
  const file = path.join(cacheDir, `${cacheKey(ORDER.json)}.json`);
  // eslint-disable-next-line no-bitwise
  expect(fs.statSync(file).mode & 0o077).toBe(0);
});

test('fails when the schema does not compile, on every synth: a failure is never cached', () => {
  const bad = DataSchema.fromJson('{"type": "object", "propertiez": {}}');
  for (let i = 0; i < 2; i++) {
    expect(() => compileDataSchema(bad, { cacheDir })).toThrow(/invalid dataSchema .*does not compile as a JSON Schema \(draft-07\): strict mode: unknown keyword: "propertiez"/);
  }
  expect(fs.readdirSync(cacheDir)).toEqual([]);
});

test('a cache folder that cannot be written costs a compile, never an error', () => {
  const notADir = path.join(cacheDir, 'file');
  fs.writeFileSync(notADir, '');
  expect(compileDataSchema(ORDER, { cacheDir: notADir })).toEqual(compileDataSchema(ORDER, { cacheDir: false }));
});

test('without a cache folder nothing is written', () => {
  compileDataSchema(ORDER, { cacheDir: false });
  expect(fs.readdirSync(cacheDir)).toEqual([]);
});

test.each([
  ['draft-06', 'http://json-schema.org/draft-06/schema#'],
  ['draft-07', 'http://json-schema.org/draft-07/schema#'],
  ['2019-09', 'https://json-schema.org/draft/2019-09/schema'],
  ['2020-12', 'https://json-schema.org/draft/2020-12/schema'],
])('a %s schema compiles into validators that check records, with its depth bound', (draft, id) => {
  const compiled = compileDataSchema(DataSchema.fromJson(JSON.stringify({
    $schema: id,
    type: 'object',
    required: ['price'],
    additionalProperties: false,
    properties: { price: { type: 'number', exclusiveMinimum: 0 }, tags: { type: 'array', items: { type: 'string' } } },
  })), { cacheDir: false });
  expect(compiled.meta.draft).toBe(draft);
  expect(compiled.bounds).toEqual({ maxDepth: 2 });
  const validators = loadSchemaValidators(writeSchemaArtifacts(compiled))!;
  expect(validators.maxDepth).toBe(2);
  expect(validators.json({ price: 1, tags: ['a'] })).toEqual([]);
  expect(validators.json({ price: 0 }).map((e) => e.keyword)).toEqual(['exclusiveMinimum']);
});
