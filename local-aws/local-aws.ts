/* eslint-disable no-console */
/**
 * A local AWS on this machine: LocalStack (open-source edition) as a host process, listening on
 * 127.0.0.1 and on the Docker bridge's gateway address (the only address the functions' containers
 * can reach the host on), with every Lambda function in a container of a locally built runtime
 * image. `startLocalAws()` installs and starts what is missing — the Docker engine, the runtime
 * images, LocalStack — and `stop()` ends all of it, in reverse order: the function containers,
 * LocalStack, and the Docker engine if it was started here.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { RegionInfo } from 'aws-cdk-lib/region-info';

export const ROOT = path.resolve(__dirname, '..');
const HERE = __dirname;

/** The account and Region LocalStack answers for, and credentials it accepts (never real ones). */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Lambda runtimes → the images `images/build.sh` builds (LocalStack's LAMBDA_RUNTIME_IMAGE_MAPPING). */
const RUNTIME_IMAGES: Record<string, string> = {
  'nodejs24.x': 'tap-local/lambda-nodejs:latest',
  'nodejs22.x': 'tap-local/lambda-nodejs:latest',
  'nodejs20.x': 'tap-local/lambda-nodejs:latest',
  'python3.13': 'tap-local/lambda-python:latest',
  'python3.12': 'tap-local/lambda-python:latest',
};

/** Prefix of the function containers' names (LocalStack names them `<main container>-lambda-…`), one per port. */
const containerPrefix = (port: number) => `tap-local-aws-${port}`;

export interface LocalAws {
  /** `http://127.0.0.1:<port>`: the endpoint of every service. */
  readonly endpoint: string;
  /** Environment for an AWS SDK, the AWS CLI or the CDK CLI talking to this local AWS. */
  readonly env: Record<string, string>;
  /** LocalStack's log file. */
  readonly logFile: string;
  /** Seconds each stage of the start took (the Docker engine, the images, LocalStack's install and start). */
  readonly startTimes: Readonly<Record<string, number>>;
  /** Stops everything started (safe to call twice). */
  stop(): Promise<void>;
}

function bash(script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('bash', [path.join(HERE, script), ...args], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function ping(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** The host's address on Docker's default bridge (docker0): where the functions' containers reach LocalStack. */
function bridgeGateway(): string {
  const out = spawnSync('docker', ['network', 'inspect', 'bridge', '--format', '{{range .IPAM.Config}}{{.Gateway}}{{end}} {{index .Options "com.docker.network.bridge.name"}}'], { encoding: 'utf8' });
  const [gateway, bridgeName] = out.stdout.split(' ').map((part) => part.trim());
  if (/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) return gateway;
  // Docker 20.10 leaves the default bridge's gateway out of its IPAM view: read it from the interface
  // (which is down while no container runs, so Node's os.networkInterfaces() does not list it).
  const ip = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', bridgeName || 'docker0'], { encoding: 'utf8' });
  const address = /inet (\d+\.\d+\.\d+\.\d+)/.exec(ip.stdout ?? '')?.[1];
  if (!address) throw new Error(`cannot find the Docker bridge's address (docker network inspect bridge: ${out.stdout.trim() || out.stderr.trim()})`);
  return address;
}

function removeFunctionContainers(port: number): void {
  const list = spawnSync('docker', ['ps', '-aq', '--filter', `name=^${containerPrefix(port)}-lambda-`], { encoding: 'utf8' });
  const ids = list.stdout.split('\n').filter(Boolean);
  if (ids.length > 0) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
}

export interface StartOptions {
  /** Port of LocalStack's gateway (default 4566, or LOCAL_AWS_PORT). */
  readonly port?: number;
  /** Folder for logs (default .tmp/local-aws). */
  readonly logDir?: string;
  /**
   * Serve the functions' containers at the URLs AWS's own code builds (default false): HTTPS on port 443
   * of the bridge address, with a certificate the containers trust, and a DNS server there that answers
   * `*.localhost.localstack.cloud` and `<api>.execute-api.<region>.amazonaws.com` with it. The CDK's
   * Node.js custom-resource handlers (integ-tests' assertions, autoDeleteObjects) need it. Ports 443
   * and 53 are the machine's: one local AWS at a time can have it.
   */
  readonly awsUrls?: boolean;
}

/** The names LocalStack's certificate is for: its own, and every commercial Region's API Gateway endpoints. */
function certificateNames(bridge: string): string[] {
  const regions = RegionInfo.regions.filter((region) => region.partition === 'aws').map((region) => region.name);
  return [
    'localhost', '127.0.0.1', bridge,
    'localhost.localstack.cloud', '*.localhost.localstack.cloud', '*.execute-api.localhost.localstack.cloud',
    // An API's URL ends in the Region's AWS::URLSuffix: amazonaws.com on AWS, localhost.localstack.cloud here.
    ...regions.flatMap((region) => [`*.execute-api.${region}.amazonaws.com`, `*.execute-api.${region}.localhost.localstack.cloud`]),
  ];
}

export async function startLocalAws(options: StartOptions = {}): Promise<LocalAws> {
  const port = options.port ?? Number(process.env.LOCAL_AWS_PORT ?? 4566);
  const logDir = options.logDir ?? path.join(ROOT, '.tmp', 'local-aws');
  fs.mkdirSync(logDir, { recursive: true });
  const cache = process.env.TAP_LOCAL_AWS_CACHE ?? path.join(os.homedir(), '.cache', 'tap-serverless-local-aws');
  const scriptEnv = { ...process.env, TAP_LOCAL_AWS_CACHE: cache };

  const startTimes: Record<string, number> = {};
  const timed = <T>(stage: string, fn: () => T): T => {
    const start = Date.now();
    try {
      return fn();
    } finally {
      startTimes[stage] = (Date.now() - start) / 1000;
    }
  };
  let dockerdPid = '';
  let localstack: ChildProcess | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (localstack?.pid && localstack.exitCode === null) {
      const exited = new Promise<void>((resolve) => localstack!.once('exit', () => resolve()));
      try {
        process.kill(-localstack.pid, 'SIGTERM');
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          process.kill(-localstack!.pid!, 'SIGKILL');
        } catch { /* already gone */ }
      }, 15_000);
      await exited;
      clearTimeout(timer);
    }
    removeFunctionContainers(port);
    if (dockerdPid) bash('docker-engine.sh', ['stop', dockerdPid]);
  };

  try {
    dockerdPid = timed('docker engine', () => bash('docker-engine.sh', ['start'], scriptEnv));
    timed('runtime images', () => bash('images/build.sh', [], scriptEnv));
    const python = timed('LocalStack install', () => bash('localstack/install.sh', [], scriptEnv));
    removeFunctionContainers(port); // left by a run that was killed

    const bridge = bridgeGateway();
    if ((await ping(`http://127.0.0.1:${port}/_localstack/health`)) !== 0) {
      throw new Error(`something already answers on 127.0.0.1:${port}: stop it, or choose another port with LOCAL_AWS_PORT`);
    }
    const awsUrls: Record<string, string> = {};
    if (options.awsUrls) {
      const tls = path.join(cache, 'tls');
      timed('certificate', () => bash('localstack/certificate.sh', [tls, ...certificateNames(bridge)], scriptEnv));
      const ca = '/etc/tap-local-aws/ca.pem';
      Object.assign(awsUrls, {
        CUSTOM_SSL_CERT_PATH: path.join(tls, 'server.pem'),
        DNS_ADDRESS: bridge,
        DNS_PORT: '53',
        DNS_RESOLVE_IP: bridge,
        // Names LocalStack does not answer itself go nowhere: this machine may have no resolver.
        DNS_SERVER: '127.0.0.1',
        LAMBDA_DOCKER_DNS: bridge,
        // Node.js adds the authority to its own; Python's ssl module (urllib) reads it instead of the system's.
        LAMBDA_DOCKER_FLAGS: `-v ${path.join(tls, 'ca.pem')}:${ca}:ro -e NODE_EXTRA_CA_CERTS=${ca} -e SSL_CERT_FILE=${ca}`,
        TAP_RESPONSE_URL_BASE: `https://${bridge}`,
      });
    }
    const logFile = path.join(logDir, 'localstack.log');
    const out = fs.openSync(logFile, 'w');
    const started = Date.now();
    localstack = spawn(python, [path.join(HERE, 'localstack', 'launch.py')], {
      cwd: logDir,
      detached: true, // its own process group: stop() ends LocalStack and everything it started
      stdio: ['ignore', out, out],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? os.homedir(),
        FILESYSTEM_ROOT: path.join(cache, 'localstack-filesystem'),
        OVERRIDE_IN_DOCKER: '0',
        GATEWAY_SERVER: 'hypercorn',
        GATEWAY_LISTEN: [`127.0.0.1:${port}`, `${bridge}:${port}`, ...(options.awsUrls ? [`${bridge}:443`] : [])].join(','),
        MAIN_CONTAINER_NAME: containerPrefix(port),
        SKIP_SSL_CERT_DOWNLOAD: '1',
        DNS_ADDRESS: '0',
        DISABLE_EVENTS: '1',
        LOCALSTACK_CLI: '0',
        // The functions are arm64 by default; their containers run on this machine's CPU (sharp's
        // native binaries are chosen by the app: the image function is synthesized for this CPU).
        LAMBDA_IGNORE_ARCHITECTURE: '1',
        LAMBDA_RUNTIME_IMAGE_MAPPING: JSON.stringify(RUNTIME_IMAGES),
        LAMBDA_REMOVE_CONTAINERS: '1',
        // Lambda's asynchronous retries after 1 s and 2 s (AWS: about 1 and 2 minutes), so that an event
        // that keeps failing reaches the dead-letter queue within a test.
        LAMBDA_RETRY_BASE_DELAY: '1',
        LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC: '2',
        ...awsUrls,
      },
    });
    fs.closeSync(out);
    const endpoint = `http://127.0.0.1:${port}`;
    while ((await ping(`${endpoint}/_localstack/init/ready`)) !== 200) {
      if (localstack.exitCode !== null) throw new Error(`LocalStack exited (${localstack.exitCode}); its log: ${logFile}\n${tail(logFile)}`);
      if (Date.now() - started > 120_000) throw new Error(`LocalStack did not answer within 120 s; its log: ${logFile}\n${tail(logFile)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    startTimes['LocalStack start'] = (Date.now() - started) / 1000;
    const env = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      CDK_DEFAULT_ACCOUNT: LOCAL_ACCOUNT,
      CDK_DEFAULT_REGION: LOCAL_REGION,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    };
    return { endpoint, env, logFile, startTimes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
