/**
 * The fault run at scale, outside jest: starts its own moto server, runs the scenario, prints the
 * figures (a table, then JSON) and exits 1 unless, after redrive and reprocess, reconcile reports
 * every object with a current outcome and the table holds exactly one outcome per object.
 *
 *   npx ts-node --project tsconfig.dev.json emulator/fault-run.main.ts --objects 1000 --fault-rate 0.08 --seed 7
 */
import { figuresTable, runFaultScenario } from './fault-run';
import { startMoto } from './moto';

/** `--name value` options of the command line. */
function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number, got ${args[at + 1]}`);
  return value;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const objects = option(args, 'objects', 1000);
  const faultRate = option(args, 'fault-rate', 0.08);
  const seed = option(args, 'seed', 7);
  // A storm of faults a few seconds into delivery, long enough to exhaust Lambda's retries.
  const stormAfterMs = option(args, 'storm-after-ms', 3000);
  const stormMs = option(args, 'storm-ms', 2000);
  const stormRate = option(args, 'storm-rate', 1);
  const moto = await startMoto();
  try {
    const started = Date.now();
    const figures = await runFaultScenario({
      objects,
      faultRate,
      seed,
      motoEndpoint: moto.endpoint,
      storm: stormMs > 0 ? { afterMs: stormAfterMs, durationMs: stormMs, rate: stormRate } : undefined,
      log: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`),
    });
    console.log(figuresTable(figures));
    console.log(JSON.stringify(figures, null, 2));
    const ok = figures.reconcileAfter.complete && figures.missing === 0 && figures.duplicatesFound === 0
      && figures.unexpectedOutcomes === 0 && figures.dlqLeft === 0 && figures.reprocessed.failed === 0;
    console.error(ok
      ? `OK: reconcile reports all ${figures.objects} objects with a current outcome; exactly one outcome each, none dead-lettered left`
      : 'FAILED: objects missing, duplicated, with the wrong outcome or left in the DLQ');
    return ok ? 0 : 1;
  } finally {
    await moto.stop();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(2);
});
