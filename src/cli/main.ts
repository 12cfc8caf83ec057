/* eslint-disable no-console */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { redrive, resolveTargets } from './redrive';

const USAGE = `Usage: npx cdk-tap-serverless redrive --queue-url URL --function-name NAME [--function-name NAME …] [--dry-run] [--max N]

Re-invokes the events waiting in a TapServerless dead-letter queue on the functions they came from,
asynchronously, and deletes each message once Lambda accepted its invocation. S3 events go to the
function whose input prefix holds their keys (pass the image and the data function: both share the
queue). Messages that cannot be routed or re-invoked stay in the queue. Uses the usual AWS credential
chain and region (AWS_PROFILE, AWS_REGION, …).

Options:
  --queue-url URL        the dead-letter queue (stack output or: aws sqs get-queue-url)
  --function-name NAME   a function to redrive to (name or ARN); repeatable
  --dry-run              show what would be redriven; invoke and delete nothing
  --max N                stop after N messages
  --help                 this text`;

interface Args {
  readonly command?: string;
  readonly queueUrl?: string;
  readonly functionNames: string[];
  readonly dryRun: boolean;
  readonly max?: number;
  readonly help: boolean;
}

export function parseArgs(argv: string[]): Args {
  let command: string | undefined;
  let queueUrl: string | undefined;
  const functionNames: string[] = [];
  let dryRun = false;
  let max: number | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--queue-url': queueUrl = value(); break;
      case '--function-name': functionNames.push(value()); break;
      case '--dry-run': dryRun = true; break;
      case '--max': {
        const raw = value();
        max = Number(raw);
        if (!Number.isInteger(max) || max < 1) throw new Error(`--max must be a positive whole number, got ${raw}`);
        break;
      }
      case '--help': case '-h': help = true; break;
      default:
        if (arg.startsWith('-') || command !== undefined) throw new Error(`unknown argument ${arg}`);
        command = arg;
    }
  }
  return { command, queueUrl, functionNames, dryRun, max, help };
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help || args.command === undefined) {
    console.log(USAGE);
    return args.help ? 0 : 2;
  }
  if (args.command !== 'redrive') {
    console.error(`error: unknown command ${args.command}\n\n${USAGE}`);
    return 2;
  }
  if (!args.queueUrl || args.functionNames.length === 0) {
    console.error(`error: --queue-url and at least one --function-name are required\n\n${USAGE}`);
    return 2;
  }
  const sqs = new SQSClient({});
  const lambda = new LambdaClient({});
  const targets = await resolveTargets(lambda, args.functionNames);
  for (const t of targets) {
    console.log(`target ${t.functionName}: ${t.inputPrefix ? `S3 keys under ${t.inputPrefix}` : 'any event'}`);
  }
  console.log(`${args.dryRun ? 'Dry run: reading' : 'Redriving'} ${args.queueUrl}`);
  const summary = await redrive(sqs, lambda, {
    queueUrl: args.queueUrl,
    targets,
    dryRun: args.dryRun,
    maxMessages: args.max,
    log: (line) => console.log(line),
  });
  console.log(`${summary.received} received, ${summary.redriven} redriven, ${summary.failed} failed, ` +
    `${summary.unroutable} left unroutable${summary.dryRun ? ' (dry run: nothing invoked or deleted)' : ''}`);
  return summary.failed > 0 || summary.unroutable > 0 ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  }, (err) => {
    console.error(`error: ${(err as Error).name}: ${(err as Error).message}`);
    process.exitCode = 1;
  });
}
