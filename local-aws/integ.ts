/* eslint-disable no-console */
/**
 * `npx projen integ:local`: integ-runner (the project's pinned version) deploys the integ test
 * (test/integ.tap-serverless.ts) onto the local AWS, runs every assertion in the local Lambda
 * containers, and destroys the stack. Everything it starts is stopped at the end, also on failure or
 * Ctrl-C. The committed snapshot is left as it was: integ-runner rewrites it after a successful run,
 * and this run synthesizes the image function for this machine's CPU.
 *
 *   ts-node local-aws/integ.ts
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from './command';
import { LocalAws, LOCAL_ACCOUNT, ROOT, startLocalAws } from './local-aws';

/** The integ test's Region (its IntegTest `regions`). */
const INTEG_REGION = 'eu-west-1';
const SNAPSHOT = path.join(ROOT, 'test', 'integ.tap-serverless.ts.snapshot');

/**
 * Each assertion's result, from the answers of the integ stack's custom resources in LocalStack's log
 * (integ-runner names the failed ones only).
 */
function printAssertions(logFile: string): void {
  const answers = [...fs.readFileSync(logFile, 'utf8').matchAll(/custom resource \S+ Custom::DeployAssert@(\S+) Create: (\w+) (".*?(?<!\\)") (.*)$/gm)];
  console.log(`\nassertions (${answers.length} calls of the assertion stack, in order):`);
  for (const [, kind, status, result, call] of answers) {
    console.log(`  ${status === 'SUCCESS' ? '✓' : '✗'} ${kind.padEnd(28)} ${describeCall(JSON.parse(call))}  → ${JSON.parse(result) || status}`);
  }
}

/** What an assertion called: the object key, the API request, or the URL. */
function describeCall(call: unknown): string {
  if (typeof call === 'string') return call;
  const parameters = Object.fromEntries(Object.entries(call as Record<string, string>).map(([name, value]) => {
    try {
      return [name, JSON.parse(value)];
    } catch {
      return [name, value];
    }
  }));
  if (typeof parameters.Payload === 'string') {
    const payload = JSON.parse(parameters.Payload);
    if (typeof payload.url !== 'string') return `${parameters.FunctionName?.split(':').pop() ?? 'invoke'} ${JSON.stringify(payload).slice(0, 80)}`;
    return `${payload.method} ${new URL(payload.url).pathname.split('/').slice(2).join('/')}${new URL(payload.url).search}`;
  }
  if (typeof parameters.url === 'string') return `GET ${new URL(parameters.url).pathname} (unsigned)`;
  return parameters.Key ?? parameters.QueueUrl ?? JSON.stringify(parameters).slice(0, 100);
}

async function main(): Promise<void> {
  const started = Date.now();
  const saved = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-integ-snapshot-'));
  fs.cpSync(SNAPSHOT, saved, { recursive: true });
  let local: LocalAws | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n▶ stopping the local AWS');
    await local?.stop();
    fs.rmSync(SNAPSHOT, { recursive: true, force: true });
    fs.cpSync(saved, SNAPSHOT, { recursive: true });
    fs.rmSync(saved, { recursive: true, force: true });
    for (const entry of fs.readdirSync(path.join(ROOT, 'test'))) {
      if (entry.startsWith('cdk-integ.out.')) fs.rmSync(path.join(ROOT, 'test', entry), { recursive: true, force: true });
    }
    console.log(`\nintegration test on the local AWS: ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(130));

  try {
    console.log('▶ starting the local AWS (HTTPS and DNS for the functions\' containers)');
    local = await startLocalAws({ awsUrls: true });
    console.log(`    ${Object.entries(local.startTimes).map(([stage, s]) => `${stage} ${s.toFixed(1)} s`).join(', ')}`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...local.env,
      AWS_REGION: INTEG_REGION,
      AWS_DEFAULT_REGION: INTEG_REGION,
      CDK_DEFAULT_REGION: INTEG_REGION,
      // The functions' containers run on this machine's CPU: the image function's sharp binaries must match it.
      TAP_INTEG_IMAGE_ARCHITECTURE: process.arch === 'arm64' ? 'arm64' : 'x86_64',
      // The local AWS evaluates no event bus policy: the forged put on the outcome bus is expected to be accepted here.
      TAP_INTEG_LOCAL_AWS: '1',
    };
    console.log(`\n▶ cdk bootstrap aws://${LOCAL_ACCOUNT}/${INTEG_REGION}`);
    const boot = await run('npx', ['cdk', '--no-notices', 'bootstrap', `aws://${LOCAL_ACCOUNT}/${INTEG_REGION}`], { cwd: path.join(ROOT, 'examples'), env, quiet: true });
    if (boot.status !== 0) throw new Error(`cdk bootstrap failed:\n${boot.output}`);
    console.log('\n▶ integ-runner: deploy, assertions, destroy');
    const integ = await run('npx', ['integ-runner', '--language', 'typescript', '--force', '--no-update-workflow',
      '--parallel-regions', INTEG_REGION, '--inspect-failures', '--verbose'], { env });
    printAssertions(local.logFile);
    if (integ.status !== 0) {
      console.log(`\nLocalStack's log: ${local.logFile}`);
      return await shutdown(1);
    }
    return await shutdown(0);
  } catch (err) {
    console.log(`\n✗ ${(err as Error)?.stack ?? err}`);
    return shutdown(1);
  }
}

void main();
