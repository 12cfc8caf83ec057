// One measurement of the image processor's core: makeThumbnails() on one file, configured as the
// handler configures sharp at module load (no cache, one libvips thread). The file is read before
// the clock starts (the handler has the object in memory too). Prints one JSON line.
// argv: <image file> <comma-separated widths> <format>
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { msSince, report } from './result';
import { configureSharpForLambda, makeThumbnails } from '../../src/images/runtime/thumbnails';

async function main(): Promise<void> {
  const [file, widths, format] = process.argv.slice(2);
  configureSharpForLambda();
  const input = readFileSync(file);
  const start = process.hrtime.bigint();
  const result = await makeThumbnails(input, {
    widths: widths.split(',').map(Number),
    format: format as 'webp',
    maxBytes: 1024 ** 3,
    maxPixels: 268_402_689,
  });
  const ms = msSince(start);
  report({
    ms,
    thumbnails: result.thumbnails.map((t) => ({ width: t.width, height: t.height, bytes: t.data.length })),
    vips: sharp.versions.vips,
    sharp: sharp.versions.sharp,
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
