// Writes assets/asset-hashes.json: the content hash of every function's code asset (FUNCTION_ASSETS in
// src/construct/assets.ts), computed once when the library is built, so that the construct does not
// fingerprint the assets on every synth (src/construct/asset-hash.ts). Run by `npx projen bundle` after
// the bundles and the image processor's zips are built; test/construct/asset-hash.test.ts fails when the
// manifest is stale, and scripts/check-package-assets.sh checks the packed one.
// Usage: ts-node scripts/asset-hashes.ts            write assets/asset-hashes.json
//        ts-node scripts/asset-hashes.ts --check <assets dir>   exit 1 unless its manifest matches its assets
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASSET_HASHES_FILE, ASSET_HASHES_VERSION, AssetHash, AssetHashes, hashAsset } from '../src/construct/asset-hash';
import { ASSETS_DIR, FUNCTION_ASSETS } from '../src/construct/assets';

/** The manifest of the function assets under `root`, computed now. */
export function computeAssetHashes(root: string = ASSETS_DIR): AssetHashes {
  const assets: Record<string, AssetHash> = {};
  for (const key of Object.values(FUNCTION_ASSETS).sort()) assets[key] = hashAsset(join(root, ...key.split('/')));
  return { version: ASSET_HASHES_VERSION, assets };
}

/** The manifest's text as written. */
export function manifestText(manifest: AssetHashes): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

if (require.main === module) {
  const started = Date.now();
  if (process.argv[2] === '--check') {
    const root = process.argv[3] ?? ASSETS_DIR;
    const shipped = readFileSync(join(root, ASSET_HASHES_FILE), 'utf8');
    if (shipped !== manifestText(computeAssetHashes(root))) {
      console.error(`asset-hashes: ${join(root, ASSET_HASHES_FILE)} does not match the assets beside it (stale): rebuild with \`npx projen bundle\``);
      process.exit(1);
    }
    console.error(`asset-hashes: ${join(root, ASSET_HASHES_FILE)} matches its ${Object.keys(FUNCTION_ASSETS).length} assets`);
  } else {
    writeFileSync(join(ASSETS_DIR, ASSET_HASHES_FILE), manifestText(computeAssetHashes()));
    console.error(`asset-hashes: wrote assets/${ASSET_HASHES_FILE} (${Object.values(FUNCTION_ASSETS).join(', ')}) in ${Date.now() - started} ms`);
  }
}
