// Generates the benchmark inputs (deterministic: a seeded PRNG, so every run measures the same bytes).
import { closeSync, existsSync, mkdirSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { mulberry32 as prng } from '../emulator/prng';

/** Writes `file` through `write` into a temporary name first, so an interrupted run leaves no half file. */
function writeOnce(file: string, write: (tmp: string) => Promise<void> | void): Promise<void> | void {
  if (existsSync(file)) return;
  const tmp = `${file}.partial`;
  const done = (): void => renameSync(tmp, file);
  const result = write(tmp);
  if (result instanceof Promise) return result.then(done);
  done();
}

/**
 * A photo-like JPEG (quality 90, 4:2:0, as a phone camera writes): smooth colour fields with
 * edges, texture and sensor-like noise, so that it neither compresses to nothing nor is pure noise.
 */
export async function makeJpeg(file: string, width: number, height: number, seed: number): Promise<void> {
  await writeOnce(file, async (tmp) => {
    const random = prng(seed);
    const pixels = Buffer.alloc(width * height * 3);
    const blocks = Array.from({ length: 64 }, () => [random() * 255, random() * 255, random() * 255]);
    let i = 0;
    for (let y = 0; y < height; y++) {
      const row = Math.floor((y / height) * 8) * 8;
      const wave = Math.sin(y / 53);
      for (let x = 0; x < width; x++) {
        const base = blocks[row + Math.floor((x / width) * 8)];
        const texture = 40 * Math.sin(x / 37 + wave * 3) * Math.cos(y / 29);
        for (let c = 0; c < 3; c++) {
          pixels[i++] = Math.max(0, Math.min(255, base[c] + texture + (random() - 0.5) * 24));
        }
      }
    }
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90, chromaSubsampling: '4:2:0' })
      .toFile(tmp);
  });
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'Edsger', 'Zoë', 'José'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Dijkstra', "O'Neil", 'Núñez'];
const STATUS = ['new', 'shipped', 'delivered', 'cancelled'];
const TAGS = ['gift', 'express', 'fragile', 'b2b', 'promo', 'repeat'];

/** One order as examples/schema/order.schema.json describes it; about 1 in 100 breaks one rule. */
export function order(id: number, random: () => number): Record<string, unknown> {
  const first = FIRST[Math.floor(random() * FIRST.length)];
  const last = LAST[Math.floor(random() * LAST.length)];
  const record: Record<string, unknown> = {
    id,
    customer: random() < 0.1 ? `${last}, ${first}` : `${first} ${last}`,
    email: `${first}.${last}${id}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
    quantity: 1 + Math.floor(random() * 20),
    price: Math.round(random() * 100_000) / 100 + 0.01,
    paid: random() < 0.8,
    orderedAt: new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 300 * 86_400_000)).toISOString(),
    status: STATUS[Math.floor(random() * STATUS.length)],
    tags: TAGS.filter(() => random() < 0.25),
  };
  const fault = random();
  if (fault < 0.004) record.quantity = 0;
  else if (fault < 0.007) record.email = 'not-an-email';
  else if (fault < 0.01) delete record.paid;
  return record;
}

const CSV_COLUMNS = ['id', 'customer', 'email', 'quantity', 'price', 'paid', 'orderedAt', 'status'];

function csvCell(value: unknown): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * About `bytes` of orders as NDJSON; and about `bytes` of orders as CSV (without `tags`, which a
 * CSV cell cannot hold as an array) written together with an NDJSON twin of the same rows, so
 * that the CSV validator and the JSON.parse baseline read the same records.
 */
export function makeDataFiles(files: { ndjson: string; csv: string; csvTwin: string }, bytes: number, seed: number): void {
  writeOnce(files.ndjson, (tmp) => {
    const random = prng(seed);
    const fd = openSync(tmp, 'w');
    for (let written = 0, id = 1; written < bytes;) {
      const lines: string[] = [];
      for (let n = 0; n < 2000; n++) lines.push(JSON.stringify(order(id++, random)));
      written += writeSync(fd, `${lines.join('\n')}\n`);
    }
    closeSync(fd);
  });
  if (existsSync(files.csv) && existsSync(files.csvTwin)) return;
  const random = prng(seed + 1);
  const csv = openSync(`${files.csv}.partial`, 'w');
  const twin = openSync(`${files.csvTwin}.partial`, 'w');
  for (let written = writeSync(csv, `${CSV_COLUMNS.join(',')}\n`), id = 1; written < bytes;) {
    const rows: string[] = [];
    const lines: string[] = [];
    for (let n = 0; n < 2000; n++) {
      const record = order(id++, random);
      delete record.tags;
      rows.push(CSV_COLUMNS.map((c) => csvCell(record[c])).join(','));
      lines.push(JSON.stringify(record));
    }
    written += writeSync(csv, `${rows.join('\n')}\n`);
    writeSync(twin, `${lines.join('\n')}\n`);
  }
  closeSync(csv);
  closeSync(twin);
  renameSync(`${files.csv}.partial`, files.csv);
  renameSync(`${files.csvTwin}.partial`, files.csvTwin);
}

/** `copies` concatenated copies of `source` (about copies × its size): the large-file memory input. */
export function makeLargeFile(file: string, source: string, copies: number): void {
  writeOnce(file, (tmp) => {
    const { size } = statSync(source);
    const fd = openSync(tmp, 'w');
    const buffer = Buffer.alloc(16 * 1024 * 1024);
    for (let copy = 0; copy < copies; copy++) {
      const input = openSync(source, 'r');
      for (let offset = 0; offset < size;) {
        const n = readSync(input, buffer, 0, buffer.length, offset);
        writeSync(fd, buffer, 0, n);
        offset += n;
      }
      closeSync(input);
    }
    closeSync(fd);
  });
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

export const inputPath = (dir: string, name: string): string => join(dir, name);
