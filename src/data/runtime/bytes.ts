/** Byte-level helpers of the data validator: BOM, lines, UTF-8. */
import { isUtf8 } from 'node:buffer';

const BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;

/** Counts the bytes read from a stream; the source is only ever read chunk by chunk. */
export interface ByteCounter {
  bytes: number;
}

/**
 * The chunks of `source` with a leading UTF-8 byte order mark removed, as `Uint8Array`s, counting
 * the bytes read into `counter`.
 */
export async function* withoutBom(source: AsyncIterable<Uint8Array | string>, counter: ByteCounter): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | undefined = new Uint8Array(0);
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    counter.bytes += chunk.length;
    if (head === undefined) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < BOM.length) continue;
    const start = BOM.every((b, i) => head![i] === b) ? BOM.length : 0;
    const first = head.subarray(start);
    head = undefined;
    if (first.length > 0) yield first;
  }
  if (head !== undefined && head.length > 0 && !(head.length === BOM.length && BOM.every((b, i) => head![i] === b))) {
    yield head;
  }
}

/** Thrown by {@link Utf8Checker} at the first invalid byte sequence. */
export class InvalidUtf8Error extends Error {
  constructor(public readonly byteOffset: number, length: number) {
    super(`invalid UTF-8 byte sequence within bytes ${byteOffset}-${byteOffset + length} of the file`);
    this.name = 'InvalidUtf8Error';
  }
}

/** A streaming, fatal UTF-8 decoder: `decode` returns text or throws {@link InvalidUtf8Error}. */
export class Utf8Checker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private offset = 0;

  public decode(chunk: Uint8Array): string {
    const at = this.offset;
    this.offset += chunk.length;
    try {
      return this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new InvalidUtf8Error(at, chunk.length);
    }
  }

  /** Ends the stream: a sequence cut off by the end of the file is invalid. */
  public end(): string {
    try {
      return this.decoder.decode();
    } catch {
      throw new InvalidUtf8Error(this.offset, 0);
    }
  }
}

/** Decodes one complete line as UTF-8, or returns `undefined` when it is not valid UTF-8. */
export function decodeLine(bytes: Uint8Array): string | undefined {
  try {
    return lineDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}
const lineDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** One line of text, as {@link textLineBatches} yields it: its text, or why it has none. */
export type TextLine =
  | { readonly number: number; readonly text: string; readonly tooLong?: undefined; readonly invalidUtf8?: undefined }
  | { readonly number: number; readonly text?: undefined; readonly tooLong: number; readonly invalidUtf8?: undefined }
  | { readonly number: number; readonly text?: undefined; readonly tooLong?: undefined; readonly invalidUtf8: true };

/**
 * The lines of a byte stream (LF or CRLF) as text, one batch per chunk, made for throughput
 * (`npx projen bench`): the complete lines of a chunk are checked
 * for UTF-8 and decoded in one call each (not line by line), and handed over as one array (not
 * one `await` per line); only a region holding invalid UTF-8 is split and decoded line by line,
 * to tell which lines are bad. A line longer than `maxLineBytes` (without its line break) is
 * reported with its length, and never buffered beyond the chunk it is in: memory stays bounded
 * by the chunk size plus `maxLineBytes`.
 */
export async function* textLineBatches(source: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<TextLine[]> {
  let carry: Uint8Array[] = [];
  let carryLength = 0;
  let carryTooLong = false;
  let number = 0;

  /** A line assembled from bytes (a line cut by chunk boundaries, or one in an invalid region). */
  const byteLine = (bytes: Uint8Array | undefined, length: number): TextLine => {
    number += 1;
    if (bytes === undefined) return { number, tooLong: length };
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
    if (end > maxLineBytes) return { number, tooLong: length };
    const text = decodeLine(end === bytes.length ? bytes : bytes.subarray(0, end));
    return text === undefined ? { number, invalidUtf8: true } : { number, text };
  };
  const appendCarry = (piece: Uint8Array): void => {
    carryLength += piece.length;
    if (carryTooLong) return;
    if (carryLength > maxLineBytes + 1) { // + 1: a CR before the LF is not part of the line
      carryTooLong = true;
      carry = [];
    } else if (piece.length > 0) {
      carry.push(piece);
    }
  };
  const takeCarry = (): TextLine => {
    const line = byteLine(carryTooLong ? undefined : carry.length === 1 ? carry[0] : Buffer.concat(carry, carryLength), carryLength);
    carry = [];
    carryLength = 0;
    carryTooLong = false;
    return line;
  };
  /** The complete lines of `region` (LF-separated, no trailing LF): decoded at once when it is all valid UTF-8. */
  const regionLines = (region: Buffer, batch: TextLine[]): void => {
    if (isUtf8(region)) {
      const lines = region.toString('utf8').split('\n');
      for (const raw of lines) {
        number += 1;
        const text = raw.length > 0 && raw.charCodeAt(raw.length - 1) === 0x0d ? raw.slice(0, -1) : raw;
        // A UTF-16 unit is 1 to 3 bytes (a surrogate pair, 2 units, is 4): count bytes only when it can matter.
        if (text.length * 3 > maxLineBytes) {
          const bytes = Buffer.byteLength(text, 'utf8');
          if (bytes > maxLineBytes) {
            batch.push({ number, tooLong: Buffer.byteLength(raw, 'utf8') });
            continue;
          }
        }
        batch.push({ number, text });
      }
      return;
    }
    let start = 0;
    for (let nl = region.indexOf(LF, start); ; nl = region.indexOf(LF, start)) {
      const end = nl < 0 ? region.length : nl;
      batch.push(byteLine(region.subarray(start, end), end - start));
      if (nl < 0) return;
      start = nl + 1;
    }
  };

  for await (const raw of source) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    const first = chunk.indexOf(LF);
    if (first < 0) {
      appendCarry(chunk);
      continue;
    }
    const batch: TextLine[] = [];
    appendCarry(chunk.subarray(0, first));
    batch.push(takeCarry());
    const last = chunk.lastIndexOf(LF);
    if (last > first) regionLines(chunk.subarray(first + 1, last), batch);
    appendCarry(chunk.subarray(last + 1));
    yield batch;
  }
  if (carryLength > 0 || carryTooLong) {
    yield [takeCarry()];
  }
}
