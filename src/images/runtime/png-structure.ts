import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The first structural defect of a PNG file, named: a chunk whose CRC does not match its content, or
 * a file that ends inside a chunk or before IEND. libvips reports these as "Unknown error" or "libpng
 * read error"; this says which chunk, where. `undefined` when the chunk structure is sound (the
 * defect, if any, is inside the compressed pixels).
 */
export function pngStructureDefect(data: Buffer): string | undefined {
  if (data.length < SIGNATURE.length || !data.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    return 'the PNG signature is missing';
  }
  let offset = SIGNATURE.length;
  while (offset < data.length) {
    if (offset + 8 > data.length) {
      return `the file ends inside a chunk header at byte ${offset}`;
    }
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const printableType = /^[A-Za-z]{4}$/.test(type) ? type : `0x${data.readUInt32BE(offset + 4).toString(16).padStart(8, '0')}`;
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > data.length) {
      return `the file ends inside the ${printableType} chunk at byte ${offset} (it declares ${length} bytes; ${Math.max(0, data.length - offset - 12)} follow)`;
    }
    const stored = data.readUInt32BE(offset + 8 + length);
    const computed = crc32(data.subarray(offset + 4, offset + 8 + length));
    if (stored !== computed) {
      return `the ${printableType} chunk at byte ${offset} has a bad CRC (stored 0x${hex(stored)}, computed 0x${hex(computed)}): the file is corrupt`;
    }
    if (type === 'IEND') {
      return undefined;
    }
    offset = end;
  }
  return 'the file ends before its IEND chunk (truncated)';
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');
