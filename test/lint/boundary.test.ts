import * as path from 'path';
// ESLint 9 runs the project's .eslintrc.json (written by projen) through its legacy class.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { LegacyESLint } = require('eslint/use-at-your-own-risk');

// The synth-time / Lambda-only boundary (docs/architecture.md) is kept by lint rules: these tests feed
// them the imports they exist to stop, in real files of each side, and check that each one is reported.

const ROOT = path.join(__dirname, '..', '..');
const eslint = new LegacyESLint({ cwd: ROOT, useEslintrc: true });
// The first lint loads the TypeScript project (tens of seconds on a loaded machine).
jest.setTimeout(180_000);

/** The rule ids reported for `code` placed in `file`. */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.map((m: { ruleId: string | null; message: string }) => `${m.ruleId}: ${m.message}`);
}

const restricted = (messages: string[], rule: string) => messages.filter((m) => m.startsWith(`${rule}:`));

describe('construct-side code', () => {
  test('fails when it imports Lambda-only code', async () => {
    const messages = await violations('src/construct/storage.ts', "import { isThrottling } from '../runtime/errors';\nexport const X = isThrottling;\n");
    expect(restricted(messages, 'import/no-restricted-paths')).toEqual([expect.stringMatching(/must not import Lambda-only code/)]);
  });

  test('fails when it imports a handler', async () => {
    const messages = await violations('src/images/image-processor.ts', "import { handler } from './image-processor.lambda';\nexport const X = handler;\n");
    expect(restricted(messages, 'import/no-restricted-paths')).toHaveLength(1);
  });

  test('fails when it imports a handler library', async () => {
    const messages = await violations('src/tap-serverless.ts', "import { S3Client } from '@aws-sdk/client-s3';\nexport const X = S3Client;\n");
    expect(restricted(messages, '@typescript-eslint/no-restricted-imports')).toEqual([expect.stringMatching(/cannot use them at synth/)]);
  });

  test('may import aws-cdk-lib and the contract', async () => {
    const messages = await violations('src/construct/storage.ts',
      "import * as lambda from 'aws-cdk-lib/aws-lambda';\nimport { ENV } from '../contract/env-names';\nexport const X = [lambda, ENV];\n");
    expect(restricted(messages, 'import/no-restricted-paths')).toEqual([]);
    expect(restricted(messages, '@typescript-eslint/no-restricted-imports')).toEqual([]);
  });
});

describe('Lambda-only code', () => {
  test('fails when it imports aws-cdk-lib or construct-side code', async () => {
    const messages = await violations('src/runtime/errors.ts',
      "import { Duration } from 'aws-cdk-lib';\nimport { DEFAULTS } from '../construct/defaults';\nexport const X = [Duration, DEFAULTS];\n");
    expect(restricted(messages, '@typescript-eslint/no-restricted-imports')).toEqual([expect.stringMatching(/must not import aws-cdk-lib/)]);
    expect(restricted(messages, 'import/no-restricted-paths')).toEqual([expect.stringMatching(/must not import construct-side code/)]);
  });

  test('a handler may import its runtime, the shared runtime, the contract and handler libraries', async () => {
    const messages = await violations('src/images/image-processor.lambda.ts', [
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import { parseImageSettings } from './runtime/settings';",
      "import { ENV } from '../contract/env-names';",
      "import { requireEnv } from '../runtime/env';",
      'export const X = [S3Client, parseImageSettings, ENV, requireEnv];', '',
    ].join('\n'));
    expect(messages.filter((m) => /no-restricted|no-extraneous/.test(m))).toEqual([]);
  });
});

describe('the contract', () => {
  test('fails when it imports anything outside itself', async () => {
    const messages = await violations('src/contract/metric-names.ts',
      "import { requireEnv } from '../runtime/env';\nimport { Duration } from 'aws-cdk-lib';\nexport const X = [requireEnv, Duration];\n");
    expect(restricted(messages, 'import/no-restricted-paths')).toHaveLength(1);
    expect(restricted(messages, '@typescript-eslint/no-restricted-imports')).toEqual([expect.stringMatching(/imports no package/)]);
  });
});
