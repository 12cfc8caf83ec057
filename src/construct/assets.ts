import * as fs from 'fs';
import * as path from 'path';

/** Where the library's bundles are: `assets/` beside `lib/` (built by `npx projen bundle`, shipped in the package). */
const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

/**
 * The folder of a bundled function, `assets/<feature>/<name>.lambda[-<variant>]`, failing clearly
 * when it was not built.
 */
export function bundledFunctionDir(feature: string, name: string, variant?: string): string {
  const dir = path.join(ASSETS_DIR, feature, `${name}.lambda${variant ? `-${variant}` : ''}`);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(`TapServerless: the bundled code of the ${name} function is missing from ${dir}; ` +
      'run `npx projen bundle` (a published package always contains it).');
  }
  return dir;
}
