/** Byte-level helpers of the data validator: BOM, lines, UTF-8. */

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

/** One physical line: its 1-based number and bytes (without the line break), or its length when too long. */
export type Line =
  | { readonly number: number; readonly bytes: Uint8Array; readonly tooLong?: undefined }
  | { readonly number: number; readonly bytes?: undefined; readonly tooLong: number };

/**
 * Splits a byte stream into lines (LF or CRLF). A line longer than `maxLineBytes` is not
 * buffered: it is reported with its length only, and reading goes on at the next line, so memory
 * stays bounded whatever the input.
 */
export async function* splitLines(source: AsyncIterable<Uint8Array>, maxLineBytes: number): AsyncGenerator<Line> {
  let parts: Uint8Array[] = [];
  let length = 0;
  let tooLong = false;
  let number = 0;
  const finish = (): Line => {
    number += 1;
    if (tooLong) {
      const line: Line = { number, tooLong: length };
      parts = [];
      length = 0;
      tooLong = false;
      return line;
    }
    let bytes: Uint8Array = parts.length === 1 ? parts[0] : Buffer.concat(parts, length);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    parts = [];
    length = 0;
    return { number, bytes };
  };
  const append = (piece: Uint8Array): void => {
    length += piece.length;
    if (tooLong) return;
    if (length > maxLineBytes + 1) { // + 1: a CR before the LF is not part of the line
      tooLong = true;
      parts = [];
    } else if (piece.length > 0) {
      parts.push(piece);
    }
  };
  for await (const chunk of source) {
    let start = 0;
    for (let nl = chunk.indexOf(LF, start); nl >= 0; nl = chunk.indexOf(LF, start)) {
      append(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    append(chunk.subarray(start));
  }
  if (length > 0 || tooLong) {
    yield finish();
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
