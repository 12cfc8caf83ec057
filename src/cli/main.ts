import * as fs from 'node:fs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ArgumentError, FlagSpec, numberFlag, parseCommandLine, ParsedArgs, stringFlag, stringsFlag, switchFlag } from './args';
import { printableOutput } from './printable';
import { Progress } from './progress';
import { formatReconcileReport, reconcile } from './reconcile';
import { redrive, RedriveTarget, resolveTargets } from './redrive';
import { reprocess, ReprocessSelection } from './reprocess';
import { Pipeline, PipelineQuery, resolvePipeline, UsageError } from './stack';
import { expectBucketOwner } from '../runtime/bucket-owner';

const FIND = `Finding the pipeline (one name is enough):
  --stack NAME            the CloudFormation stack holding the TapServerless construct: its image and
                          data functions, and from their configuration the bucket, table, prefixes and
                          dead-letter queue
  --image-function NAME   the image function (name or ARN), instead of or besides --stack
  --data-function NAME    the data function (name or ARN)
  --route NAME            only this route of the construct (Route.fromFunction); repeatable; with --stack.
                          Without it: the image and data functions and every route
  --bucket NAME | --table NAME | --queue-url URL   override what the functions say`;

const AWS = 'Uses the usual AWS credential chain and Region (AWS_PROFILE, AWS_REGION, …).';

const USAGE: Record<string, string> = {
  reconcile: `Usage: npx cdk-tap-serverless reconcile --stack NAME [--prefix P] [--inventory s3://…/manifest.json] [--show N] [--output FILE] [--json]

Read-only audit: checks that the current version of every object under each input prefix has an
outcome under its function's current configuration (BatchGetItem by outcome id; never a Scan), and
reports the counts per outcome type, the objects with no outcome, those recorded only under an
older configuration, and the dead-letter queue's depth. Exits 0 when every object has a current
outcome, 1 otherwise, 2 on a usage error. Progress goes to stderr. ${AWS}

${FIND}

Options:
  --prefix P              only keys under P (within an input prefix), e.g. images/2026/
  --inventory URL         read the objects from an S3 Inventory report (CSV, with the ETag field)
                          instead of listing the bucket: for buckets of many millions of objects
  --show N                how many keys of each list to print (default 20)
  --output FILE           write every object without a current outcome to FILE (JSON lines)
  --json                  print the report as JSON
  --help                  this text`,
  reprocess: `Usage: npx cdk-tap-serverless reprocess --stack NAME [--older | --all] [--prefix P] [--start-after KEY] [--rate N] [--concurrency N] [--batch N] [--dry-run] [--count] [--json]

Delivers objects to their function as S3 ObjectCreated:Put events, as S3 does (asynchronous
invocation: the function's retries and dead-letter queue apply). By default only the objects with
no outcome at all; --older adds those recorded only under an older configuration (after changing
imageThumbnailWidths or the schema); --all delivers every object (those already recorded under the
current configuration are recognised by the function as duplicates and not processed again).
Events carry up to --batch records and at most 256 KB. Exits 1 if any delivery failed; the summary
names the key to resume after. ${AWS}

${FIND}

Options:
  --older                 also objects recorded only under an older configuration
  --all                   every object under the prefixes
  --prefix P              only keys under P (within an input prefix)
  --start-after KEY       resume: only keys after KEY (the summary of an interrupted run names it)
  --inventory URL         read the objects from an S3 Inventory report (see reconcile --help)
  --rate N                deliver at most N objects per second (default: no limit)
  --concurrency N         Invoke requests in flight at once (default 4)
  --batch N               records per event, 1 to 100 (default 10)
  --dry-run               list what would be delivered; invoke nothing
  --count                 list the objects once first, for a progress bar with the time left
  --json                  print the summary as JSON
  --help                  this text`,
  redrive: `Usage: npx cdk-tap-serverless redrive (--stack NAME | --queue-url URL --function-name NAME …) [--dry-run] [--max N]

Re-invokes the events waiting in a TapServerless dead-letter queue on the functions they came from,
asynchronously, and deletes each message once Lambda accepted its invocation. S3 events go to the
function whose input prefix holds their keys (the image and the data function share the queue).
Messages that cannot be routed or re-invoked stay in the queue. ${AWS}

${FIND}

Options:
  --function-name NAME    a function to redrive to (name or ARN); repeatable; instead of --stack
  --dry-run               show what would be redriven; invoke and delete nothing
  --max N                 stop after N messages
  --help                  this text`,
};

