import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CodeKeywordDefinition, Options } from 'ajv';
import { DataSchema } from './data-schema';
import { schemaDepthBound } from './schema-depth';
import { MAX_SCHEMA_BYTES, SCHEMA_ARTIFACTS, SchemaBounds, SchemaMeta } from '../contract/data-limits';

/** A data schema checked and precompiled at synth. */
export interface CompiledDataSchema {
  readonly meta: SchemaMeta;
  /** CommonJS module source of the ajv standalone validator for JSON and NDJSON records (strict types). */
  readonly jsonValidator: string;
  /** The same for CSV records, with `coerceTypes` (every CSV cell is a string). */
  readonly csvValidator: string;
  /** What the schema itself limits in the records it accepts. */
  readonly bounds: SchemaBounds;
}

/** The files of a compiled schema, by name, as the construct writes them into `schema/` beside the data validator's code. */
export function schemaArtifacts(compiled: CompiledDataSchema): Record<string, string> {
  return {
    [SCHEMA_ARTIFACTS.JSON_VALIDATOR]: compiled.jsonValidator,
    [SCHEMA_ARTIFACTS.CSV_VALIDATOR]: compiled.csvValidator,
    [SCHEMA_ARTIFACTS.META]: JSON.stringify(compiled.meta, null, 2),
    [SCHEMA_ARTIFACTS.BOUNDS]: JSON.stringify(compiled.bounds),
    // RE2 for the schema's patterns, only when it has one (./shared/linear-keywords).
    ...(usesPatterns(compiled) ? { [SCHEMA_ARTIFACTS.RE2]: fs.readFileSync(require.resolve('re2js'), 'utf8') } : {}),
  };
}

/** Whether the compiled validators run a pattern (`pattern`, `patternProperties`, `propertyNames`). */
function usesPatterns(compiled: CompiledDataSchema): boolean {
  return [compiled.jsonValidator, compiled.csvValidator].some((code) => code.includes(LINEAR_REGEXP_CODE));
}

function fail(value: string, problem: string, fix: string): never {
  throw new Error(`TapServerless: invalid dataSchema (${value}): ${problem}. ${fix}`);
}

type Draft = 'draft-07' | 'draft-06' | '2019-09' | '2020-12';

/** The draft name for a schema's `$schema`. */
function draftOf(schema: Record<string, unknown>, origin: string): Draft {
  const id = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '').replace(/^https:/, 'http:') : undefined;
  switch (id) {
    case undefined:
    case 'http://json-schema.org/draft-07/schema':
      return 'draft-07';
    case 'http://json-schema.org/draft-06/schema':
      return 'draft-06';
    case 'http://json-schema.org/draft/2019-09/schema':
      return '2019-09';
    case 'http://json-schema.org/draft/2020-12/schema':
      return '2020-12';
    default:
      return fail(origin, `its $schema ${JSON.stringify(schema.$schema)} is not a supported JSON Schema draft`,
        'Use draft-07 (or leave $schema out), draft-06, 2019-09 or 2020-12.');
  }
}

/** Where compiled schemas are kept between synths: the user's CDK cache folder (the CDK keeps its fingerprints there). */
export const DEFAULT_SCHEMA_CACHE_DIR = path.join(os.homedir(), '.cdk', 'cache', 'cdk-tap-serverless', 'schemas');

/** Compiled schemas kept in the cache folder (the oldest are removed beyond this). */
const MAX_CACHED_SCHEMAS = 50;

/** How `compileDataSchema` caches. */
export interface SchemaCompileOptions {
  /** The cache folder; `false`: no cache. @default DEFAULT_SCHEMA_CACHE_DIR */
  readonly cacheDir?: string | false;
}

/**
 * Checks a data schema and precompiles it into two ajv standalone validator modules (JSON and
 * CSV). Any problem fails synth with an error naming `dataSchema`, its origin and the fix.
 *
 * ajv runs in strict mode for the schema itself (unknown keywords, e.g. a misspelt `properties`,
 * are errors) with every error of a record collected (`allErrors`).
 *
 * Compiling loads ajv and generates code (≈ 100 ms per synth). The two validator modules are kept
 * in a cache folder under a key made of the schema's text, the ajv and ajv-formats versions and this
 * module's own code, so that the next synth of the same schema reads them back without loading ajv.
 * A cache that cannot be read or written is ignored (the schema is compiled), never an error;
 * a schema that fails to compile is never cached, so its error is raised on every synth.
 */
