import type { Emulator } from '../../emulator/moto';

/** Jest global teardown: stops the moto server started by global-setup. */
export default async function globalTeardown(): Promise<void> {
  const emulator = (globalThis as Record<string, unknown>).__TAP_EMULATOR__ as Emulator | undefined;
  await emulator?.stop();
}
