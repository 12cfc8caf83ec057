import { randomUUID } from 'crypto';
import * as http from 'http';
import * as net from 'net';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FunctionError, LocalFunction } from './local-function';
import { mulberry32 } from './prng';

/** One function the Lambda service hosts. */
export interface LambdaServiceFunction {
  readonly name: string;
  /** The running function (the service invokes it; it does not stop it). */
  readonly fn: LocalFunction;
  /** What GetFunctionConfiguration reports as its environment variables. */
  readonly environment: Record<string, string>;
  /** Where failed asynchronous events go after the last retry (on-failure DLQ). */
  readonly deadLetterQueueUrl?: string;
  /** What GetFunctionConfiguration reports as DeadLetterConfig.TargetArn. */
  readonly deadLetterQueueArn?: string;
  /** Retries of a failed asynchronous event (Lambda's MaximumRetryAttempts). @default 2 */
  readonly retryAttempts?: number;
  /** Asynchronous events run at once. @default 4 */
  readonly maxConcurrency?: number;
}

export interface LambdaServiceOptions {
  readonly functions: LambdaServiceFunction[];
  /** SQS client for the dead-letter queues (pointed at moto directly, not through a fault proxy). */
  readonly sqs: SQSClient;
  /** First retry delay of an asynchronous event; each further retry waits twice as long (Lambda: ~1 min, ~2 min). @default 50 */
  readonly retryDelayMs?: number;
  /** A seeded share of Invoke calls answered 429 TooManyRequestsException, before anything runs. */
  readonly throttle?: { readonly rate: number; readonly seed?: number };
  /** Called with one line per notable event (retries, dead-lettering, DLQ failures). */
  readonly log?: (line: string) => void;
}

/** What the service has done so far. */
export interface LambdaServiceCounters {
  /** Invoke calls accepted (any invocation type; not the throttled ones). */
  invocationsAccepted: number;
  /** Of those, asynchronous (`Event`) ones. */
  asyncAccepted: number;
  /** Handler runs (first attempts, retries and synchronous invocations). */
  handlerRuns: number;
  /** Handler runs that ended in a function error. */
  handlerErrors: number;
  /** Asynchronous retries scheduled after a function error. */
  retries: number;
  /** Events sent to a dead-letter queue after the last retry. */
  deadLettered: number;
  /** Failed events dropped: no dead-letter queue, or SendMessage to it failed. */
  dropped: number;
  /** Invoke calls answered 429 TooManyRequestsException. */
  throttled: number;
}

/** The ARN the service gives a function. */
export function functionArn(name: string): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
}

/** The function name of a FunctionName path parameter: a name, a partial or full ARN, maybe with a qualifier. */
export function functionNameOf(raw: string): string {
  const decoded = decodeURIComponent(raw);
  const arn = /^(?:arn:aws[\w-]*:lambda:[\w-]+:)?(?:\d{12}:)?function:([^:]+)(?::[^:]+)?$/.exec(decoded);
  return arn ? arn[1] : decoded;
}

interface AsyncEvent {
  readonly requestId: string;
  readonly payload: string;
  /** 0 for the first attempt. */
  attempt: number;
}

interface Hosted {
  readonly spec: LambdaServiceFunction;
  readonly queue: AsyncEvent[];
  running: number;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const CONFIG_PATH = /^\/2015-03-31\/functions\/([^/]+)\/configuration$/;

/**
 * A local stand-in for the Lambda service, speaking enough of its REST API for the AWS SDK v3
 * LambdaClient (pointed at it with `endpoint`): Invoke (`Event`, `RequestResponse`, `DryRun`)
 * and GetFunctionConfiguration. Asynchronous events are queued and run as Lambda runs them:
 * a function error is retried `retryAttempts` times with back-off, then the original event is
 * sent to the function's dead-letter queue with the attributes Lambda sets (RequestID,
 * ErrorCode, ErrorMessage). Listens on 127.0.0.1 only.
 */
export class LambdaService {
  /** Starts the service on a free port of 127.0.0.1. */
  public static async start(options: LambdaServiceOptions): Promise<LambdaService> {
    const service = new LambdaService(options);
    await service.listen();
    return service;
  }