export function compileDataSchema(schema: DataSchema, options: SchemaCompileOptions = {}): CompiledDataSchema {
  const origin = schema.origin;
  const bytes = Buffer.byteLength(schema.json, 'utf8');
  if (bytes > MAX_SCHEMA_BYTES) {
    fail(`${origin}, ${bytes} bytes`, `a data schema may be at most ${MAX_SCHEMA_BYTES} bytes (256 KB)`,
      'Split out unused definitions or shorten the schema.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema.json);
  } catch (err) {
    fail(origin, `it is not valid JSON: ${(err as Error).message}`, 'Fix the JSON syntax of the schema.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail(origin, `a JSON Schema is a JSON object, not ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`,
      'Pass a schema object such as {"type": "object", "required": ["id"]}.');
  }
  const root = parsed as Record<string, unknown>;
  if (root.$async === true) {
    fail(origin, 'asynchronous schemas ($async) are not supported', 'Remove "$async": true.');
  }
  const draft = draftOf(root, origin);
  const id = typeof root.$id === 'string' ? root.$id : typeof root.title === 'string' ? root.title : undefined;
  const meta: SchemaMeta = {
    sha256: createHash('sha256').update(schema.json, 'utf8').digest('hex'),
    ...(id !== undefined ? { id } : {}),
    draft,
    bytes,
  };
  const maxDepth = schemaDepthBound(root, draft);
  const bounds: SchemaBounds = maxDepth !== undefined ? { maxDepth } : {};

  const cacheDir = options.cacheDir === undefined ? DEFAULT_SCHEMA_CACHE_DIR : options.cacheDir;
  const key = cacheDir === false ? undefined : cacheKey(schema.json);
  const cached = key === undefined ? undefined : readCached(cacheDir as string, key);
  if (cached) return { meta, bounds, ...cached };

  const compiled = compileWithAjv(root, draft, origin);
  if (key !== undefined) writeCached(cacheDir as string, key, compiled);
  return { meta, bounds, ...compiled };
}

/** The name, and the code, by which a standalone validator calls RE2. */
const LINEAR_REGEXP = 'linearRegExp';
const LINEAR_REGEXP_CODE = `.${LINEAR_REGEXP}`;

type Validators = Pick<CompiledDataSchema, 'jsonValidator' | 'csvValidator'>;

/** Both validator modules, from ajv (loaded here, on a cache miss only). */
function compileWithAjv(root: Record<string, unknown>, draft: Draft, origin: string): Validators {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const ajvModule: typeof import('ajv') = require('ajv');
  const AjvClass = draft === '2019-09' ? (require('ajv/dist/2019') as typeof import('ajv/dist/2019')).default
    : draft === '2020-12' ? (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default
      : ajvModule.default;
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const { DATA_FORMATS_MODULE, dataFormats } = require('./shared/data-formats') as typeof import('./shared/data-formats');
  const keywords = require('./shared/linear-keywords') as typeof import('./shared/linear-keywords');
  keywords.useRe2(() => require('re2js'));
  const { useFunc } = require('ajv/dist/compile/util') as typeof import('ajv/dist/compile/util');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Functions of the data validator's bundle, named for the standalone code by how it `require`s them.
  const fromKeywordsModule = <F extends object>(f: F, name: string): F & { code: string } =>
    Object.assign(f, { code: `require(${JSON.stringify(keywords.DATA_KEYWORDS_MODULE)}).${name}` });
  const regExp = fromKeywordsModule((pattern: string, u: string) => keywords.linearRegExp(pattern, u), LINEAR_REGEXP);
  const duplicateItems = fromKeywordsModule((items: unknown[]) => keywords.duplicateItems(items), 'duplicateItems');
  /** `uniqueItems` as ajv's own (same errors and params), in one pass (./shared/linear-keywords). */
  const uniqueItems: CodeKeywordDefinition = {
    keyword: 'uniqueItems',
    type: 'array',
    schemaType: 'boolean',
    error: {
      message: ({ params: { i, j } }) => ajvModule.str`must NOT have duplicate items (items ## ${j} and ${i} are identical)`,
      params: ({ params: { i, j } }) => ajvModule._`{i: ${i}, j: ${j}}`,
    },
    code(cxt) {
      if (cxt.schema !== true) return;
      const pair = cxt.gen.const('pair', ajvModule._`${useFunc(cxt.gen, duplicateItems)}(${cxt.data})`);
      cxt.setParams({ i: ajvModule._`${pair}[1]`, j: ajvModule._`${pair}[0]` });
      cxt.fail(ajvModule._`${pair} !== undefined`);
    },
  };
  const compile = (extra: Options): string => {
    const ajv = new AjvClass({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      // `required: ["constructor"]` (or `toString`, `__proto__`) must not be met by what every
      // object inherits: only a record's own fields count, for `required` and `properties` alike.
      ownProperties: true,
      ...extra,
      // The validator's formats come from the data validator's own bundle (src/data/shared/data-formats.ts).
      code: { source: true, formats: ajvModule._`require(${DATA_FORMATS_MODULE}).dataFormats`, regExp },
    });
    ajv.removeKeyword('uniqueItems');
    ajv.addKeyword(uniqueItems);
    // ajv knows draft-07 itself; draft-06 schemas name their meta-schema, which it must be given.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (draft === 'draft-06') ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
    addFormats(ajv);
    // ajv-formats' full formats, with faster date-time, date and time of the same strictness.
    for (const [name, format] of Object.entries(dataFormats)) ajv.addFormat(name, format as Parameters<typeof ajv.addFormat>[1]);
    let validate: ReturnType<typeof ajv.compile>;
    try {
      validate = ajv.compile(root);
    } catch (err) {
      return fail(origin, `it does not compile as a JSON Schema (${draft}): ${(err as Error).message}`,
        'Fix the schema; ajv strict mode also rejects unknown keywords and formats, and patterns run on RE2 (no lookaround or back-references).');
    }
    checkRunnable(validate, origin);
    return standaloneCode(ajv, validate);
  };
  return { jsonValidator: compile({}), csvValidator: compile({ coerceTypes: true }) };
}

/**
 * Values every schema is tried on once at synth. A schema that refers to itself without consuming
 * any input (`{"$ref": "#"}`, or a definition whose `allOf` names itself) overflows the stack on
 * every record; it would turn every upload into a rejection, so it fails the synth instead.
 */
const PROBES: readonly unknown[] = [null, true, 0, '', [], {}, [{}], { a: {} }];

function checkRunnable(validate: (data: unknown) => boolean, origin: string): void {
  for (const probe of PROBES) {
    try {
      validate(probe);
    } catch (err) {
      const overflow = err instanceof RangeError;
      fail(origin, overflow
        ? `validating ${JSON.stringify(probe)} overflows the stack (${(err as Error).message}): the schema refers to itself without consuming any input, so it would do the same on every record`
        : `validating ${JSON.stringify(probe)} throws (${(err as Error).message})`,
      overflow ? 'Make each self-reference go one level into the data (e.g. under "properties" or "items").' : 'Fix the schema.');
    }
  }
}

let compilerIdentity: string | undefined;

/** What, besides the schema, decides the compiled code: the ajv and ajv-formats versions and this module's code. */
function compilerId(): string {
  if (compilerIdentity === undefined) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const versions = [require('ajv/package.json').version, require('ajv-formats/package.json').version];
    /* eslint-enable @typescript-eslint/no-require-imports */
    compilerIdentity = createHash('sha256').update(JSON.stringify(versions)).update(fs.readFileSync(__filename)).digest('hex');
  }
  return compilerIdentity;
}

/** The cache key of a schema's compiled validators. */
export function cacheKey(schemaJson: string): string {
  return createHash('sha256').update(`tap-schema-v1\0${compilerId()}\0`).update(schemaJson, 'utf8').digest('hex');
}

interface CacheEntry extends Validators {
  readonly key: string;
}

/**
 * Whether a cache file (or folder) could only have been written by this user: owned by them and not
 * writable by group or others, as OpenSSH requires of its keys. The cached code is copied into the
 * data validator's asset and runs there: an entry someone else could have planted is not used.
 * (Where there are no POSIX owners, on Windows, only the entry's key is checked.)
 */
function writableOnlyByMe(stat: fs.Stats): boolean {
  if (typeof process.getuid !== 'function') return true;
  // eslint-disable-next-line no-bitwise
  return stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
}

function readCached(dir: string, key: string): Validators | undefined {
  try {
    const file = path.join(dir, `${key}.json`);
    if (!writableOnlyByMe(fs.statSync(dir)) || !writableOnlyByMe(fs.statSync(file))) return undefined;
    const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheEntry;
    if (entry.key === key && typeof entry.jsonValidator === 'string' && typeof entry.csvValidator === 'string'
      && entry.jsonValidator.length > 0 && entry.csvValidator.length > 0) {
      return { jsonValidator: entry.jsonValidator, csvValidator: entry.csvValidator };
    }
  } catch {
    // Absent or unreadable: compile.
  }
  return undefined;
}

function writeCached(dir: string, key: string, validators: Validators): void {
  const file = path.join(dir, `${key}.json`);
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const entry: CacheEntry = { key, ...validators };
    fs.writeFileSync(temp, JSON.stringify(entry), { mode: 0o600 });
    fs.renameSync(temp, file); // atomic: a concurrent synth reads the old file or the new one, never half of one
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (files.length > MAX_CACHED_SCHEMAS) {
      const byAge = files.map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs })).sort((a, b) => a.mtime - b.mtime);
      for (const { f } of byAge.slice(0, files.length - MAX_CACHED_SCHEMAS)) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // A cache that cannot be written (read-only home, full disk) only costs the next synth a compile.
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}
