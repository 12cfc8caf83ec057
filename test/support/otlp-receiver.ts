import * as dgram from 'node:dgram';
import * as protobuf from 'protobufjs';

// The fields of OTLP's trace protobuf (opentelemetry-proto, collector/trace/v1 and trace/v1) that the
// tests read; a decoder skips the others.
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  repeated Event events = 11; Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
`;
const REQUEST = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: true }).root.lookupType('otlp.ExportTraceServiceRequest');

/** The header and payload kind of a datagram to Lambda's trace endpoint (OTLP, sampled). */
const PREFIX = '{"format":"json","version":1}\nT1S';

/** An attribute value as the tests compare it. */
export type AttributeValue = string | number | boolean | AttributeValue[];

/** A span as received, its ids in hex. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  /** 1 internal, 2 server, 3 client (OTLP's SpanKind). */
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, AttributeValue>;
  /** The resource the span came with (`service.name`, …). */
  readonly resource: Record<string, AttributeValue>;
  /** 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
}

function value(v: any): AttributeValue {
  switch (v?.value) {
    case 'string_value': return v.string_value;
    case 'bool_value': return v.bool_value;
    case 'int_value': return Number(v.int_value);
    case 'double_value': return v.double_value;
    case 'array_value': return (v.array_value?.values ?? []).map(value);
    default: return '';
  }
}

function attributes(list: any[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');

/** Decodes one datagram sent to the trace endpoint; throws when it is not the OTLP-over-UDP format. */
export function decodeDatagram(datagram: Buffer): ReceivedSpan[] {
  const text = datagram.toString('utf8');
  if (!text.startsWith(PREFIX)) throw new Error(`not an OTLP datagram: ${JSON.stringify(text.slice(0, 60))}`);
  const request = REQUEST.toObject(REQUEST.decode(Buffer.from(text.slice(PREFIX.length), 'base64')), { longs: String, oneofs: true }) as any;
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resource_spans ?? []) {
    const resource = attributes(rs.resource?.attributes);
    for (const ss of rs.scope_spans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: hex(s.trace_id),
          spanId: hex(s.span_id),
          parentSpanId: hex(s.parent_span_id),
          name: s.name,
          kind: s.kind ?? 0,
          startNs: BigInt(s.start_time_unix_nano ?? 0),
          endNs: BigInt(s.end_time_unix_nano ?? 0),
          attributes: attributes(s.attributes),
          resource,
          statusCode: s.status?.code ?? 0,
          events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attributes(e.attributes) })),
        });
      }
    }
  }
  return spans;
}

/**
 * A stand-in for the Lambda environment's trace endpoint: a UDP socket on 127.0.0.1 that decodes
 * every datagram (OTLP protobuf, base64, after the endpoint's header) into spans.
 */
export class OtlpUdpReceiver {
  public static async start(): Promise<OtlpUdpReceiver> {
    const receiver = new OtlpUdpReceiver();
    await new Promise<void>((resolve) => receiver.socket.bind(0, '127.0.0.1', resolve));
    return receiver;
  }

  public readonly spans: ReceivedSpan[] = [];
  public readonly datagrams: Buffer[] = [];
  /** Datagrams that were not OTLP (each with the decoding error). */
  public readonly malformed: string[] = [];
  private readonly socket = dgram.createSocket('udp4');

  private constructor() {
    this.socket.on('message', (msg) => {
      this.datagrams.push(msg);
      try {
        this.spans.push(...decodeDatagram(msg));
      } catch (err) {
        this.malformed.push(String(err));
      }
    });
  }

  /** `host:port`, as `AWS_XRAY_DAEMON_ADDRESS` gives it. */
  public get address(): string {
    const { address, port } = this.socket.address();
    return `${address}:${port}`;
  }

  /** The spans of one trace (its id in hex, without the X-Ray dashes). */
  public trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** Waits until `predicate` holds for the spans received (UDP is asynchronous). */
  public async waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(`OTLP receiver: condition not met; received ${JSON.stringify(this.spans.map((s) => ({ ...s, startNs: String(s.startNs), endNs: String(s.endNs) })), null, 1).slice(0, 4000)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
