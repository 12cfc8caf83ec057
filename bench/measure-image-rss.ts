// Measures the peak RSS (VmHWM) of the bundled image processor (this machine's architecture
// asset), in its own process as in the handler tests, handling one generated image each against
// moto server. Linux only (/proc). Run after `npx projen bundle`:
//   npx ts-node --transpile-only --project test/tsconfig.json bench/measure-image-rss.ts
// Not a test: absolute figures depend on the machine; they back the default memory size.
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { createBucket, createNotificationsTable, dynamoClient, s3Client, s3Event, s3Record, startBundledFunction } from '../emulator/bundled';
import { EMULATOR_ACCOUNT_ID, ROOT, startMoto } from '../emulator/moto';
import { pngHeaderBomb } from '../test/support/images';

const OUT = path.join(ROOT, '.tmp', 'image-rss');

const INPUTS: Array<[string, () => Promise<Buffer>]> = [
  ['24mp-photo.jpg', () => sharp({ create: { width: 6000, height: 4000, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 20 } } })
    .blur(2).jpeg({ quality: 90 }).toBuffer()],
  ['24mp-noise.jpg', () => sharp({ create: { width: 6000, height: 4000, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 60 } } })
    .jpeg({ quality: 90 }).toBuffer()],
  ['100mp-interlaced.png', () => sharp({ create: { width: 10000, height: 10000, channels: 4, background: '#336699' } })
    .png({ progressive: true }).toBuffer()],
  ['bomb.png', async () => pngHeaderBomb(30000, 30000)],
];

function memory(pid: number): Record<string, string> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Object.fromEntries(['VmHWM', 'VmRSS'].map((k) => [k, status.split('\n').find((l) => l.startsWith(k))!.split(/\s+/).slice(1).join(' ')]));
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const moto = await startMoto();
  try {
    const s3 = s3Client(moto.endpoint);
    await createBucket(s3, 'rss');
    await createNotificationsTable(dynamoClient(moto.endpoint), 'rss');
    const env = {
      TAP_TABLE_NAME: 'rss', TAP_INDEX_SHARDS: '16', TAP_BUCKET_NAME: 'rss', TAP_BUCKET_OWNER: EMULATOR_ACCOUNT_ID, TAP_IMAGES_PREFIX: 'images/', TAP_DATA_PREFIX: 'data/',
      TAP_THUMBNAILS_PREFIX: 'thumbnails/', TAP_REPORTS_PREFIX: 'reports/', TAP_ENVIRONMENT: 'rss',
      TAP_THUMBNAIL_WIDTHS: '128,512', TAP_THUMBNAIL_FORMAT: 'webp',
      TAP_MAX_IMAGE_BYTES: String(50 * 1024 * 1024), TAP_MAX_IMAGE_PIXELS: '100000000',
    };
    for (const [name, make] of INPUTS) {
      const body = await make();
      writeFileSync(path.join(OUT, name), body);
      const fn = await startBundledFunction('image-processor', env, moto.endpoint);
      const pid = (fn as unknown as { child: { pid: number } }).child.pid;
      const idle = memory(pid);
      const key = `images/${name}`;
      const put = await s3.send(new PutObjectCommand({ Bucket: 'rss', Key: key, Body: body }));
      const summary = await fn.invoke<{ records: Array<{ outcome: string }> }>(s3Event(s3Record('rss', key, put, body.length)));
      const peak = memory(pid);
      console.log(`${name} (${body.length} bytes): ${summary.records[0].outcome}; idle RSS ${idle.VmRSS}, peak RSS (VmHWM) ${peak.VmHWM}`);
      await fn.stop();
    }
  } finally {
    await moto.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
