// Run by the export emulator test in a fresh Node.js process, as Lambda runs the function: installs
// the `awslambda` shim (test/support/streaming-shim.ts), loads the bundled export handler from its
// asset folder, invokes it once with the event given, and writes the streamed body to a file (the
// shim's sink honours the file's backpressure, so nothing piles up here). Prints the prelude, the
// body size, the backpressure counters and the process's peak RSS (VmHWM) as one JSON line.
import { createWriteStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createStreamingShim } from './streaming-shim';

async function main(): Promise<void> {
  const [assetDir, outFile, eventJson] = process.argv.slice(2);
  const out = createWriteStream(outFile);
  const shim = createStreamingShim({
    sink: (chunk) => new Promise<void>((resolve) => {
      if (out.write(chunk)) resolve();
      else out.once('drain', () => resolve());
    }),
  });
  const globals = globalThis as Record<string, unknown>;
  globals.awslambda = { ...(globals.awslambda as object | undefined), ...shim };
  // A runtime require of the asset (not bundled into this script): the function's real bundle.
  const load = eval('require') as NodeRequire;
  const { handler } = load(path.join(path.resolve(assetDir), 'index.js'));
  const deadline = Date.now() + 900_000;
  const started = Date.now();
  const res = await handler(JSON.parse(eventJson), {
    functionName: 'notification-export',
    awsRequestId: 'local-export',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const hwmKb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  process.stdout.write(JSON.stringify({
    prelude: res.prelude,
    bodyBytes: res.bodyBytes,
    drains: res.drains,
    maxBuffered: res.maxBuffered,
    ended: res.ended,
    seconds: (Date.now() - started) / 1000,
    peakRssMb: hwmKb / 1024,
  }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
