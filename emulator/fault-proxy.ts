import * as http from 'http';
import * as net from 'net';
import { mulberry32, pick } from './prng';

/**
 * Faults the proxy injects.
 * - `s3-internal-error`: S3's 500 InternalError (before forwarding: nothing applied)
 * - `s3-slow-down`: S3's 503 SlowDown (before forwarding)
 * - `dynamodb-throttling`: DynamoDB's 400 ThrottlingException (before forwarding)
 * - `dynamodb-internal-error`: DynamoDB's 500 InternalServerError (before forwarding)
 * - `reset`: the connection is reset before the request is forwarded (nothing applied)
 * - `reset-after`: the request is forwarded and applied, then the connection is reset before
 *   the response reaches the caller (applied, answer lost: the hard case for idempotency)
 */
export type FaultKind = 's3-internal-error' | 's3-slow-down' | 'dynamodb-throttling' | 'dynamodb-internal-error' | 'reset' | 'reset-after';

/** Every fault kind. */
export const FAULT_KINDS: readonly FaultKind[] = ['s3-internal-error', 's3-slow-down', 'dynamodb-throttling', 'dynamodb-internal-error', 'reset', 'reset-after'];

/** The service a request is for: DynamoDB when it has a `X-Amz-Target: DynamoDB_20120810.*` header, else S3. */
export type ProxiedService = 's3' | 'dynamodb';

const KINDS_OF: Record<ProxiedService, readonly FaultKind[]> = {
  s3: ['s3-internal-error', 's3-slow-down', 'reset', 'reset-after'],
  dynamodb: ['dynamodb-throttling', 'dynamodb-internal-error', 'reset', 'reset-after'],
};

export interface FaultProxyOptions {
  /** The endpoint requests are forwarded to, e.g. moto's `http://127.0.0.1:40123`. */
  readonly target: string;
  readonly seed: number;
  /** Share of requests answered with a fault, 0..1. */
  readonly rate: number;
  /** The kinds to inject (each request picks among those its service allows). @default FAULT_KINDS */
  readonly kinds?: readonly FaultKind[];
  /** A window (from the proxy's start) with another fault rate. */
  readonly storm?: { readonly startMs: number; readonly durationMs: number; readonly rate: number };
  /** S3 requests whose (decoded) path matches are always answered with 503 SlowDown: a fault aimed at one object. */
  readonly alwaysSlowDown?: RegExp;
}

/** What the proxy has seen and done. */
export interface FaultProxyCounters {
  /** Requests received, per service. */
  readonly requests: Record<ProxiedService, number>;
  /** Faults injected, per kind. */
  readonly faults: Record<FaultKind, number>;
  /** Faults injected, per service. */
  readonly faultsByService: Record<ProxiedService, number>;
  /** Forwarded requests that moto failed to answer (the caller's connection was reset). */
  upstreamErrors: number;
}

/** The service a request is for. */
export function serviceOf(req: http.IncomingMessage): ProxiedService {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith('DynamoDB_20120810.') ? 'dynamodb' : 's3';
}

/** Hop-by-hop headers, not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * An HTTP proxy on 127.0.0.1 in front of moto that forwards requests unchanged (headers
 * including `host`, so SigV4 signatures made for the proxy's address stay as they were; bodies
 * streamed both ways) and answers a seeded share of them with the faults S3 and DynamoDB really
 * produce. Point a client's endpoint (or a function's `AWS_ENDPOINT_URL`) at {@link endpoint}.
 */
