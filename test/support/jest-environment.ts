import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import { TestEnvironment } from 'jest-environment-node';

/**
 * Jest's Node environment, with a temporary directory of the test file's own: `TMPDIR` points
 * at it while the file runs (in the worker, so `os.tmpdir()` and the CDK's `cdk.out` folders
 * land there, and in the file's `process.env`, which child processes copy), and it is deleted
 * when the file ends. Each app a test synthesizes stages its Lambda assets (the image
 * processor's is 9 MB) into a new folder under the temporary directory and never removes it:
 * without this, one run of the suite left 1.3 GB behind.
 */
export default class TestEnvironmentWithTmpdir extends TestEnvironment {
  private readonly tmp: string;
  private readonly previousTmpdir: string | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.previousTmpdir = process.env.TMPDIR;
    this.tmp = mkdtempSync(join(tmpdir(), 'file-'));
    process.env.TMPDIR = this.tmp;
    this.global.process.env.TMPDIR = this.tmp;
  }

  async teardown(): Promise<void> {
    if (this.previousTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.previousTmpdir;
    rmSync(this.tmp, { recursive: true, force: true });
    await super.teardown();
  }
}
