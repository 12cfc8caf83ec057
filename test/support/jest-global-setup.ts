import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto } from '../../emulator/moto';

/**
 * Jest global setup: a temporary directory for the run and one moto server for the whole run.
 * Workers inherit the environment: `TMPDIR` is the run's directory (each test file gets its own
 * folder inside it, see jest-environment.ts), and test files read moto's endpoint from
 * TAP_TEST_ENDPOINT and use their own bucket and table names. The teardown removes both.
 */
export default async function globalSetup(): Promise<void> {
  const state = globalThis as Record<string, unknown>;
  state.__TAP_PREVIOUS_TMPDIR__ = process.env.TMPDIR;
  const runTmp = mkdtempSync(join(tmpdir(), 'tap-jest-'));
  state.__TAP_RUN_TMPDIR__ = runTmp;
  process.env.TMPDIR = runTmp;
  const emulator = await startMoto();
  process.env.TAP_TEST_ENDPOINT = emulator.endpoint;
  state.__TAP_EMULATOR__ = emulator;
}
