import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

/**
 * Test images, generated on the fly with sharp (no binary fixtures): small, except where a
 * test needs a large one.
 */

/** A gradient-ish RGB image (noise would compress badly and slow the tests down). */
function base(width: number, height: number, channels: 3 | 4 = 3): sharp.Sharp {
  const background = channels === 4 ? { r: 40, g: 120, b: 200, alpha: 0.5 } : { r: 40, g: 120, b: 200 };
  return sharp({ create: { width, height, channels, background } });
}

/** A JPEG carrying EXIF data (camera, GPS-like fields) that must not reach the thumbnails. */
export async function jpeg(width: number, height: number): Promise<Buffer> {
  return base(width, height)
    .withExif({ IFD0: { Make: 'TapCam', Model: 'Test 1', Copyright: 'secret owner' }, IFD3: { GPSLatitudeRef: 'N' } })
    .jpeg({ quality: 80 })
    .toBuffer();
}

/** A JPEG stored as `width`×`height` pixels with EXIF orientation 6 (displayed rotated 90° clockwise: `height`×`width`). */
export async function jpegRotated90(width: number, height: number): Promise<Buffer> {
  return base(width, height).withMetadata({ orientation: 6 }).jpeg().toBuffer();
}

export async function png(width: number, height: number): Promise<Buffer> {
  return base(width, height, 4).png().toBuffer();
}

export async function webp(width: number, height: number): Promise<Buffer> {
  return base(width, height).webp().toBuffer();
}

export async function gif(width: number, height: number): Promise<Buffer> {
  return base(width, height).gif().toBuffer();
}

export function svg(): Buffer {
  return Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="400" height="300" fill="red"/></svg>');
}

/** Plain text, to be stored under a `.jpg` key. */
export function textPretendingToBeJpeg(): Buffer {
  return Buffer.from('This is not a JPEG, whatever its name says.\n'.repeat(20));
}

/** The first half of a JPEG: a valid header (metadata() succeeds), truncated pixel data. */
export async function truncatedJpeg(width: number, height: number): Promise<Buffer> {
  const full = await sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer();
  return full.subarray(0, Math.floor(full.length / 2));
}

/** A valid JPEG followed by junk bytes (polyglot-style trailing data). */
export async function jpegWithAppendedBytes(width: number, height: number): Promise<Buffer> {
  return Buffer.concat([await jpeg(width, height), Buffer.from('<?php echo "appended payload"; ?>'.repeat(10))]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A decompression bomb: a valid PNG header declaring `width`×`height` RGB pixels (30000×30000 =
 * 900 MP, 2.7 GB decoded), followed by a tiny IDAT (a few compressed zero rows) and IEND.
 */
export function pngHeaderBomb(width = 30000, height = 30000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // colour type: RGB
  ihdr.writeUInt8(0, 10); // compression
  ihdr.writeUInt8(0, 11); // filter
  ihdr.writeUInt8(0, 12); // no interlace
  const idat = deflateSync(Buffer.alloc(4 * (1 + width * 3)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
