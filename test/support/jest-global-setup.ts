import { startMoto } from '../../emulator/moto';

/**
 * Jest global setup: one moto server for the whole run. Test files read its endpoint from
 * TAP_TEST_ENDPOINT (workers inherit the environment) and use their own bucket and table names.
 */
export default async function globalSetup(): Promise<void> {
  const emulator = await startMoto();
  process.env.TAP_TEST_ENDPOINT = emulator.endpoint;
  (globalThis as Record<string, unknown>).__TAP_EMULATOR__ = emulator;
}
