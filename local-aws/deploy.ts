/* eslint-disable no-console */
/**
 * `npx projen deploy:local`: deploys the example app (examples/app.ts) with the project's CDK CLI
 * onto a local AWS (LocalStack, functions in containers; see docs/local-deploy.md), runs the
 * acceptance against the deployed stack, then destroys it and checks what is retained — in each
 * ingestion mode in turn. Everything it starts is stopped at the end, also on failure or Ctrl-C.
 *
 *   ts-node local-aws/deploy.ts [--ingestion direct|queue|eventBridge|all] [--keep]
 *
 * --keep leaves the last stack deployed and the local AWS running until Ctrl-C (to try it by hand:
 * the environment to use is printed). Exits 1 when any check fails, naming it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CloudFormationClient, DescribeStackResourcesCommand, StackResource } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AcceptanceContext, Checks, queueNameOf, runAcceptance, StackOutputs } from './acceptance';
import { run } from './command';
import { LocalAws, LOCAL_ACCOUNT, LOCAL_REGION, ROOT, startLocalAws } from './local-aws';

const STACK = 'TapServerlessExample';
const MODES = ['direct', 'queue', 'eventBridge'] as const;
type Mode = (typeof MODES)[number];

const phases: Array<[string, number]> = [];
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = Date.now();
  console.log(`\n▶ ${name}`);
  try {
    return await fn();
  } finally {
    phases.push([name, (Date.now() - start) / 1000]);
  }
}

function parseArgs(argv: string[]): { modes: Mode[]; keep: boolean } {
  let modes: Mode[] = [...MODES];
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--keep') {keep = true;} else if (argv[i] === '--ingestion') {
      const value = argv[++i];
      if (value === 'all') modes = [...MODES];
      else if ((MODES as readonly string[]).includes(value)) modes = [value as Mode];
      else throw new Error(`--ingestion ${value}: use one of ${MODES.join(', ')} or all`);
    } else {
      throw new Error(`unknown argument ${argv[i]}; usage: deploy.ts [--ingestion direct|queue|eventBridge|all] [--keep]`);
    }
  }
  return { modes, keep };
}

/** Context the example app is synthesized with in one mode. */
function contextArgs(mode: Mode): string[] {
  // sharp's native binaries run only on their own CPU, and the functions' containers run on this one.
  const imageArchitecture = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  const args = ['-c', `ingestion=${mode}`, '-c', `imageArchitecture=${imageArchitecture}`];
  // The queue mode's poison message must be retried and dead-lettered within the run: a 10 s image
  // function gets a 60 s visibility timeout (6 × its timeout), and 2 receives before the dead-letter queue.
  if (mode === 'queue') args.push('-c', 'imageTimeoutSeconds=10', '-c', 'maxReceiveCount=2');
  return args;
}

async function exists(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

/** After `cdk destroy`: every resource the template retains is still there, and the functions are gone. */
async function checkRetained(local: LocalAws, template: any, resources: StackResource[], checks: Checks): Promise<void> {
  const config = { endpoint: local.endpoint, region: LOCAL_REGION };
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  const sqs = new SQSClient(config);
  const ddb = new DynamoDBClient(config);
  const iam = new IAMClient(config);
  const lambda = new LambdaClient(config);
  const logs = new CloudWatchLogsClient(config);
  const physical = new Map(resources.map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  const retained = Object.entries<any>(template.Resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
  const probes: Record<string, (id: string) => Promise<unknown>> = {
    'AWS::S3::Bucket': (id) => s3.send(new HeadBucketCommand({ Bucket: id })),
    'AWS::SQS::Queue': async (id) => {
      const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueNameOf(id) }))).QueueUrl;
      return sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    },
    'AWS::DynamoDB::Table': (id) => ddb.send(new DescribeTableCommand({ TableName: id })),
    'AWS::IAM::Role': (id) => iam.send(new GetRoleCommand({ RoleName: id })),
    'AWS::Logs::LogGroup': async (id) => {
      const found = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: id }));
      if (!found.logGroups?.some((g) => g.logGroupName === id)) throw new Error(`no log group ${id}`);
    },
  };
  for (const [logicalId, resource] of retained) {
    const probe = probes[resource.Type];
    const id = physical.get(logicalId);
    if (!probe || !id) {
      // AWS::ApiGateway::Account is the account's API Gateway setting (its CloudWatch role), not a resource to find.
      console.log(`    · ${resource.Type} ${logicalId}: retained by the template (not probed: ${!probe ? 'an account setting' : 'no physical id'})`);
      continue;
    }
    checks.check(await exists(() => probe(id)), `retained after destroy: ${resource.Type} ${id}`);
  }
  for (const [logicalId, resource] of Object.entries<any>(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !physical.get(logicalId)) continue;
    checks.check(!(await exists(() => lambda.send(new GetFunctionCommand({ FunctionName: physical.get(logicalId) })))),
      `deleted by destroy: function ${physical.get(logicalId)}`);
  }
}

