import * as dgram from 'node:dgram';
import { ExportResult, ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** Where Lambda's trace endpoint listens when the environment does not say (`AWS_XRAY_DAEMON_ADDRESS`). */
export const DEFAULT_TRACE_ENDPOINT = '127.0.0.1:2000';

/**
 * The header of every datagram the Lambda environment's trace endpoint accepts, then the OTLP
 * payload kind: `T1S`, sampled OpenTelemetry traces as base64 protobuf (an
 * `ExportTraceServiceRequest`). It is the format the AWS Distro for OpenTelemetry sends to the same
 * endpoint.
 */
export const OTLP_UDP_PREFIX = '{"format":"json","version":1}\nT1S';

/**
 * The largest datagram sent. A UDP datagram carries at most 65,507 bytes; spans that would not fit
 * in one are split over several (each a whole `ExportTraceServiceRequest`); a single span that
 * does not fit alone is dropped, counted in {@link OtlpUdpSpanExporter.dropped}.
 */
export const MAX_DATAGRAM_BYTES = 64_000;

/** `host:port` of the trace endpoint: `AWS_XRAY_DAEMON_ADDRESS` (`host:port`, or `udp:host:port tcp:host:port`). */
export function traceEndpoint(address: string | undefined): { host: string; port: number } {
  const udp = (address ?? '').split(/\s+/).map((part) => part.replace(/^udp:/, '')).find((part) => !part.startsWith('tcp:') && part !== '');
  const [host, port] = (udp ?? DEFAULT_TRACE_ENDPOINT).split(':');
  const portNumber = Number(port);
  if (!host || !Number.isInteger(portNumber) || portNumber <= 0 || portNumber > 65535) {
    return traceEndpoint(DEFAULT_TRACE_ENDPOINT);
  }
  return { host, port: portNumber };
}

/**
 * An OpenTelemetry span exporter to the Lambda environment's trace endpoint (the one
 * `AWS_XRAY_DAEMON_ADDRESS` names, which Lambda runs when the function has active tracing): OTLP
 * protobuf over UDP, which X-Ray turns into the function's subsegments. Sending never throws and
 * never waits for an answer (UDP has none): a failing export is reported to its callback, and the
 * invocation goes on.
 */
export class OtlpUdpSpanExporter implements SpanExporter {
  /** Spans dropped because one alone did not fit in a datagram. */
  public dropped = 0;
  private socket: dgram.Socket | undefined;
  private readonly endpoint: { host: string; port: number };

  constructor(address: string | undefined = process.env.AWS_XRAY_DAEMON_ADDRESS) {
    this.endpoint = traceEndpoint(address);
  }

  public export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.send(spans).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  public async shutdown(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  public async forceFlush(): Promise<void> {
    // Every export has been handed to the socket when its promise settles: nothing is buffered here.
  }

  private async send(spans: readonly ReadableSpan[]): Promise<void> {
    // One datagram after the other, so that a burst never fills the endpoint's receive buffer at once.
    for (const datagram of this.datagrams(spans)) {
      await new Promise<void>((resolve, reject) => {
        this.openSocket().send(datagram, this.endpoint.port, this.endpoint.host, (err) => (err ? reject(err) : resolve()));
      });
    }
  }

  /** The spans as datagrams of at most {@link MAX_DATAGRAM_BYTES}, splitting the list in halves until each fits. */
  private datagrams(spans: readonly ReadableSpan[]): Buffer[] {
    if (spans.length === 0) return [];
    const payload = ProtobufTraceSerializer.serializeRequest(spans as ReadableSpan[]);
    if (payload === undefined) throw new Error('the OTLP serializer returned nothing');
    const datagram = Buffer.from(OTLP_UDP_PREFIX + Buffer.from(payload).toString('base64'), 'utf8');
    if (datagram.length <= MAX_DATAGRAM_BYTES) return [datagram];
    if (spans.length === 1) {
      this.dropped++;
      return [];
    }
    const half = Math.ceil(spans.length / 2);
    return [...this.datagrams(spans.slice(0, half)), ...this.datagrams(spans.slice(half))];
  }

  private openSocket(): dgram.Socket {
    if (this.socket === undefined) {
      const socket = dgram.createSocket('udp4');
      // An unreachable endpoint (ICMP port unreachable, a bad address) is an 'error' event: without a
      // listener Node.js would throw it from the event loop and end the process. Traces are best effort.
      socket.on('error', () => undefined);
      // The socket must not keep the event loop alive (tests, the operations command).
      socket.unref();
      this.socket = socket;
    }
    return this.socket;
  }
}
