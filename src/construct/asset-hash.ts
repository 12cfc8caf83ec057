import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The manifest of the bundled functions' content hashes, `assets/asset-hashes.json`, written when the
 * library is built (`npx projen bundle`, scripts/asset-hashes.ts) and shipped in the package beside
 * the assets. The construct reads it at synth instead of fingerprinting the assets (the image
 * processor's is 21 MB of sharp and libvips, read on every synth of every consumer app otherwise).
 */
export const ASSET_HASHES_FILE = 'asset-hashes.json';

/** Version of the manifest format and of the hashing below; raise it when either changes. */
export const ASSET_HASHES_VERSION = 1;

/** One asset (a folder, or a zip file) in the manifest. */
export interface AssetHash {
  /**
   * sha256 (hex) of the asset: for a folder, of every entry (relative path, kind, executable bit,
   * size and content); for a file, of its bytes.
   */
  readonly sha256: string;
  /** Files in the asset (a zip file: 1); with `bytes` and `checkSha256`, the cheap check at synth. */
  readonly files: number;
  /** Total bytes of those files. */
  readonly bytes: number;
  /**
   * sha256 of the part a rebuild changes, read at synth: a folder's `index.js`; a zip file's last
   * 64 KiB, which hold its central directory (the name, size and CRC-32 of every entry).
   */
  readonly checkSha256: string;
}

/** The manifest: one entry per asset, keyed by its path under `assets/` (POSIX separators). */
export interface AssetHashes {
  readonly version: number;
  readonly assets: Record<string, AssetHash>;
}

/** Bytes at the end of a zip file read by the cheap check (its central directory, and more). */
const ZIP_TAIL_BYTES = 64 * 1024;

interface Entry {
  /** Relative path, POSIX separators. */
  readonly rel: string;
  readonly abs: string;
  readonly kind: 'file' | 'dir' | 'link';
}

/** Every entry under `dir`, sorted by relative path (byte order), directories included (empty ones count). */
function walk(dir: string): Entry[] {
  const entries: Entry[] = [];
  const visit = (abs: string, rel: string): void => {
    for (const dirent of fs.readdirSync(abs, { withFileTypes: true })) {
      const childAbs = path.join(abs, dirent.name);
      const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isSymbolicLink()) {
        entries.push({ rel: childRel, abs: childAbs, kind: 'link' });
      } else if (dirent.isDirectory()) {
        entries.push({ rel: childRel, abs: childAbs, kind: 'dir' });
        visit(childAbs, childRel);
      } else if (dirent.isFile()) {
        entries.push({ rel: childRel, abs: childAbs, kind: 'file' });
      } else {
        throw new Error(`TapServerless: ${childAbs} is neither a file, a folder nor a symbolic link: it cannot be part of a Lambda asset.`);
      }
    }
  };
  visit(dir, '');
  return entries.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Whether any of a mode's owner, group or other executable bits is set. */
export function isExecutable(mode: number): boolean {
  const permissions = mode % 0o1000;
  return [0o100, 0o10, 0o1].some((bit) => Math.floor(permissions / bit) % 2 === 1);
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The content hash of an asset: for a folder, any changed byte, added, removed or renamed file or
 * folder, changed symbolic link target or executable bit gives a different hash (every field is
 * written with its length, so that no two different folders serialize alike); for a file (a zip),
 * the sha256 of its bytes.
 */
export function hashAsset(assetPath: string): AssetHash {
  if (fs.statSync(assetPath).isFile()) {
    const content = fs.readFileSync(assetPath);
    const tail = content.subarray(Math.max(0, content.length - ZIP_TAIL_BYTES));
    return { sha256: sha256(content), files: 1, bytes: content.length, checkSha256: sha256(tail) };
  }
  const hash = createHash('sha256');
  const field = (value: string | Buffer): void => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field(`tap-asset-v${ASSET_HASHES_VERSION}`);
  let files = 0;
  let bytes = 0;
  for (const entry of walk(assetPath)) {
    field(entry.kind);
    field(entry.rel);
    if (entry.kind === 'link') {
      field(fs.readlinkSync(entry.abs));
    } else if (entry.kind === 'file') {
      const stat = fs.statSync(entry.abs);
      const content = fs.readFileSync(entry.abs);
      field(isExecutable(stat.mode) ? 'x' : '-');
      field(content);
      files += 1;
      bytes += content.length;
    }
  }
  const index = path.join(assetPath, 'index.js');
  return { sha256: hash.digest('hex'), files, bytes, checkSha256: fs.existsSync(index) ? sha256(fs.readFileSync(index)) : '' };
}

/** The cheap check of an asset: files, bytes and `checkSha256`, from `stat` and one small read. */
function quickCheck(assetPath: string): Omit<AssetHash, 'sha256'> {
  const stat = fs.statSync(assetPath);
  if (stat.isFile()) {
    const length = Math.min(stat.size, ZIP_TAIL_BYTES);
    const tail = Buffer.alloc(length);
    const fd = fs.openSync(assetPath, 'r');
    try {
      fs.readSync(fd, tail, 0, length, stat.size - length);
    } finally {
      fs.closeSync(fd);
    }
    return { files: 1, bytes: stat.size, checkSha256: sha256(tail) };
  }
  let files = 0;
  let bytes = 0;
  for (const entry of walk(assetPath)) {
    if (entry.kind === 'file') {
      files += 1;
      bytes += fs.statSync(entry.abs).size;
    }
  }
  const index = path.join(assetPath, 'index.js');
  return { files, bytes, checkSha256: fs.existsSync(index) ? sha256(fs.readFileSync(index)) : '' };
}

/** The manifest's entry for `assets/<key>`, or why there is none. */
export type ManifestLookup = { readonly sha256: string } | { readonly problem: string };

const manifests = new Map<string, AssetHashes | string>();

/** Reads (once per process) the manifest of an assets folder; a string says why it cannot be used. */
function readManifest(assetsDir: string): AssetHashes | string {
  const file = path.join(assetsDir, ASSET_HASHES_FILE);
  let manifest = manifests.get(file);
  if (manifest === undefined) {
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as AssetHashes;
      manifest = parsed?.version === ASSET_HASHES_VERSION && typeof parsed.assets === 'object' && parsed.assets !== null
        ? parsed
        : `${file} is of another format (version ${JSON.stringify(parsed?.version)}, expected ${ASSET_HASHES_VERSION})`;
    } catch (err) {
      manifest = `${file} cannot be read (${(err as Error).message.split('\n')[0]})`;
    }
    manifests.set(file, manifest);
  }
  return manifest;
}

/**
 * The build-time hash of the asset `assets/<key>`, after a cheap check that the asset is the one
 * that was hashed: the same number of files, the same total size and the same `index.js` (a zip:
 * the same central directory), a few milliseconds against reading every byte. Returns the problem
 * instead when the manifest is missing, has no entry for the asset, or the check fails (a stale
 * manifest): the caller then lets the CDK fingerprint the asset itself.
 */
export function manifestAssetHash(assetsDir: string, key: string): ManifestLookup {
  const manifest = readManifest(assetsDir);
  if (typeof manifest === 'string') return { problem: manifest };
  const entry = manifest.assets[key];
  if (entry === undefined || typeof entry.sha256 !== 'string') {
    return { problem: `${path.join(assetsDir, ASSET_HASHES_FILE)} has no entry for ${key}` };
  }
  const assetPath = path.join(assetsDir, ...key.split('/'));
  const actual = quickCheck(assetPath);
  if (actual.files !== entry.files || actual.bytes !== entry.bytes) {
    return {
      problem: `${assetPath} holds ${actual.files} files of ${actual.bytes} bytes, but ${ASSET_HASHES_FILE} was written for ` +
        `${entry.files} files of ${entry.bytes} bytes (a stale manifest)`,
    };
  }
  if (actual.checkSha256 !== entry.checkSha256) {
    return { problem: `${assetPath} is not the one ${ASSET_HASHES_FILE} was written for (a stale manifest)` };
  }
  return { sha256: entry.sha256 };
}

/** Forgets the manifests read so far (tests rewrite them). */
export function clearAssetHashCache(): void {
  manifests.clear();
}