const GENERAL = `Usage: npx cdk-tap-serverless <command> [options]

Operations commands for a deployed TapServerless pipeline:
  reconcile   audit: does every object have an outcome under the current configuration?
  reprocess   deliver objects (missing ones, older ones, or all) to their function again
  redrive     re-invoke the events waiting in the dead-letter queue

npx cdk-tap-serverless <command> --help   shows a command's options.`;

const FIND_FLAGS: FlagSpec = {
  'stack': 'string',
  'image-function': 'string',
  'data-function': 'string',
  'route': 'strings',
  'bucket': 'string',
  'table': 'string',
  'queue-url': 'string',
};

const SPECS: Record<string, FlagSpec> = {
  reconcile: { ...FIND_FLAGS, prefix: 'string', inventory: 'string', show: 'int', output: 'string', json: 'switch' },
  reprocess: {
    ...FIND_FLAGS,
    'prefix': 'string',
    'inventory': 'string',
    'older': 'switch',
    'all': 'switch',
    'start-after': 'string',
    'rate': 'number',
    'concurrency': 'int',
    'batch': 'int',
    'dry-run': 'switch',
    'count': 'switch',
    'json': 'switch',
  },
  redrive: { ...FIND_FLAGS, 'function-name': 'strings', 'dry-run': 'switch', 'max': 'int' },
};

/** The AWS clients the commands use. */
export interface CliClients {
  readonly s3: S3Client;
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly cloudformation: CloudFormationClient;
}

/**
 * Clients from the environment's credentials, Region and endpoints (AWS_ENDPOINT_URL_* included).
 * With an endpoint given for SQS, requests go to it: the SQS client otherwise sends each request to the
 * host of the queue URL it names, which an endpoint in front of SQS (a local AWS, a proxy) does not serve.
 */
export function defaultClients(env: NodeJS.ProcessEnv = process.env): CliClients {
  const sqsEndpointGiven = Boolean(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL);
  return {
    s3: new S3Client({}),
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    sqs: new SQSClient({ useQueueUrlAsEndpoint: !sqsEndpointGiven }),
    lambda: new LambdaClient({}),
    cloudformation: new CloudFormationClient({}),
  };
}

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (progress rewritten in place). */
  readonly tty?: boolean;
  readonly clients?: () => CliClients;
  /** Set to stop a reprocess between events (Ctrl-C). */
  readonly stopRequested?: () => boolean;
}

/** Parses arguments; usage errors throw ArgumentError. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  return parseCommandLine(argv, (command) => SPECS[command]);
}

/** Runs one command line; returns the exit code (0 done, 1 incomplete or failed, 2 usage error). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof ArgumentError)) throw err;
    io.err(`error: ${err.message}\n\n${usageFor(argv.find((a) => SPECS[a] !== undefined))}\n`);
    return 2;
  }
  if (args.command === undefined || args.help) {
    io.out(usageFor(args.command));
    return args.command === undefined && !args.help ? 2 : 0;
  }
  if (SPECS[args.command] === undefined) {
    io.err(`error: unknown command ${args.command}\n\n${GENERAL}\n`);
    return 2;
  }
  const clients = (io.clients ?? defaultClients)();
  try {
    switch (args.command) {
      case 'reconcile': return await runReconcile(args, io, clients);
      case 'reprocess': return await runReprocess(args, io, clients);
      default: return await runRedrive(args, io, clients);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function usageFor(command: string | undefined): string {
  return (command && USAGE[command]) || GENERAL;
}

function query(args: ParsedArgs): PipelineQuery {
  return {
    stackName: stringFlag(args, 'stack'),
    imageFunction: stringFlag(args, 'image-function'),
    dataFunction: stringFlag(args, 'data-function'),
    routes: stringsFlag(args, 'route'),
    bucket: stringFlag(args, 'bucket'),
    table: stringFlag(args, 'table'),
    queueUrl: stringFlag(args, 'queue-url'),
  };
}

function describePipeline(pipeline: Pipeline): string {
  const fns = pipeline.functions.map((f) => `${f.inputPrefix} → ${f.functionName}`).join(', ');
  return `Pipeline: bucket ${pipeline.bucket}, table ${pipeline.table}; ${fns}`;
}

/**
 * The pipeline the arguments name, and the clients to use on it: S3 requests carry the bucket's
 * owner (from the functions' environment) as `ExpectedBucketOwner`.
 */
