import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..');

/** A running moto server on 127.0.0.1. */
export interface Emulator {
  /** e.g. `http://127.0.0.1:40123` */
  readonly endpoint: string;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). Safe to call twice. */
  stop(): Promise<void>;
}

/** Credentials and region the emulator accepts; never real ones. */
/** The account moto server answers as (its default): the owner of every bucket it holds. */
export const EMULATOR_ACCOUNT_ID = '123456789012';

export const EMULATOR_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
} as const;

/** Creates (or reuses) the project's .venv with the pinned moto and returns its bin directory. */
export function pythonBin(): string {
  return execFileSync('bash', [path.join(ROOT, 'scripts', 'python-env.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function ping(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const running = new Set<ChildProcess>();
function killAll(): void {
  for (const child of running) {
    child.kill('SIGKILL');
  }
}
process.once('exit', killAll);

/** Options of {@link startMoto}. */
export interface StartMotoOptions {
  readonly timeoutMs?: number;
  /**
   * Variables merged over this process's environment for the server, e.g.
   * `INITIAL_NO_AUTH_ACTION_COUNT` (moto's IAM authorization: after that many requests, every
   * request is authorized against its caller's IAM policies).
   */
  readonly env?: Record<string, string>;
}

/**
 * Starts moto server (from the project-local .venv, installed on first use) on 127.0.0.1 on a
 * free port and waits until it answers. The server is killed when this process exits, even
 * when `stop()` is never reached.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<Emulator> {
  const bin = pythonBin();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(path.join(bin, 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
    running.delete(child);
  });

  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await ping(`${endpoint}/moto-api/`))) {
    if (exited) {
      throw new Error(`moto server exited before answering on ${endpoint}:\n${stderr}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto server did not answer on ${endpoint} within ${options.timeoutMs ?? 30_000} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const stop = async (): Promise<void> => {
    if (exited) return;
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
  };
  return { endpoint, pid: child.pid ?? -1, stop };
}

/** Resets every service of the emulator (between test files). */
export async function resetMoto(endpoint: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = http.request(`${endpoint}/moto-api/reset`, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`moto reset answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Makes moto's Lambda accept functions and invocations without Docker (it stores the code, runs nothing). */
export async function useLambdaWithoutDocker(endpoint: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const req = http.request(`${endpoint}/moto-api/config`, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ lambda: { use_docker: false } }));
  });
}
