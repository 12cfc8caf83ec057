// Measures the two ways the data validator could get its compiled schema at cold start:
//   standalone: load the ajv standalone validators the construct precompiles at synth (the choice);
//   compile:    bundle ajv + ajv-formats and compile the schema (JSON + CSV variants) at module load.
// Each variant is bundled as the handler is (esbuild, minified, node24) and required in a fresh
// Node process; the figure is the median of 7 runs of the time spent in require().
// Usage: npx ts-node --project tsconfig.dev.json bench/measure-schema-load.ts [schema.json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { SCHEMA_ARTIFACTS } from '../src/contract/data-limits';
import { DataSchema } from '../src/data/data-schema';
import { compileDataSchema, schemaArtifacts } from '../src/data/schema-compiler';

const root = path.resolve(__dirname, '..');
const schemaFile = path.resolve(process.argv[2] ?? path.join(root, 'examples', 'schema', 'order.schema.json'));
const work = mkdtempSync(path.join(os.tmpdir(), 'schema-load-'));

// The precompiled validators, as the construct writes them.
const compiled = compileDataSchema(DataSchema.fromFile(schemaFile), { cacheDir: false });
const dir = path.join(work, SCHEMA_ARTIFACTS.DIR);
mkdirSync(dir);
for (const [name, content] of Object.entries(schemaArtifacts(compiled))) writeFileSync(path.join(dir, name), content);

const entries: Record<string, string> = {
  standalone: `import { loadSchemaValidators } from ${JSON.stringify(path.join(root, 'src/data/runtime/schema-validators'))};
    export const v = loadSchemaValidators(${JSON.stringify(work)});`,
  compile: `import Ajv from 'ajv'; import addFormats from 'ajv-formats'; import { readFileSync } from 'fs';
    const schema = JSON.parse(readFileSync(${JSON.stringify(schemaFile)}, 'utf8'));
    const make = (coerceTypes) => { const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, coerceTypes }); addFormats(ajv); return ajv.compile(schema); };
    export const v = [make(false), make(true)];`,
  empty: 'export const v = 1;',
};
const results: Record<string, { medianMs: number; bundleKB: number }> = {};
for (const [name, contents] of Object.entries(entries)) {
  const outfile = path.join(work, `${name}.js`);
  esbuild.buildSync({
    stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', target: 'node24',
    minify: true, mainFields: ['module', 'main'], outfile, tsconfig: path.join(root, 'tsconfig.dev.json'),
  });
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const out = execFileSync(process.execPath, ['-e',
      `const t = process.hrtime.bigint(); require(${JSON.stringify(outfile)}); console.log(Number(process.hrtime.bigint() - t) / 1e6);`]);
    times.push(Number(out.toString().trim()));
  }
  times.sort((a, b) => a - b);
  results[name] = { medianMs: Number(times[3].toFixed(1)), bundleKB: Math.round(statSync(outfile).size / 1024) };
}
console.log(JSON.stringify({ schema: path.relative(root, schemaFile), node: process.version, ...results }, null, 2));
rmSync(work, { recursive: true, force: true });
