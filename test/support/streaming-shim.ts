// A stand-in for the `awslambda` global that the Lambda Node.js runtime gives response-streaming
// handlers (streamifyResponse, HttpResponseStream.from), for tests outside Lambda. Like the
// runtime, HttpResponseStream.from writes the HTTP prelude as JSON followed by 8 NUL bytes, then
// the body follows on the same stream. The response stream is a real Writable with a small buffer
// (highWaterMark) drained asynchronously, so a handler that ignores backpressure is caught: the
// recorder notes the most bytes ever waiting in the buffer.
import { Writable } from 'node:stream';

/** The delimiter Lambda puts between the prelude and the body of an HTTP integration response. */
const PRELUDE_DELIMITER = Buffer.alloc(8);

export interface RecordedResponse {
  /** The HTTP prelude, parsed; undefined when the handler wrote none. */
  readonly prelude?: { statusCode: number; headers: Record<string, string> };
  /** The body (empty when `sink` took it). */
  readonly body: string;
  /** Body bytes written. */
  readonly bodyBytes: number;
  /** Times the handler waited for 'drain'. */
  readonly drains: number;
  /** Most bytes ever buffered in the stream (`writableLength`): bounded when backpressure is respected. */
  readonly maxBuffered: number;
  /** Whether the handler ended the stream. */
  readonly ended: boolean;
}

export interface ShimOptions {
  /** Buffer size of the response stream (default 16 KiB). */
  readonly highWaterMark?: number;
  /** Receives the body bytes instead of memory (e.g. a file), with its own backpressure. */
  readonly sink?: (chunk: Buffer) => Promise<void>;
}

/** A response stream that records what a handler writes to it. */
export class RecordingStream extends Writable {
  public drains = 0;
  public maxBuffered = 0;
  public ended = false;
  private readonly raw: Buffer[] = [];
  private preludeSeen = false;
  private bodyBytes = 0;
  private prelude?: RecordedResponse['prelude'];
  private head = Buffer.alloc(0);

  constructor(private readonly options: ShimOptions = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024, decodeStrings: true });
    this.on('drain', () => { this.drains += 1; });
    this.on('finish', () => { this.ended = true; });
  }

  public override write(chunk: unknown, ...rest: any[]): boolean {
    const ok = super.write(chunk as Buffer, ...rest);
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    return ok;
  }

  public response(): RecordedResponse {
    return {
      prelude: this.prelude,
      body: Buffer.concat(this.raw).toString('utf8'),
      bodyBytes: this.bodyBytes,
      drains: this.drains,
      maxBuffered: this.maxBuffered,
      ended: this.ended,
    };
  }

  public override _write(chunk: Buffer, _encoding: string, callback: (error?: Error | null) => void): void {
    // Consumed on a later turn, as a network peer would: writes pile up in the buffer meanwhile.
    setImmediate(() => {
      this.consume(chunk).then(() => callback(), callback);
    });
  }

  private async consume(chunk: Buffer): Promise<void> {
    let body = chunk;
    if (this.preludeSeen === false) {
      this.head = Buffer.concat([this.head, chunk]);
      const at = this.head.indexOf(PRELUDE_DELIMITER);
      if (at < 0) return;
      this.prelude = JSON.parse(this.head.subarray(0, at).toString('utf8'));
      this.preludeSeen = true;
      body = this.head.subarray(at + PRELUDE_DELIMITER.length);
      this.head = Buffer.alloc(0);
    }
    this.bodyBytes += body.length;
    if (this.options.sink) {
      await this.options.sink(body);
    } else {
      this.raw.push(body);
    }
  }
}

export interface StreamingShim {
  readonly HttpResponseStream: { from(stream: Writable, prelude: { statusCode: number; headers: Record<string, string> }): Writable };
  streamifyResponse(handler: (event: unknown, stream: Writable, context: unknown) => Promise<void>):
  (event: unknown, context: unknown) => Promise<RecordedResponse>;
}

/** The `awslambda` shim: invoking a streamified handler resolves with what it wrote, once it ends. */
export function createStreamingShim(options: ShimOptions = {}): StreamingShim {
  return {
    HttpResponseStream: {
      from(stream, prelude) {
        stream.write(Buffer.concat([Buffer.from(JSON.stringify(prelude)), PRELUDE_DELIMITER]));
        return stream;
      },
    },
    streamifyResponse(handler) {
      return async (event, context) => {
        const stream = new RecordingStream(options);
        const finished = new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
        });
        await handler(event, stream, context);
        if (!stream.writableEnded) throw new Error('the handler returned without ending the response stream');
        await finished;
        return stream.response();
      };
    },
  };
}