async function resolveWithClients(args: ParsedArgs, clients: CliClients): Promise<{ pipeline: Pipeline; clients: CliClients }> {
  const pipeline = await resolvePipeline(clients, query(args));
  const s3 = pipeline.bucketOwner ? expectBucketOwner(clients.s3, pipeline.bucketOwner) : clients.s3;
  return { pipeline, clients: { ...clients, s3 } };
}

async function runReconcile(args: ParsedArgs, io: CliIo, allClients: CliClients): Promise<number> {
  const { pipeline, clients } = await resolveWithClients(args, allClients);
  const json = switchFlag(args, 'json');
  const outputFile = stringFlag(args, 'output');
  const output = outputFile ? fs.openSync(outputFile, 'w') : undefined;
  const progress = new Progress('reconcile', { write: io.err, tty: io.tty, rateOf: 'checked' });
  try {
    const report = await reconcile(clients, {
      pipeline,
      prefix: stringFlag(args, 'prefix'),
      inventory: stringFlag(args, 'inventory'),
      show: numberFlag(args, 'show'),
      progress,
      onUnreconciled: output === undefined ? undefined : (o) => fs.writeSync(output, `${JSON.stringify(o)}\n`),
    });
    io.out(json ? JSON.stringify(report, null, 2) : formatReconcileReport(report, { stack: stringFlag(args, 'stack') }));
    if (outputFile && !json) io.out(`Every object without a current outcome: ${outputFile}`);
    return report.complete ? 0 : 1;
  } finally {
    if (output !== undefined) fs.closeSync(output);
  }
}

async function runReprocess(args: ParsedArgs, io: CliIo, allClients: CliClients): Promise<number> {
  if (switchFlag(args, 'all') && switchFlag(args, 'older')) throw new UsageError('--all already includes --older: pass one of them');
  const batchSize = numberFlag(args, 'batch');
  if (batchSize !== undefined && batchSize > 100) throw new UsageError(`--batch must be at most 100, got ${batchSize}`);
  const { pipeline, clients } = await resolveWithClients(args, allClients);
  const selection: ReprocessSelection = switchFlag(args, 'all') ? 'all' : switchFlag(args, 'older') ? 'older' : 'missing';
  const json = switchFlag(args, 'json');
  const dryRun = switchFlag(args, 'dry-run');
  if (!json) io.out(describePipeline(pipeline));
  const progress = new Progress(dryRun ? 'reprocess (dry run)' : 'reprocess', { write: io.err, tty: io.tty, rateOf: 'listed' });
  const summary = await reprocess(clients, {
    pipeline,
    selection,
    prefix: stringFlag(args, 'prefix'),
    inventory: stringFlag(args, 'inventory'),
    startAfter: stringFlag(args, 'start-after'),
    batchSize,
    ratePerSecond: numberFlag(args, 'rate'),
    concurrency: numberFlag(args, 'concurrency'),
    dryRun,
    countFirst: switchFlag(args, 'count'),
    region: await clients.lambda.config.region(),
    log: json ? undefined : io.out,
    progress,
    stopRequested: io.stopRequested,
  });
  if (json) {
    io.out(JSON.stringify(summary, null, 2));
  } else {
    const what = { missing: 'without an outcome', older: 'without a current outcome', all: 'in scope' }[selection];
    io.out(`${summary.listed} objects listed, ${summary.selected} ${what}; `
      + (summary.dryRun ? `${summary.selected} would be delivered in ${summary.events} events (dry run: nothing invoked)`
        : `${summary.delivered} delivered in ${summary.events} events, ${summary.failed} failed`
          + (summary.throttled > 0 ? `, ${summary.throttled} throttled invokes retried` : ''))
      + ` (${summary.elapsedSeconds.toFixed(1)} s)`);
    if (summary.stopped || summary.failed > 0) {
      io.out(summary.resumeAfter
        ? `To resume: npx cdk-tap-serverless reprocess … --start-after '${summary.resumeAfter}'`
        : 'To resume: run the same command again');
    } else if (!summary.dryRun && summary.delivered > 0) {
      io.out('The functions process the events asynchronously: run reconcile once they are done.');
    }
  }
  return summary.failed > 0 || summary.stopped ? 1 : 0;
}

