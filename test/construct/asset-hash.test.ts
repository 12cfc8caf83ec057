import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { computeAssetHashes, manifestText } from '../../scripts/asset-hashes';
import * as assetHash from '../../src/construct/asset-hash';
import { ASSET_HASHES_FILE, clearAssetHashCache, hashAsset, manifestAssetHash } from '../../src/construct/asset-hash';
import { ASSETS_DIR, FUNCTION_ASSETS } from '../../src/construct/assets';
import { synth } from '../support/templates';

// The functions' code assets are hashed when the library is built (assets/asset-hashes.json) and the
// construct passes those hashes to the CDK as custom asset hashes: the hash must change whenever the
// asset does, and the shipped manifest must be the one of the shipped assets.

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-asset-hash-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  clearAssetHashCache();
});

/** GIVEN an asset folder like a bundled function's: index.js and a nested node_modules. */
function makeFolder(root: string = path.join(tmp, 'fn.lambda')): string {
  fs.mkdirSync(path.join(root, 'node_modules', 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.js'), 'exports.handler = async () => 1;\n');
  fs.writeFileSync(path.join(root, 'node_modules', 'lib', 'a.js'), 'module.exports = "a";\n');
  fs.writeFileSync(path.join(root, 'node_modules', 'lib', 'b.so'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
  return root;
}

describe('hashAsset (a folder)', () => {
  test('is the same for the same content, wherever the folder is', () => {
    expect(hashAsset(makeFolder(path.join(tmp, 'one'))).sha256).toBe(hashAsset(makeFolder(path.join(tmp, 'two'))).sha256);
    expect(hashAsset(path.join(tmp, 'one'))).toMatchObject({ files: 3, bytes: 33 + 22 + 8 });
  });

  test.each([
    ['one byte of a file changes', (dir: string) => {
      const file = path.join(dir, 'node_modules', 'lib', 'b.so');
      const bytes = fs.readFileSync(file);
      bytes[7] = bytes[7] + 1;
      fs.writeFileSync(file, bytes);
    }],
    ['a file is added', (dir: string) => fs.writeFileSync(path.join(dir, 'node_modules', 'lib', 'c.js'), '')],
    ['a file is removed', (dir: string) => fs.rmSync(path.join(dir, 'node_modules', 'lib', 'a.js'))],
    ['a file is renamed', (dir: string) => fs.renameSync(path.join(dir, 'node_modules', 'lib', 'a.js'), path.join(dir, 'node_modules', 'lib', 'z.js'))],
    ['a file moves to another folder', (dir: string) => fs.renameSync(path.join(dir, 'node_modules', 'lib', 'a.js'), path.join(dir, 'node_modules', 'a.js'))],
    ['an empty folder is added', (dir: string) => fs.mkdirSync(path.join(dir, 'empty'))],
    ['a file becomes executable', (dir: string) => fs.chmodSync(path.join(dir, 'index.js'), 0o755)],
    ['content moves between two files', (dir: string) => {
      // "ab" + "" vs "a" + "b": the same bytes in total, a different folder
      fs.writeFileSync(path.join(dir, 'node_modules', 'lib', 'a.js'), 'module.exports = "a";\nx');
      fs.writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => 1;\n'.slice(1));
    }],
  ])('changes when %s', (_what, change) => {
    const dir = makeFolder();
    const before = hashAsset(dir).sha256;
    change(dir);
    expect(hashAsset(dir).sha256).not.toBe(before);
  });
});

describe('hashAsset (a zip file)', () => {
  test('is the sha256 of the bytes, and changes with one byte', () => {
    const zip = path.join(tmp, 'fn.zip');
    fs.writeFileSync(zip, Buffer.alloc(100_000, 7));
    const before = hashAsset(zip);
    expect(before).toMatchObject({ files: 1, bytes: 100_000 });
    expect(before.sha256).toMatch(/^[0-9a-f]{64}$/);
    const bytes = fs.readFileSync(zip);
    bytes[0] = 8;
    fs.writeFileSync(zip, bytes);
    expect(hashAsset(zip).sha256).not.toBe(before.sha256);
  });
});

describe('manifestAssetHash', () => {
  /** GIVEN an assets folder with one function folder and one zip, and its manifest. */
  function makeAssets(): string {
    const root = path.join(tmp, 'assets');
    makeFolder(path.join(root, 'f', 'fn.lambda'));
    fs.writeFileSync(path.join(root, 'f', 'fn.zip'), Buffer.alloc(200_000, 1));
    const assets = { 'f/fn.lambda': hashAsset(path.join(root, 'f', 'fn.lambda')), 'f/fn.zip': hashAsset(path.join(root, 'f', 'fn.zip')) };
    fs.writeFileSync(path.join(root, ASSET_HASHES_FILE), JSON.stringify({ version: 1, assets }));
    return root;
  }

  test('returns the build-time hash when the assets are the ones hashed', () => {
    const root = makeAssets();
    expect(manifestAssetHash(root, 'f/fn.lambda')).toEqual({ sha256: hashAsset(path.join(root, 'f', 'fn.lambda')).sha256 });
    expect(manifestAssetHash(root, 'f/fn.zip')).toEqual({ sha256: hashAsset(path.join(root, 'f', 'fn.zip')).sha256 });
  });

  test('says the manifest is stale when a folder gained a file, or its index.js changed', () => {
    const root = makeAssets();
    fs.writeFileSync(path.join(root, 'f', 'fn.lambda', 'extra.js'), '');
    expect(manifestAssetHash(root, 'f/fn.lambda')).toEqual({ problem: expect.stringMatching(/holds 4 files of \d+ bytes, but asset-hashes\.json was written for 3 files.*stale/) });
    fs.rmSync(path.join(root, 'f', 'fn.lambda', 'extra.js'));
    fs.writeFileSync(path.join(root, 'f', 'fn.lambda', 'index.js'), 'exports.handler = async () => 2;\n'); // same size
    expect(manifestAssetHash(root, 'f/fn.lambda')).toEqual({ problem: expect.stringMatching(/fn\.lambda is not the one asset-hashes\.json was written for \(a stale manifest\)/) });
  });

  test('says the manifest is stale when the end of a zip (its central directory) changed', () => {
    const root = makeAssets();
    const zip = path.join(root, 'f', 'fn.zip');
    const bytes = fs.readFileSync(zip);
    bytes[bytes.length - 10] = 2;
    fs.writeFileSync(zip, bytes);
    expect(manifestAssetHash(root, 'f/fn.zip')).toEqual({ problem: expect.stringContaining('not the one asset-hashes.json was written for') });
  });

  test('says why when the manifest is missing, of another version, or has no entry', () => {
    const root = makeAssets();
    expect(manifestAssetHash(root, 'f/other.lambda')).toEqual({ problem: expect.stringContaining('has no entry for f/other.lambda') });
    clearAssetHashCache();
    fs.writeFileSync(path.join(root, ASSET_HASHES_FILE), JSON.stringify({ version: 99, assets: {} }));
    expect(manifestAssetHash(root, 'f/fn.lambda')).toEqual({ problem: expect.stringContaining('is of another format (version 99, expected 1)') });
    clearAssetHashCache();
    fs.rmSync(path.join(root, ASSET_HASHES_FILE));
    expect(manifestAssetHash(root, 'f/fn.lambda')).toEqual({ problem: expect.stringContaining('cannot be read') });
  });
});

describe('the shipped manifest', () => {
  test('is the one of the assets beside it (a stale manifest fails here: run `npx projen bundle`)', () => {
    // A fresh computation over every function asset, byte for byte the committed format.
    expect(fs.readFileSync(path.join(ASSETS_DIR, ASSET_HASHES_FILE), 'utf8')).toBe(manifestText(computeAssetHashes()));
  });

  test('covers every function asset the construct deploys', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ASSETS_DIR, ASSET_HASHES_FILE), 'utf8'));
    expect(Object.keys(manifest.assets).sort()).toEqual(Object.values(FUNCTION_ASSETS).sort());
  });
});

