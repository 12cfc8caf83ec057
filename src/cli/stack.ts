import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ENV } from '../contract/env-names';
import { SERVICE_NAME } from '../contract/metric-names';

/**
 * What the operations commands work on, learned from the deployed functions themselves: the
 * construct sets each S3 function's bucket, table, prefixes and configuration fingerprint in its
 * environment, and its dead-letter queue in its DeadLetterConfig. So one function name — or one
 * stack name, whose resources list the functions — is enough to find everything else.
 */

/** One deployed S3 function and what it processes. */
export interface PipelineFunction {
  /** `images`, `data`, or `route` (a route's dispatcher, named by `routeName`). */
  readonly kind: 'images' | 'data' | 'route';
  /** The route's name (`kind: 'route'`). */
  readonly routeName?: string;
  /** Key endings it takes (a route's suffixes); empty or absent: every key under its prefix. */
  readonly suffixes?: readonly string[];
  readonly functionName: string;
  readonly bucket: string;
  readonly table: string;
  /** The prefix whose objects it processes, e.g. `images/`. */
  readonly inputPrefix: string;
  /** The output prefixes (thumbnails, reports): never processed. */
  readonly outputPrefixes: string[];
  /** The fingerprint of the configuration it runs with (outcome ids include it). */
  readonly fingerprint?: string;
  /** ARN of its dead-letter queue, when it has one. */
  readonly deadLetterQueueArn?: string;
  /** The account that owns its bucket (`TAP_BUCKET_OWNER`), when its environment names one. */
  readonly bucketOwner?: string;
}

/** A TapServerless pipeline: its bucket, table, dead-letter queue and S3 functions. */
export interface Pipeline {
  readonly bucket: string;
  /**
   * The account that owns the bucket, as the functions name it: every S3 request of the CLI then
   * carries it as `ExpectedBucketOwner`. Undefined with an explicit `--bucket`.
   */
  readonly bucketOwner?: string;
  readonly table: string;
  readonly queueUrl?: string;
  readonly functions: PipelineFunction[];
}

/** What the user told us; explicit names win over what the stack says. */
export interface PipelineQuery {
  readonly stackName?: string;
  readonly imageFunction?: string;
  readonly dataFunction?: string;
  /** Only these routes (their names): none of the image and data functions. */
  readonly routes?: readonly string[];
  readonly bucket?: string;
  readonly table?: string;
  readonly queueUrl?: string;
}

export interface AwsClients {
  readonly cloudformation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
}

/** A problem with what the user asked for (exit code 2), not with the pipeline. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Physical names of the Lambda functions of a CloudFormation stack (all pages). */
export async function stackFunctionNames(cloudformation: CloudFormationClient, stackName: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await cloudformation.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
    } catch (err) {
      // CloudFormation answers a stack that does not exist (or another Region's) with a ValidationError.
      if ((err as Error).name === 'ValidationError') throw new UsageError(`stack ${stackName}: ${(err as Error).message}`);
      throw err;
    }
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceType === 'AWS::Lambda::Function' && resource.PhysicalResourceId) names.push(resource.PhysicalResourceId);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return names;
}

/** Reads one function's configuration; undefined when it is not a TapServerless S3 function. */
export async function describeFunction(lambda: LambdaClient, functionName: string): Promise<PipelineFunction | undefined> {
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const env = config.Environment?.Variables ?? {};
  const service = env.POWERTOOLS_SERVICE_NAME;
  const routeName = env[ENV.ROUTE_NAME] || undefined;
  const kind = routeName !== undefined ? 'route'
    : service === SERVICE_NAME.IMAGE_PROCESSOR ? 'images' : service === SERVICE_NAME.DATA_VALIDATOR ? 'data' : undefined;
  if (kind === undefined) return undefined;
  const inputPrefix = env[kind === 'route' ? ENV.ROUTE_PREFIX : kind === 'images' ? ENV.IMAGES_PREFIX : ENV.DATA_PREFIX];
  const suffixes = (env[ENV.ROUTE_SUFFIXES] ?? '').split(',').filter((s) => s !== '');
  const bucket = env[ENV.BUCKET_NAME];
  const table = env[ENV.TABLE_NAME];
  if (!inputPrefix || !bucket || !table) return undefined;
  return {
    kind,
    ...(routeName !== undefined ? { routeName } : {}),
    ...(suffixes.length > 0 ? { suffixes } : {}),
    functionName: config.FunctionName ?? functionName,
    bucket,
    table,
    inputPrefix,
    outputPrefixes: [env[ENV.THUMBNAILS_PREFIX], env[ENV.REPORTS_PREFIX]].filter((p): p is string => !!p),
    fingerprint: env[ENV.CONFIG_FINGERPRINT] || undefined,
    // The function's own dead-letter target is the failure recorder's intake queue, which forwards every event to this one.
    deadLetterQueueArn: env[ENV.DEAD_LETTER_QUEUE] || config.DeadLetterConfig?.TargetArn,
    bucketOwner: env[ENV.BUCKET_OWNER] || undefined,
  };
}

