import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// What each bundle is made of, read from the esbuild metafile `npx projen bundle` writes beside it
// (.tmp/bundle-meta/<name>.json): the X-Ray SDK and its context library stay out of every function and of
// the operations command (tracing is OpenTelemetry; the X-Ray SDKs end support on 2027-02-25).

const ROOT = join(__dirname, '..', '..');

/** Each bundle: its metafile, and the asset file it describes. */
const BUNDLES = {
  'notification-handler': 'assets/notifications/notification-handler.lambda/index.js',
  'notification-export': 'assets/notifications/notification-export.lambda/index.js',
  'data-validator': 'assets/data/data-validator.lambda/index.js',
  'image-processor': 'assets/images/image-processor.lambda/index.js',
  'cli': 'assets/cli/main/index.js',
};

/** The X-Ray SDK and the libraries it alone brings (cls-hooked and its helpers), and the tracer that wraps it. */
const FORBIDDEN = ['aws-xray-sdk-core', 'aws-xray-sdk', 'cls-hooked', 'async-hook-jl', 'emitter-listener', 'shimmer', '@aws-lambda-powertools/tracer'];

interface Metafile {
  readonly inputs: Record<string, { bytes: number }>;
  readonly outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

function metafile(name: string): Metafile {
  const file = join(ROOT, '.tmp', 'bundle-meta', `${name}.json`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx projen bundle\` (the test task does)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The npm packages an output is made of (the last node_modules segment of each input path). */
function packagesOf(meta: Metafile): Set<string> {
  const packages = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const input of Object.keys(output.inputs)) {
      const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (match) packages.add(match[1]);
    }
  }
  return packages;
}

describe.each(Object.entries(BUNDLES))('the %s bundle', (name, asset) => {
  test('its metafile describes the asset as built', () => {
    const meta = metafile(name);
    const outputs = Object.entries(meta.outputs);
    expect(outputs.map(([path]) => path)).toEqual([asset]);
    // The same size as the file on disk: not a metafile of an older build.
    expect(outputs[0][1].bytes).toBe(statSync(join(ROOT, asset)).size);
  });

  test('carries no X-Ray SDK, cls-hooked or their helpers', () => {
    const packages = packagesOf(metafile(name));
    expect(FORBIDDEN.filter((p) => packages.has(p))).toEqual([]);
    expect(packages.size).toBeGreaterThan(3); // the reading itself works: the AWS SDK is there
  });
});

test('the functions trace with OpenTelemetry; the operations command carries no tracing at all', () => {
  for (const name of ['notification-handler', 'notification-export', 'data-validator', 'image-processor']) {
    expect([...packagesOf(metafile(name))]).toEqual(expect.arrayContaining(['@opentelemetry/sdk-trace', '@opentelemetry/otlp-transformer']));
  }
  expect([...packagesOf(metafile('cli'))].filter((p) => p.startsWith('@opentelemetry/'))).toEqual([]);
});
