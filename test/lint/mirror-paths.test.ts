import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { sourceFiles } from '../support/source-files';

// The test kit's rule (test/README.md): every source file has a test at its mirror path
// (src/<path>.ts → test/<path>.test.ts), or a row in test/README.md saying why not and where it is tested.

const ROOT = join(__dirname, '..', '..');

const SOURCES = sourceFiles(join(ROOT, 'src')).map((path) => relative(ROOT, path));
const mirrored = (source: string) => existsSync(join(ROOT, 'test', `${source.slice('src/'.length, -'.ts'.length)}.test.ts`));
const README = readFileSync(join(ROOT, 'test', 'README.md'), 'utf8');
/** The sources test/README.md lists, each with its reason and where it is tested. */
const LISTED = new Map([...README.matchAll(/^\| `(src\/[^`]+\.ts)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));

test('every source file has a test at its mirror path or a row in test/README.md', () => {
  expect(SOURCES.filter((s) => !mirrored(s) && !LISTED.has(s))).toEqual([]);
});

test('test/README.md lists no source that has a mirror test or no longer exists, and each row names a test that exists', () => {
  expect([...LISTED.keys()].filter((s) => !SOURCES.includes(s) || mirrored(s))).toEqual([]);
  for (const [source, why] of LISTED) {
    for (const [, test] of why.matchAll(/`(test\/[^`]+\.test\.ts)`/g)) {
      expect([source, test, existsSync(join(ROOT, test))]).toEqual([source, test, true]);
    }
  }
});

test('at least half of the source files have a test at their mirror path', () => {
  expect(SOURCES.filter(mirrored).length / SOURCES.length).toBeGreaterThanOrEqual(0.45);
});
