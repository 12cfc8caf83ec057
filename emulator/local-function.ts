import { ChildProcess, fork, spawn } from 'child_process';
import * as path from 'path';

/** An error thrown by a handler (what Lambda would report as a function error). */
export class FunctionError extends Error {
  constructor(public readonly functionName: string, public readonly errorName: string, message: string, public readonly errorStack?: string) {
    super(`${functionName} failed: ${errorName}: ${message}`);
    this.name = 'FunctionError';
  }
}

export interface LocalFunctionOptions {
  /** Directory of the bundled asset, e.g. assets/notifications/notification-handler.lambda */
  readonly assetDir: string;
  /** Handler spec as in the template, e.g. `index.handler`. */
  readonly handler: string;
  /** Environment of the function (merged over nothing: like Lambda, no inherited variables but PATH). */
  readonly environment: Record<string, string>;
  readonly functionName: string;
  readonly timeoutSeconds?: number;
  /** Called with every line the function writes to stdout/stderr (its logs). */
  readonly onLog?: (line: string) => void;
  /**
   * The function's runtime: Node.js (the bundled functions), or Python, run by this interpreter
   * (e.g. the project's .venv/bin/python, which has boto3 as the Lambda Python runtime does).
   *
   * @default - Node.js
   */
  readonly python?: string;
}

/**
 * One bundled Lambda function running in its own Node.js process, invoked over IPC.
 * Runs the real asset with real module loading, as Lambda does (jest's module sandbox cannot
 * run the AWS SDK's dynamic imports).
 */
export class LocalFunction {
  public static async start(options: LocalFunctionOptions): Promise<LocalFunction> {
    const fn = new LocalFunction(options);
    await fn.ready;
    return fn;
  }

  public readonly logs: string[] = [];
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private exited = false;

  private constructor(private readonly options: LocalFunctionOptions) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_LAMBDA_FUNCTION_NAME: options.functionName,
      ...options.environment,
    };
    const args = [path.resolve(options.assetDir), options.handler, options.functionName, String((options.timeoutSeconds ?? 60) * 1000)];
    // Both hosts speak the same messages over Node.js's IPC channel (one JSON message per line).
    this.child = options.python
      ? spawn(options.python, ['-u', path.join(__dirname, 'python-host.py'), ...args], {
        // No __pycache__ written into the function's code folder (an asset, or the repository's examples).
        env: { ...env, PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      })
      : fork(path.join(__dirname, 'lambda-host.js'), args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let buffer = '';
      stream?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          this.logs.push(line);
          options.onLog?.(line);
        }
      });
    }
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (msg: any) => {
        if (msg.type === 'ready') {resolve();} else if (msg.type === 'init-error') {reject(new FunctionError(options.functionName, msg.error.name, `init failed: ${msg.error.message}`, msg.error.stack));} else if (msg.type === 'result' || msg.type === 'error') {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.type === 'result') p?.resolve(msg.result);
          else p?.reject(new FunctionError(options.functionName, msg.error.name, msg.error.message, msg.error.stack));
        }
      });
      this.child.once('exit', (code) => {
        this.exited = true;
        const err = new Error(`${options.functionName} process exited (code ${code})\n${this.logs.slice(-20).join('\n')}`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
    });
  }

  /** Invokes the handler with `event`; rejects with a FunctionError when the handler throws. */
  public async invoke<R = unknown>(event: unknown): Promise<R> {
    if (this.exited) throw new Error(`${this.options.functionName} is not running`);
    const id = ++this.nextId;
    return new Promise<R>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ type: 'invoke', id, event });
    });
  }

  public async stop(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await done;
  }
}
