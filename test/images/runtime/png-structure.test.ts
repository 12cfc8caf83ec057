import { crc32 } from 'node:zlib';
import { pngStructureDefect } from '../../../src/images/runtime/png-structure';
import * as images from '../../support/images';

describe('pngStructureDefect', () => {
  test('finds nothing wrong with a sound PNG', async () => {
    expect(pngStructureDefect(await images.png(64, 48))).toBeUndefined();
  });

  test('names a chunk whose CRC does not match, with both values', async () => {
    const input = Buffer.from(await images.png(64, 48));
    const idat = input.indexOf('IDAT') - 4;
    input[idat + 8] = 0xff - input[idat + 8]; // one byte of the compressed pixels
    const length = input.readUInt32BE(idat);
    const computed = crc32(input.subarray(idat + 4, idat + 8 + length)).toString(16).padStart(8, '0');
    expect(pngStructureDefect(input)).toMatch(new RegExp(`^the IDAT chunk at byte ${idat} has a bad CRC \\(stored 0x[0-9a-f]{8}, computed 0x${computed}\\)`));
  });

  test.each([
    ['no signature', Buffer.from('GIF89a........'), 'the PNG signature is missing'],
    ['a signature only', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'the file ends before its IEND chunk (truncated)'],
    ['a cut chunk header', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]), 'the file ends inside a chunk header at byte 8'],
  ])('names %s', (_name, input, reason) => {
    expect(pngStructureDefect(input)).toBe(reason);
  });

  test('a declared length beyond the file is a truncation, however large (no read past the end)', async () => {
    const input = Buffer.from(await images.png(64, 48));
    input.writeUInt32BE(0xfffffff0, 8); // IHDR's length
    expect(pngStructureDefect(input)).toMatch(/^the file ends inside the IHDR chunk at byte 8 \(it declares 4294967280 bytes/);
  });
});
