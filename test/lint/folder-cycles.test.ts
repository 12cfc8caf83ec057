import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { sourceFiles } from '../support/source-files';

// The source tree's folders import one way (docs/architecture.md): the top (tap-serverless.ts) imports
// the features and construct/; a feature imports construct/, runtime/ and contract/; construct/ imports
// contract/. No folder of src/ imports a folder that imports it back.

const SRC = join(__dirname, '..', '..', 'src');

/** The folder of src/ a file belongs to: its first folder, or "." for the files at the top. */
function folderOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0] : '.';
}

/** Every import between two folders of src/, as "from -> to: file -> imported". */
function folderImports(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import|require\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = normalize(join(dirname(file), match[1]));
      const [from, to] = [folderOf(file), folderOf(target)];
      if (from === to) continue;
      const key = `${from} -> ${to}`;
      edges.set(key, [...edges.get(key) ?? [], `${relative(SRC, file)} -> ${relative(SRC, target)}`]);
    }
  }
  return edges;
}

test('no folder of src/ imports a folder that imports it back', () => {
  const edges = folderImports();
  const back = [...edges.keys()].filter((key) => {
    const [from, to] = key.split(' -> ');
    return edges.has(`${to} -> ${from}`);
  });
  expect(back.map((key) => `${key}: ${edges.get(key)!.join(', ')}`)).toEqual([]);
});

test('construct/ imports no feature and nothing from the top', () => {
  const edges = folderImports();
  expect([...edges.keys()].filter((key) => key.startsWith('construct -> ') && !key.endsWith('-> contract'))).toEqual([]);
});

test('the check sees the imports between folders (the top imports each feature)', () => {
  const edges = folderImports();
  for (const feature of ['images', 'data', 'notifications', 'construct']) expect(edges.has(`. -> ${feature}`)).toBe(true);
});