describe('the construct', () => {
  test('deploys each bundled function under its build-time hash, without a warning', () => {
    // GIVEN the shipped manifest
    const manifest = JSON.parse(fs.readFileSync(path.join(ASSETS_DIR, ASSET_HASHES_FILE), 'utf8'));
    // WHEN
    const { stack, template } = synth({});
    // THEN the S3 keys of the image processor (a zip, deployed as it is) and the notification handler
    // follow from the manifest's hashes (the CDK's custom hash is the sha256 of the one given)
    const keys = Object.values(template.findResources('AWS::Lambda::Function')).map((r) => r.Properties.Code.S3Key as string);
    const custom = (sha: string) => createHash('sha256').update(sha).digest('hex');
    expect(keys).toContain(`${custom(manifest.assets[FUNCTION_ASSETS.IMAGE_PROCESSOR_ARM64].sha256)}.zip`);
    expect(keys).toContain(`${custom(manifest.assets[FUNCTION_ASSETS.NOTIFICATION_HANDLER].sha256)}.zip`);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('no build-time hash'));
  });

  test('falls back to the CDK\'s own fingerprint, with a warning naming the fix, when the manifest is stale', () => {
    // GIVEN a manifest that does not match the assets (as after a partial rebuild); the shipped file is
    // left alone, since other test files read it in parallel
    const lookup = jest.spyOn(assetHash, 'manifestAssetHash').mockReturnValue({ problem: 'the files differ (a stale manifest)' });
    try {
      // WHEN
      const { stack, template } = synth({});
      // THEN the functions still synthesize, under the hash the CDK computes from their content
      // (the sixth function is the CDK's own bucket-notifications handler, inline code)
      const keys = Object.values(template.findResources('AWS::Lambda::Function')).map((r) => r.Properties.Code.S3Key as string).filter(Boolean);
      expect(keys).toHaveLength(5);
      expect(keys.every((k) => /^[0-9a-f]{64}\.zip$/.test(k))).toBe(true);
      const fingerprinted = (asset: string) => createHash('sha256').update(hashAsset(path.join(ASSETS_DIR, asset)).sha256).digest('hex');
      expect(keys).not.toContain(`${fingerprinted(FUNCTION_ASSETS.IMAGE_PROCESSOR_ARM64)}.zip`);
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(
        'no build-time hash for .*image-processor\\.lambda-arm64\\.zip: the files differ \\(a stale manifest\\)\\. The CDK fingerprints the asset instead.*npx projen bundle'));
    } finally {
      lookup.mockRestore();
    }
  });
});
