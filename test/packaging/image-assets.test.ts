import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, openSync, readdirSync, readFileSync, readSync, closeSync, statSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { isExecutable } from '../../src/construct/asset-hash';

// The image processor's per-architecture assets (built by the bundle task; their zips are shipped in
// the npm package and deployed): each carries the sharp of the devDependency with linux-glibc binaries for its CPU.
// The x64 one is also run end to end by emulator.image-processor.test.ts; the arm64 one cannot
// run here, so its binaries are checked by their ELF header.
const ROOT = path.resolve(__dirname, '..', '..');
const ASSETS = path.join(ROOT, 'assets', 'images');
const SHARP_VERSION = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies.sharp as string;

/** ELF e_machine values (ELF specification): EM_X86_64 = 62, EM_AARCH64 = 183. */
const ELF_MACHINE = { x64: 62, arm64: 183 } as const;

function elfMachine(file: string): number {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  expect(header.subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // "\x7fELF"
  expect(header[4]).toBe(2); // 64-bit
  expect(header[5]).toBe(1); // little-endian
  return header.readUInt16LE(18);
}

test('sharp is pinned exactly', () => {
  expect(SHARP_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
});

describe.each(['arm64', 'x64'] as const)('the %s asset', (cpu) => {
  const dir = path.join(ASSETS, `image-processor.lambda-${cpu}`);
  const modules = path.join(dir, 'node_modules');

  test('holds the bundle, with sharp left external', () => {
    const bundle = readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(bundle).toMatch(/require\("sharp"\)/);
    expect(bundle).toBe(readFileSync(path.join(ASSETS, 'image-processor.lambda', 'index.js'), 'utf8'));
  });

  test(`holds sharp ${SHARP_VERSION} and only linux-glibc ${cpu} binaries`, () => {
    expect(JSON.parse(readFileSync(path.join(modules, 'sharp', 'package.json'), 'utf8')).version).toBe(SHARP_VERSION);
    expect(readdirSync(path.join(modules, '@img')).filter((p) => p.startsWith('sharp-')).sort())
      .toEqual([`sharp-libvips-linux-${cpu}`, `sharp-linux-${cpu}`]);
  });

  test(`its native binaries are ELF objects for ${cpu === 'arm64' ? 'aarch64' : 'x86-64'}`, () => {
    const addon = path.join(modules, '@img', `sharp-linux-${cpu}`, 'lib', `sharp-linux-${cpu}-${SHARP_VERSION}.node`);
    const libvips = readdirSync(path.join(modules, '@img', `sharp-libvips-linux-${cpu}`, 'lib')).find((f) => f.startsWith('libvips-cpp.so'));
    expect(libvips).toBeDefined();
    expect(elfMachine(addon)).toBe(ELF_MACHINE[cpu]);
    expect(elfMachine(path.join(modules, '@img', `sharp-libvips-linux-${cpu}`, 'lib', libvips!))).toBe(ELF_MACHINE[cpu]);
    if (existsSync('/usr/bin/file')) {
      expect(execFileSync('/usr/bin/file', ['-b', addon], { encoding: 'utf8' })).toContain(cpu === 'arm64' ? 'ARM aarch64' : 'x86-64');
    }
  });
});

/** Every file of a folder: relative path → [mode & 0o777, sha256]. */
function folderListing(dir: string, rel = ''): Record<string, [number, string]> {
  const out: Record<string, [number, string]> = {};
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      Object.assign(out, folderListing(dir, child));
    } else {
      const file = path.join(dir, child);
      out[child] = [isExecutable(statSync(file).mode) ? 0o755 : 0o644, createHash('sha256').update(readFileSync(file)).digest('hex')];
    }
  }
  return out;
}

/** Every file entry of a zip, read with Python's zipfile: name → [Unix mode & 0o777, sha256]. */
function zipListing(zip: string): Record<string, [number, string]> {
  const script = [
    'import hashlib, json, sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'print(json.dumps({i.filename: [(i.external_attr >> 16) & 0o777, hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist() if not i.is_dir()}))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script, zip], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
}

describe.each(['arm64', 'x64'] as const)('the %s zip (what the construct deploys)', (cpu) => {
  const dir = path.join(ASSETS, `image-processor.lambda-${cpu}`);
  const zip = `${dir}.zip`;

  test('holds exactly the files of the folder, with their bytes and readable modes', () => {
    expect(zipListing(zip)).toEqual(folderListing(dir));
  });

  test('is rebuilt byte for byte the same from the same folder (a stable asset hash)', () => {
    const again = path.join(tmpdir(), `tap-zip-${process.pid}-${cpu}`);
    try {
      execFileSync('cp', ['-r', dir, again]);
      execFileSync('python3', [path.join(ROOT, 'scripts', 'zip-asset.py'), again], { stdio: 'ignore' });
      expect(createHash('sha256').update(readFileSync(`${again}.zip`)).digest('hex')).toBe(createHash('sha256').update(readFileSync(zip)).digest('hex'));
    } finally {
      execFileSync('rm', ['-rf', again, `${again}.zip`]);
    }
  });
});
