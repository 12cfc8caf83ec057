import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readPipeline } from '../examples/demo/cloud-assembly';

// The local end-to-end demo must fail loudly when a function breaks: it names the object.
const ROOT = path.resolve(__dirname, '..');
const tsNode = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, ['-r', 'ts-node/register', ...args], {
  cwd: ROOT,
  env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'test', 'tsconfig.json'), ...env },
  encoding: 'utf8',
  timeout: 240_000,
});

let assembly: string;

beforeAll(() => {
  assembly = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-demo-test-'));
  const synth = tsNode([path.join(ROOT, 'examples', 'app.ts')], {
    CDK_OUTDIR: assembly, CDK_CONTEXT_JSON: JSON.stringify({ imageArchitecture: process.arch === 'arm64' ? 'arm64' : 'x86_64' }),
  });
  expect(synth.status).toBe(0);
});

afterAll(() => {
  fs.rmSync(assembly, { recursive: true, force: true });
});

test('the cloud assembly reader finds the four functions, both routes and the API methods', () => {
  const spec = readPipeline(assembly, (id) => id);
  expect(spec.functions.size).toBe(4);
  expect(spec.routes.map((r) => r.prefix).sort()).toEqual(['data/', 'images/']);
  expect(spec.methods.map((m) => `${m.httpMethod} ${m.resourcePath}`).sort())
    .toEqual(['GET /notifications', 'GET /notifications/export', 'GET /notifications/{id}', 'GET /status', 'POST /notifications']);
  for (const fn of spec.functions.values()) {
    expect(fs.existsSync(path.join(fn.assetDir, 'index.js'))).toBe(true);
    expect(fn.environment.TAP_TABLE_NAME).toBe(spec.table.logicalId);
  }
});

test('a broken image function makes the demo exit non-zero, naming the object that failed', () => {
  // GIVEN the synthesized assembly with the image function's asset replaced by one that throws
  const spec = readPipeline(assembly, (id) => id);
  const imageFn = spec.routes.find((r) => r.prefix === 'images/')!.functionLogicalId;
  fs.writeFileSync(path.join(spec.functions.get(imageFn)!.assetDir, 'index.js'),
    "exports.handler = async () => { throw new Error('simulated outage'); };\n");
  // WHEN the demo runs on it
  const run = tsNode([path.join(ROOT, 'examples', 'demo', 'run.ts'), '--assembly', assembly]);
  // THEN
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/✗ images\/holiday photo\+1\.jpg: TapImageProcessor\w+ failed instead of recording image\./);
  expect(run.stdout).toContain('simulated outage');
  expect(run.stdout).toMatch(/✓ data\/orders\.ndjson/);
  expect(run.stdout).toMatch(/✗ images\/not-really\.jpg: TapImageProcessor\w+ failed instead of recording image\.rejected/);
  expect(run.stdout).toMatch(/Demo failed: \d+ step\(s\) did not produce the expected outcome/);
});

test('with the example\'s Python route: the reader finds its dispatcher\'s filter (an EventBridge wildcard too) and the function it invokes', () => {
  // GIVEN the example app synthesized as the demo does, with its route, in the EventBridge mode
  const routed = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-demo-route-test-'));
  try {
    const synth = tsNode([path.join(ROOT, 'examples', 'app.ts')], {
      CDK_OUTDIR: routed,
      CDK_CONTEXT_JSON: JSON.stringify({ imageArchitecture: process.arch === 'arm64' ? 'arm64' : 'x86_64', csvSummaryRoute: 'true', ingestion: 'eventBridge' }),
    });
    expect(synth.status).toBe(0);
    // WHEN it is read
    const spec = readPipeline(routed, (id, attribute) => (attribute ? `${id}.${attribute}` : id));
    // THEN the rule's wildcard is the route's prefix and suffix, and the Python function is the dispatcher's
    const route = spec.routes.find((r) => r.prefix === 'csv/')!;
    expect(route).toMatchObject({ suffix: '.csv', via: 'eventbridge', functionLogicalId: expect.stringMatching(/^TapRouteCsvSummary/) });
    expect([...spec.routeFunctions.values()].map((f) => [f.runtime, f.handler])).toEqual([['python3.13', 'handler.handler']]);
    const [pythonFn] = spec.routeFunctions.values();
    expect(fs.existsSync(path.join(pythonFn.assetDir, 'handler.py'))).toBe(true);
    expect(spec.functions.get(route.functionLogicalId)!.environment.TAP_ROUTE_FUNCTION).toBe(`${pythonFn.logicalId}.Arn`);
  } finally {
    fs.rmSync(routed, { recursive: true, force: true });
  }
});
