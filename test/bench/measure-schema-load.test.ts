import { execFileSync } from 'child_process';
import * as path from 'path';

// docs/data-validation.md quotes bench/measure-schema-load.ts for the cost of loading the precompiled
// validators against compiling the schema at cold start. This keeps the command working as the
// source moves: it runs the script and checks what it reports (sizes, not times: times are the
// script's output for a person to read, not something a test on a shared machine can assert).

const ROOT = path.join(__dirname, '..', '..');
jest.setTimeout(120_000);

test('measure-schema-load bundles and loads each way of getting the compiled schema', () => {
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench', 'measure-schema-load.ts')], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
  });
  const report = JSON.parse(out);
  expect(report.schema).toBe('examples/schema/order.schema.json');
  for (const variant of ['standalone', 'compile', 'empty']) {
    expect(report[variant].medianMs).toBeGreaterThan(0);
  }
  // The precompiled validators carry no ajv: their bundle is a fraction of ajv + ajv-formats'.
  expect(report.standalone.bundleKB).toBeGreaterThan(0);
  expect(report.standalone.bundleKB * 3).toBeLessThan(report.compile.bundleKB);
});
