import { readFileSync } from 'fs';
import * as path from 'path';
import { bundledAssetDir } from '../emulator/bundled';
import { ROOT } from '../emulator/moto';

// The stand-ins esbuild puts in the function bundles in place of `assert` and `semver`
// (.projenrc.ts, FUNCTION_BUNDLING): what bundled code asks of them, and a loud failure for anything else.

/* eslint-disable @typescript-eslint/no-require-imports */
const assertShim = require(path.join(ROOT, 'scripts', 'bundle-shims', 'assert.js'));
const semverShim = require(path.join(ROOT, 'scripts', 'bundle-shims', 'semver.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

const FUNCTIONS = ['notification-handler', 'notification-export', 'data-validator', 'image-processor'] as const;

describe('assert stand-in', () => {
  test('ok passes truthy values and throws an ERR_ASSERTION AssertionError with the message otherwise', () => {
    expect(() => assertShim.ok(1, 'never')).not.toThrow();
    expect(() => assertShim.ok({}, 'never')).not.toThrow();
    for (const falsy of [0, '', null, undefined, false]) {
      expect(() => assertShim.ok(falsy, 'context must be provided for entering'))
        .toThrow(expect.objectContaining({ name: 'AssertionError', code: 'ERR_ASSERTION', message: 'context must be provided for entering' }));
    }
    expect(() => assertShim.ok(false)).toThrow('The expression evaluated to a falsy value');
  });

  test('any other member fails loudly, naming the stand-in', () => {
    expect(() => assertShim.deepStrictEqual).toThrow('assert.deepStrictEqual is not available in this bundle (scripts/bundle-shims/assert.js)');
  });
});

describe('semver stand-in', () => {
  test('gte compares versions as cls-hooked asks', () => {
    expect(semverShim.gte('v24.11.1', '8.0.0')).toBe(true);
    expect(semverShim.gte('8.0.0', '8.0.0')).toBe(true);
    expect(semverShim.gte('7.10.1', '8.0.0')).toBe(false);
    expect(semverShim.gte('8.1.0', '8.0.9')).toBe(true);
  });

  test('any other member fails loudly, naming the stand-in', () => {
    expect(() => semverShim.satisfies).toThrow('semver.satisfies is not available in this bundle (scripts/bundle-shims/semver.js)');
  });
});

test.each(FUNCTIONS)('the %s bundle loads neither node:assert nor the whole of semver', (name) => {
  const code = readFileSync(path.join(bundledAssetDir(name), 'index.js'), 'utf8');
  expect(code).not.toMatch(/require\("(node:)?assert"\)/);
  expect(code).toContain('is not available in this bundle (scripts/bundle-shims/assert.js)');
  expect(code).toContain('is not available in this bundle (scripts/bundle-shims/semver.js)');
});