async function main(): Promise<void> {
  const { modes, keep } = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-deploy-local-'));
  let local: LocalAws | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\n▶ stopping the local AWS (function containers, LocalStack, the Docker engine if started here)');
    await local?.stop();
    fs.rmSync(work, { recursive: true, force: true });
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(130));

  const checks = new Checks();
  try {
    local = await phase('starting the local AWS: Docker engine, runtime images, LocalStack', () => startLocalAws());
    for (const [stage, seconds] of Object.entries(local.startTimes)) phases.push([`  ${stage}`, seconds]);
    Object.assign(process.env, local.env); // the acceptance's SDK clients, and every command run from here
    const env = process.env;
    const cdk = (args: string[], quiet = false) => run('npx', ['cdk', '--no-notices', ...args], { cwd: path.join(ROOT, 'examples'), env, quiet });

    await phase('cdk bootstrap', async () => {
      const boot = await cdk(['bootstrap', `aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`], true);
      if (boot.status !== 0) throw new Error(`cdk bootstrap failed:\n${boot.output}`);
      console.log(`    ${boot.output.trim().split('\n').pop()}`);
    });

    for (const mode of modes) {
      console.log(`\n════ ingestion mode: ${mode} ════`);
      const outdir = path.join(work, `cdk.out.${mode}`);
      const outputsFile = path.join(work, `outputs.${mode}.json`);
      const deployed = await phase(`${mode}: cdk deploy`, () => cdk(['deploy', STACK, ...contextArgs(mode), '--output', outdir,
        '--outputs-file', outputsFile, '--require-approval', 'never', '--progress', 'events'], true));
      const events = deployed.output.split('\n').filter((l) => /CREATE_COMPLETE|FAILED/.test(l));
      console.log(`    ${events.filter((l) => l.includes('CREATE_COMPLETE')).length} CREATE_COMPLETE events`);
      if (!checks.check(deployed.status === 0, `${mode}: cdk deploy ${STACK} → ${deployed.status === 0 ? 'CREATE_COMPLETE' : `failed:\n${events.filter((l) => l.includes('FAILED')).join('\n')}`}`)) {
        console.log(deployed.output.split('\n').slice(-30).join('\n'));
        continue;
      }
      // LocalStack marks a resource type it has no provider for as created without creating anything.
      const unsupported = [...new Set([...fs.readFileSync(local.logFile, 'utf8').matchAll(/No resource provider found for "([^"]+)"/g)].map((m) => m[1]))];
      checks.check(unsupported.length === 0, `${mode}: every resource of the template was created by a resource provider${unsupported.length ? ` (only recorded: ${unsupported.join(', ')})` : ''}`);
      const outputs: StackOutputs = JSON.parse(fs.readFileSync(outputsFile, 'utf8'))[STACK];
      const template = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK}.template.json`), 'utf8'));
      const ctx: AcceptanceContext = {
        mode,
        outputs,
        endpoint: local.endpoint,
        region: LOCAL_REGION,
        stackName: STACK,
        cli: (args) => {
          const result = spawnSync(process.execPath, [path.join(ROOT, 'assets', 'cli', 'main', 'index.js'), ...args], { env, encoding: 'utf8' });
          const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
          console.log(output.trim().split('\n').filter((l: string) => !/^\s*$/.test(l)).slice(0, 12).map((l: string) => `      │ ${l}`).join('\n'));
          return { status: result.status ?? 1, output };
        },
      };
      await phase(`${mode}: acceptance`, () => runAcceptance(ctx, checks));
      if (keep && mode === modes[modes.length - 1]) break;
      const resources = (await new CloudFormationClient({ endpoint: local.endpoint, region: LOCAL_REGION })
        .send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? [];
      const destroyed = await phase(`${mode}: cdk destroy`, () => cdk(['destroy', STACK, ...contextArgs(mode), '--output', outdir, '--force'], true));
      checks.check(destroyed.status === 0, `${mode}: cdk destroy ${STACK} → exit ${destroyed.status}`);
      await phase(`${mode}: retained resources`, () => checkRetained(local!, template, resources, checks));
    }
  } catch (err) {
    checks.failures.push(String((err as Error)?.message ?? err));
    console.log(`\n✗ ${(err as Error)?.stack ?? err}`);
  }

  console.log('\nphase durations:');
  for (const [name, seconds] of phases) console.log(`  ${seconds.toFixed(1).padStart(7)} s  ${name}`);
  console.log(`\nlocal deployment: ${checks.passed} passed, ${checks.failures.length} failed`);
  for (const f of checks.failures) console.log(`  ✗ ${f}`);
  if (keep && local && checks.failures.length === 0) {
    console.log(`\nThe stack stays deployed; LocalStack answers on ${local.endpoint} (log: ${local.logFile}). Use:`);
    console.log(Object.entries(local.env).map(([k, v]) => `  export ${k}=${v}`).join('\n'));
    console.log('Ctrl-C stops everything.');
    return;
  }
  await shutdown(checks.failures.length === 0 ? 0 : 1);
}

void main();
