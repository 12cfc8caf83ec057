import { rmSync } from 'node:fs';
import type { Emulator } from '../../emulator/moto';

/** Jest global teardown: stops the moto server started by global-setup and removes the run's temporary directory. */
export default async function globalTeardown(): Promise<void> {
  const state = globalThis as Record<string, unknown>;
  const emulator = state.__TAP_EMULATOR__ as Emulator | undefined;
  await emulator?.stop();
  const runTmp = state.__TAP_RUN_TMPDIR__ as string | undefined;
  if (runTmp !== undefined) rmSync(runTmp, { recursive: true, force: true });
  const previous = state.__TAP_PREVIOUS_TMPDIR__ as string | undefined;
  if (previous === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previous;
}