/** The URL of a queue from its ARN (`arn:aws:sqs:region:account:name`). */
export async function queueUrlOf(sqs: SQSClient, queueArn: string): Promise<string> {
  const [, , , , account, name] = queueArn.split(':');
  if (!account || !name) throw new UsageError(`not a queue ARN: ${queueArn}`);
  const result = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  return result.QueueUrl!;
}

/**
 * Finds the pipeline from a stack name and/or explicit function names, then applies the explicit
 * bucket, table and queue. Fails with a UsageError naming what is missing or ambiguous.
 */
export async function resolvePipeline(clients: AwsClients, query: PipelineQuery): Promise<Pipeline> {
  const found: PipelineFunction[] = [];
  const explicit = [query.imageFunction, query.dataFunction].filter((n): n is string => !!n);
  for (const name of explicit) {
    const fn = await describeFunction(clients.lambda, name);
    if (!fn || fn.kind === 'route') throw new UsageError(`${name} is not a TapServerless image or data function (its environment does not say so)`);
    found.push(fn);
  }
  if (query.stackName) {
    const names = await stackFunctionNames(clients.cloudformation, query.stackName);
    const inStack: PipelineFunction[] = [];
    for (const name of names) {
      const fn = await describeFunction(clients.lambda, name);
      if (fn) inStack.push(fn);
    }
    if (query.routes !== undefined && query.routes.length > 0) {
      // --route: those routes' dispatchers only.
      const routes = inStack.filter((f) => f.kind === 'route');
      for (const name of query.routes) {
        const route = routes.find((f) => f.routeName === name);
        if (!route) {
          throw new UsageError(`stack ${query.stackName} has no route ${name} (its routes: ${routes.map((f) => f.routeName).join(', ') || 'none'})`);
        }
        found.push(route);
      }
      return pipelineOf(clients, query, found);
    }
    // Every route's dispatcher, beside the image and data functions.
    found.push(...inStack.filter((f) => f.kind === 'route'));
    for (const kind of ['images', 'data'] as const) {
      if (found.some((f) => f.kind === kind)) continue; // an explicit name wins
      const ofKind = inStack.filter((f) => f.kind === kind);
      if (ofKind.length > 1) {
        throw new UsageError(`stack ${query.stackName} holds ${ofKind.length} TapServerless ${kind} functions `
          + `(${ofKind.map((f) => f.functionName).join(', ')}): pass --${kind === 'images' ? 'image' : 'data'}-function`);
      }
      found.push(...ofKind);
    }
    if (found.length === 0) throw new UsageError(`stack ${query.stackName} has no TapServerless image or data function`);
  }
  if (found.length === 0) throw new UsageError('pass --stack NAME (or --image-function / --data-function)');
  if (query.routes !== undefined && query.routes.length > 0) throw new UsageError('--route needs --stack NAME');
  return pipelineOf(clients, query, found);
}

/** The pipeline of the functions found: their bucket, table and dead-letter queue, unless given. */
async function pipelineOf(clients: AwsClients, query: PipelineQuery, found: PipelineFunction[]): Promise<Pipeline> {
  const bucket = query.bucket ?? single(found.map((f) => f.bucket), 'bucket');
  const owners = [...new Set(found.map((f) => f.bucketOwner))];
  const bucketOwner = query.bucket === undefined && owners.length === 1 ? owners[0] : undefined;
  const table = query.table ?? single(found.map((f) => f.table), 'table');
  let queueUrl = query.queueUrl;
  if (!queueUrl) {
    const arns = [...new Set(found.map((f) => f.deadLetterQueueArn).filter((a): a is string => !!a))];
    if (arns.length === 1) queueUrl = await queueUrlOf(clients.sqs, arns[0]);
  }
  return { bucket, ...(bucketOwner ? { bucketOwner } : {}), table, queueUrl, functions: found.map((f) => ({ ...f, bucket, table })) };
}

function single(values: string[], what: string): string {
  const distinct = [...new Set(values)];
  if (distinct.length !== 1) throw new UsageError(`the functions name different ${what}s (${distinct.join(', ')}): pass --${what}`);
  return distinct[0];
}