export class FaultProxy {
  /** Starts the proxy on a free port of 127.0.0.1. */
  public static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const proxy = new FaultProxy(options);
    await proxy.listen();
    return proxy;
  }

  public readonly counters: FaultProxyCounters = {
    requests: { s3: 0, dynamodb: 0 },
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    faultsByService: { s3: 0, dynamodb: 0 },
    upstreamErrors: 0,
  };
  /** Set to false to forward everything unchanged (e.g. while verifying). */
  public enabled = true;
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly random: () => number;
  private readonly target: URL;
  private readonly startedAt = Date.now();
  private port = 0;
  private storm: FaultProxyOptions['storm'];

  private constructor(private readonly options: FaultProxyOptions) {
    this.storm = options.storm;
    this.random = mulberry32(options.seed);
    this.target = new URL(options.target);
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
  }

  /** e.g. `http://127.0.0.1:40124` */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Total faults injected. */
  public get totalFaults(): number {
    return Object.values(this.counters.faults).reduce((a, b) => a + b, 0);
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.agent.destroy();
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  /** Starts a storm now: `rate` for the next `durationMs` (replaces the configured window). */
  public startStorm(rate: number, durationMs: number): void {
    this.storm = { startMs: Date.now() - this.startedAt, durationMs, rate };
  }

  /** The fault rate now (the storm's inside its window). */
  private currentRate(): number {
    const storm = this.storm;
    const elapsed = Date.now() - this.startedAt;
    if (storm && elapsed >= storm.startMs && elapsed < storm.startMs + storm.durationMs) return storm.rate;
    return this.options.rate;
  }

  /** The fault for this request, if any (two PRNG draws per request, whatever the outcome). */
  private chooseFault(service: ProxiedService): FaultKind | undefined {
    const draw = this.random();
    const which = this.random();
    if (!this.enabled || draw >= this.currentRate()) return undefined;
    const allowed = KINDS_OF[service].filter((k) => (this.options.kinds ?? FAULT_KINDS).includes(k));
    return allowed.length === 0 ? undefined : pick(() => which, allowed);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const service = serviceOf(req);
    this.counters.requests[service] += 1;
    const aimed = service === 's3' && this.options.alwaysSlowDown?.test(decodeURIComponent((req.url ?? '').split('?')[0]));
    const fault = aimed ? 's3-slow-down' : this.chooseFault(service);
    if (fault) {
      this.counters.faults[fault] += 1;
      this.counters.faultsByService[service] += 1;
    }
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault && fault !== 'reset-after') {
      // Read the request to its end (nothing is forwarded), then answer as the service would.
      req.resume();
      req.once('end', () => answerFault(fault, req, res));
      return;
    }
    this.forward(req, res, fault === 'reset-after');
  }

  /** Forwards the request; with `loseResponse`, reads moto's whole answer and resets the caller's connection instead. */
  private forward(req: http.IncomingMessage, res: http.ServerResponse, loseResponse: boolean): void {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    }
    const upstream = http.request({
      protocol: this.target.protocol,
      hostname: this.target.hostname,
      port: this.target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: this.agent,
    }, (upstreamRes) => {
      if (loseResponse) {
        upstreamRes.resume();
        upstreamRes.once('end', () => req.socket.destroy());
        return;
      }
      const responseHeaders: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(upstreamRes.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) responseHeaders[name] = value;
      }
      res.writeHead(upstreamRes.statusCode ?? 502, responseHeaders);
      upstreamRes.pipe(res);
      upstreamRes.once('error', () => res.destroy());
    });
    upstream.once('error', () => {
      this.counters.upstreamErrors += 1;
      req.socket.destroy();
    });
    req.pipe(upstream);
  }
}

/** The error answer S3 or DynamoDB gives for a fault kind. */
function answerFault(fault: FaultKind, req: http.IncomingMessage, res: http.ServerResponse): void {
  const requestId = `FAULT${Math.floor(Math.random() * 1e12).toString(16).toUpperCase()}`;
  const noBody = req.method === 'HEAD';
  const send = (status: number, contentType: string, body: string, headers: http.OutgoingHttpHeaders = {}) => {
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': noBody ? 0 : Buffer.byteLength(body),
      ...headers,
    });
    res.end(noBody ? undefined : body);
  };
  switch (fault) {
    case 's3-internal-error':
      return send(500, 'application/xml', s3ErrorXml('InternalError', 'We encountered an internal error. Please try again.', requestId), { 'x-amz-request-id': requestId });
    case 's3-slow-down':
      return send(503, 'application/xml', s3ErrorXml('SlowDown', 'Please reduce your request rate.', requestId), { 'x-amz-request-id': requestId });
    case 'dynamodb-throttling':
      return send(400, 'application/x-amz-json-1.0', JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.',
      }), { 'x-amzn-RequestId': requestId });
    case 'dynamodb-internal-error':
      return send(500, 'application/x-amz-json-1.0', JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal server error',
      }), { 'x-amzn-RequestId': requestId });
    default:
      req.socket.destroy();
  }
}

function s3ErrorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>fault-proxy</HostId></Error>`;
}