async function runRedrive(args: ParsedArgs, io: CliIo, clients: CliClients): Promise<number> {
  const functionNames = stringsFlag(args, 'function-name');
  let queueUrl = stringFlag(args, 'queue-url');
  let targets: RedriveTarget[];
  if (functionNames.length > 0) {
    if (!queueUrl) throw new UsageError('--function-name needs --queue-url (or pass --stack alone)');
    targets = await resolveTargets(clients.lambda, functionNames);
  } else {
    if (!stringFlag(args, 'stack') && !stringFlag(args, 'image-function') && !stringFlag(args, 'data-function')) {
      throw new UsageError('pass --stack NAME, or --queue-url and at least one --function-name');
    }
    const pipeline = await resolvePipeline(clients, query(args));
    queueUrl ??= pipeline.queueUrl;
    if (!queueUrl) throw new UsageError('the functions have no dead-letter queue: pass --queue-url');
    targets = pipeline.functions.map((f) => ({
      functionName: f.functionName, inputPrefix: f.inputPrefix, ...(f.suffixes ? { suffixes: f.suffixes } : {}),
    }));
  }
  for (const t of targets) {
    const suffixes = t.suffixes?.length ? ` ending with ${t.suffixes.join(' or ')}` : '';
    io.out(`target ${t.functionName}: ${t.inputPrefix ? `S3 keys under ${t.inputPrefix}${suffixes}` : 'any event'}`);
  }
  const dryRun = switchFlag(args, 'dry-run');
  io.out(`${dryRun ? 'Dry run: reading' : 'Redriving'} ${queueUrl}`);
  const summary = await redrive(clients.sqs, clients.lambda, {
    queueUrl, targets, dryRun, maxMessages: numberFlag(args, 'max'), log: io.out,
  });
  io.out(`${summary.received} received, ${summary.redriven} redriven, ${summary.failed} failed, `
    + `${summary.unroutable} left unroutable${summary.dryRun ? ' (dry run: nothing invoked or deleted)' : ''}`);
  return summary.failed > 0 || summary.unroutable > 0 ? 1 : 0;
}

if (require.main === module) {
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nStopping after the events in flight (Ctrl-C again to quit at once)…\n');
  });
  runCli(process.argv.slice(2), {
    // Keys and messages are escaped where they are formatted; this is the last guard for the rest.
    out: (line) => process.stdout.write(`${printableOutput(line)}\n`),
    err: (text) => process.stderr.write(text),
    stopRequested: () => interrupted,
  }).then((code) => {
    process.exitCode = code;
  }, (err) => {
    process.stderr.write(`error: ${(err as Error).name}: ${printableOutput((err as Error).message)}\n`);
    process.exitCode = 1;
  });
}
