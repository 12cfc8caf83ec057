#!/usr/bin/env node
// Measures the two ways the data validator could get its compiled schema at cold start:
//   standalone: load the ajv standalone validators the construct precompiles at synth (the choice);
//   compile:    bundle ajv + ajv-formats and compile the schema (JSON + CSV variants) at module load.
// Each variant is bundled as the handler is (esbuild, minified, node24) and required in a fresh
// Node process; the figure is the median of 7 runs of the time spent in require().
// Usage: node scripts/measure-schema-load.js [schema.json]   (after `npx projen compile` is not needed)
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const schemaFile = path.resolve(process.argv[2] || path.join(root, 'test/fixtures/order.schema.json'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-load-'));

// The precompiled validators, as the construct writes them.
execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `
  const fs = require('fs'); const path = require('path');
  const { DataSchema } = require('./src/data-schema');
  const { compileDataSchema, schemaArtifacts } = require('./src/data/schema-compiler');
  const { SCHEMA_ARTIFACTS } = require('./src/contract/data-limits');
  const c = compileDataSchema(DataSchema.fromFile(${JSON.stringify(schemaFile)}), { cacheDir: false });
  const dir = path.join(${JSON.stringify(work)}, SCHEMA_ARTIFACTS.DIR); fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(schemaArtifacts(c))) fs.writeFileSync(path.join(dir, name), content);
`], { cwd: root, env: { ...process.env, TS_NODE_PROJECT: 'test/tsconfig.json' } });

const entries = {
  standalone: `import { loadSchemaValidators } from ${JSON.stringify(path.join(root, 'src/data/runtime/schema-validators'))};
    export const v = loadSchemaValidators(${JSON.stringify(work)});`,
  compile: `import Ajv from 'ajv'; import addFormats from 'ajv-formats'; import { readFileSync } from 'fs';
    const schema = JSON.parse(readFileSync(${JSON.stringify(schemaFile)}, 'utf8'));
    const make = (coerceTypes) => { const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, coerceTypes }); addFormats(ajv); return ajv.compile(schema); };
    export const v = [make(false), make(true)];`,
  empty: 'export const v = 1;',
};
const results = {};
for (const [name, contents] of Object.entries(entries)) {
  const outfile = path.join(work, `${name}.js`);
  esbuild.buildSync({
    stdin: { contents, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', target: 'node24',
    minify: true, mainFields: ['module', 'main'], outfile, tsconfig: path.join(root, 'test/tsconfig.json'),
  });
  const times = [];
  for (let i = 0; i < 7; i++) {
    const out = execFileSync(process.execPath, ['-e',
      `const t = process.hrtime.bigint(); require(${JSON.stringify(outfile)}); console.log(Number(process.hrtime.bigint() - t) / 1e6);`]);
    times.push(Number(out.toString().trim()));
  }
  times.sort((a, b) => a - b);
  results[name] = { medianMs: Number(times[3].toFixed(1)), bundleKB: Math.round(fs.statSync(outfile).size / 1024) };
}
console.log(JSON.stringify({ schema: path.relative(root, schemaFile), node: process.version, ...results }, null, 2));
fs.rmSync(work, { recursive: true, force: true });
