import { createHash } from 'crypto';
import Ajv, { _, Options } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import { DATA_FORMATS_MODULE, dataFormats } from './shared/data-formats';
import { MAX_SCHEMA_BYTES, SchemaMeta } from '../contract/data-limits';
import { DataSchema } from '../data-schema';

/** A data schema checked and precompiled at synth. */
export interface CompiledDataSchema {
  readonly meta: SchemaMeta;
  /** CommonJS module source of the ajv standalone validator for JSON and NDJSON records (strict types). */
  readonly jsonValidator: string;
  /** The same for CSV records, with `coerceTypes` (every CSV cell is a string). */
  readonly csvValidator: string;
}

function fail(value: string, problem: string, fix: string): never {
  throw new Error(`TapServerless: invalid dataSchema (${value}): ${problem}. ${fix}`);
}

type AjvClass = typeof Ajv | typeof Ajv2019 | typeof Ajv2020;

/** The ajv class and draft name for a schema's `$schema`. */
function draftOf(schema: Record<string, unknown>, origin: string): { AjvClass: AjvClass; draft: string } {
  const id = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '').replace(/^https:/, 'http:') : undefined;
  switch (id) {
    case undefined:
    case 'http://json-schema.org/draft-07/schema':
      return { AjvClass: Ajv, draft: 'draft-07' };
    case 'http://json-schema.org/draft-06/schema':
      return { AjvClass: Ajv, draft: 'draft-06' };
    case 'http://json-schema.org/draft/2019-09/schema':
      return { AjvClass: Ajv2019, draft: '2019-09' };
    case 'http://json-schema.org/draft/2020-12/schema':
      return { AjvClass: Ajv2020, draft: '2020-12' };
    default:
      return fail(origin, `its $schema ${JSON.stringify(schema.$schema)} is not a supported JSON Schema draft`,
        'Use draft-07 (or leave $schema out), draft-06, 2019-09 or 2020-12.');
  }
}

/**
 * Checks a data schema and precompiles it into two ajv standalone validator modules (JSON and
 * CSV). Any problem fails synth with an error naming `dataSchema`, its origin and the fix.
 *
 * ajv runs in strict mode for the schema itself (unknown keywords, e.g. a misspelt `properties`,
 * are errors) with every error of a record collected (`allErrors`).
 */
export function compileDataSchema(schema: DataSchema): CompiledDataSchema {
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
  const { AjvClass, draft } = draftOf(root, origin);

  const compile = (extra: Options): string => {
    const ajv = new AjvClass({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      ...extra,
      // The validator's formats come from the data validator's own bundle (src/data/shared/data-formats.ts).
      code: { source: true, formats: _`require(${DATA_FORMATS_MODULE}).dataFormats` },
    });
    addFormats(ajv);
    // ajv-formats' full formats, with faster date-time, date and time of the same strictness.
    for (const [name, format] of Object.entries(dataFormats)) ajv.addFormat(name, format as Parameters<typeof ajv.addFormat>[1]);
    try {
      return standaloneCode(ajv, ajv.compile(root));
    } catch (err) {
      return fail(origin, `it does not compile as a JSON Schema (${draft}): ${(err as Error).message}`,
        'Fix the schema; ajv strict mode also rejects unknown keywords and formats.');
    }
  };
  const id = typeof root.$id === 'string' ? root.$id : typeof root.title === 'string' ? root.title : undefined;
  return {
    meta: {
      sha256: createHash('sha256').update(schema.json, 'utf8').digest('hex'),
      ...(id !== undefined ? { id } : {}),
      draft,
      bytes,
    },
    jsonValidator: compile({}),
    csvValidator: compile({ coerceTypes: true }),
  };
}