  public readonly counters: LambdaServiceCounters = {
    invocationsAccepted: 0, asyncAccepted: 0, handlerRuns: 0, handlerErrors: 0, retries: 0, deadLettered: 0, dropped: 0, throttled: 0,
  };
  private readonly server: http.Server;
  private readonly hosted = new Map<string, Hosted>();
  private readonly random: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  /** Asynchronous events queued, running or waiting for a retry. */
  private pending = 0;
  private port = 0;

  private constructor(private readonly options: LambdaServiceOptions) {
    for (const spec of options.functions) {
      this.hosted.set(spec.name, { spec, queue: [], running: 0 });
    }
    this.random = mulberry32(options.throttle?.seed ?? 1);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) sendError(res, 500, 'ServiceException', err.message);
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 1000;
  }

  /** Hosts one more function: one that calls this service needs its endpoint before it starts. */
  public host(spec: LambdaServiceFunction): void {
    if (this.hosted.has(spec.name)) throw new Error(`${spec.name} is already hosted`);
    this.hosted.set(spec.name, { spec, queue: [], running: 0 });
  }

  /** e.g. `http://127.0.0.1:40123` */
  public get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves when no asynchronous event is queued, running or waiting for a retry. */
  public async whenIdle(): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops listening and cancels pending retries (events still running finish in their function). */
  public async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const invoke = INVOKE_PATH.exec(url.pathname);
    const config = CONFIG_PATH.exec(url.pathname);
    if (req.method === 'POST' && invoke) return this.invoke(functionNameOf(invoke[1]), req, body, res);
    if (req.method === 'GET' && config) return this.configuration(functionNameOf(config[1]), res);
    sendError(res, 404, 'UnknownOperationException', `Unknown operation ${req.method} ${url.pathname}`);
  }

  private configuration(name: string, res: http.ServerResponse): void {
    const hosted = this.hosted.get(name);
    if (!hosted) return notFound(res, name);
    const { spec } = hosted;
    sendJson(res, 200, {
      FunctionName: spec.name,
      FunctionArn: functionArn(spec.name),
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Version: '$LATEST',
      State: 'Active',
      LastUpdateStatus: 'Successful',
      Environment: { Variables: spec.environment },
      ...(spec.deadLetterQueueArn ? { DeadLetterConfig: { TargetArn: spec.deadLetterQueueArn } } : {}),
    });
  }

  private async invoke(name: string, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const hosted = this.hosted.get(name);
    if (!hosted) return notFound(res, name);
    const throttleRate = this.options.throttle?.rate ?? 0;
    if (throttleRate > 0 && this.random() < throttleRate) {
      this.counters.throttled += 1;
      res.setHeader('Retry-After', '0');
      return sendError(res, 429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User' });
    }
    const payload = body.length === 0 ? '{}' : body.toString('utf8');
    try {
      JSON.parse(payload);
    } catch {
      return sendError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json', { Type: 'User' });
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    if (type === 'DryRun') {
      this.counters.invocationsAccepted += 1;
      res.writeHead(204).end();
      return;
    }
    if (type === 'Event') {
      this.counters.invocationsAccepted += 1;
      this.counters.asyncAccepted += 1;
      this.enqueue(hosted, { requestId, payload, attempt: 0 });
      res.writeHead(202, { 'Content-Length': '0' }).end();
      return;
    }
    if (type !== 'RequestResponse') {
      return sendError(res, 400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`, { Type: 'User' });
    }
    this.counters.invocationsAccepted += 1;
    await this.invokeSync(hosted, payload, res);
  }

  private async invokeSync(hosted: Hosted, payload: string, res: http.ServerResponse): Promise<void> {
    this.counters.handlerRuns += 1;
    try {
      const result = await hosted.spec.fn.invoke(JSON.parse(payload));
      const text = JSON.stringify(result ?? null);
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'Content-Length': Buffer.byteLength(text) }).end(text);
    } catch (err) {
      this.counters.handlerErrors += 1;
      const text = JSON.stringify(errorPayload(err));
      res.writeHead(200, {
        'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST', 'X-Amz-Function-Error': 'Unhandled', 'Content-Length': Buffer.byteLength(text),
      }).end(text);
    }
  }

  private enqueue(hosted: Hosted, event: AsyncEvent): void {
    this.pending += 1;
    hosted.queue.push(event);
    this.drain(hosted);
  }

  private drain(hosted: Hosted): void {
    const limit = hosted.spec.maxConcurrency ?? 4;
    while (hosted.running < limit && hosted.queue.length > 0) {
      const event = hosted.queue.shift()!;
      hosted.running += 1;
      void this.runAsync(hosted, event).finally(() => {
        hosted.running -= 1;
        this.drain(hosted);
      });
    }
  }

  /** One attempt of an asynchronous event; then a retry, the dead-letter queue, or done. */
  private async runAsync(hosted: Hosted, event: AsyncEvent): Promise<void> {
    this.counters.handlerRuns += 1;
    let error: unknown;
    try {
      await hosted.spec.fn.invoke(JSON.parse(event.payload));
    } catch (err) {
      error = err ?? new Error('unknown error');
    }
    if (error === undefined) return this.settle();
    this.counters.handlerErrors += 1;
    const retryAttempts = hosted.spec.retryAttempts ?? 2;
    if (event.attempt < retryAttempts) {
      this.counters.retries += 1;
      const delay = (this.options.retryDelayMs ?? 50) * 2 ** event.attempt;
      event.attempt += 1;
      this.log(`${hosted.spec.name} ${event.requestId}: attempt ${event.attempt} failed (${messageOf(error)}); retry in ${delay} ms`);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        // A retry runs when its delay is up, ahead of the backlog of first attempts: its delay
        // (not the depth of the queue) decides when it runs, as for Lambda's scheduled retries.
        hosted.queue.unshift(event);
        this.drain(hosted);
      }, delay);
      this.timers.add(timer);
      return;
    }
    await this.deadLetter(hosted, event, error);
    this.settle();
  }

  /** Sends the original event to the function's DLQ with the attributes Lambda sets. */
  private async deadLetter(hosted: Hosted, event: AsyncEvent, error: unknown): Promise<void> {
    const queueUrl = hosted.spec.deadLetterQueueUrl;
    if (!queueUrl) {
      this.counters.dropped += 1;
      this.log(`${hosted.spec.name} ${event.requestId}: failed ${event.attempt + 1} times, no dead-letter queue: dropped`);
      return;
    }
    try {
      await this.options.sqs.send(new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: event.payload,
        MessageAttributes: {
          RequestID: { DataType: 'String', StringValue: event.requestId },
          // The status code of the Invoke response: 200 for a function error.
          ErrorCode: { DataType: 'Number', StringValue: '200' },
          ErrorMessage: { DataType: 'String', StringValue: messageOf(error).slice(0, 1000) || 'Unhandled' },
        },
      }));
      this.counters.deadLettered += 1;
      this.log(`${hosted.spec.name} ${event.requestId}: failed ${event.attempt + 1} times: sent to the dead-letter queue`);
    } catch (err) {
      this.counters.dropped += 1;
      this.log(`${hosted.spec.name} ${event.requestId}: SendMessage to the dead-letter queue failed (${messageOf(err)}): dropped`);
    }
  }

  private settle(): void {
    this.pending -= 1;
    if (this.pending === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

function messageOf(err: unknown): string {
  if (err instanceof FunctionError) return `${err.errorName}: ${err.message.replace(/^.*? failed: [^:]+: /, '')}`;
  return err instanceof Error ? err.message : String(err);
}

/** The payload Lambda returns for an unhandled function error. */
function errorPayload(err: unknown): Record<string, unknown> {
  if (err instanceof FunctionError) {
    return { errorType: err.errorName, errorMessage: err.message.replace(/^.*? failed: [^:]+: /, ''), trace: (err.errorStack ?? '').split('\n') };
  }
  return { errorType: 'Error', errorMessage: err instanceof Error ? err.message : String(err), trace: [] };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

/** An error as the Lambda API sends it: the type in x-amzn-ErrorType and in the body. */
function sendError(res: http.ServerResponse, status: number, type: string, message: string, extra: Record<string, unknown> = {}): void {
  res.setHeader('x-amzn-ErrorType', type);
  sendJson(res, status, { ...extra, message, __type: type });
}

function notFound(res: http.ServerResponse, name: string): void {
  sendError(res, 404, 'ResourceNotFoundException', `Function not found: ${functionArn(name)}`, { Type: 'User' });
}
