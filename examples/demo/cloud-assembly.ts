import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * Reads what the local run needs from a synthesized cloud assembly (cdk.out): the functions
 * (handler, environment, asset directory), the bucket, the table, the S3 notification routes and
 * the API methods. Nothing is copied from the construct's code: everything comes from the
 * template and the asset manifest, as CloudFormation and Lambda would see them.
 */

type Json = any;

export interface FunctionSpec {
  readonly logicalId: string;
  readonly handler: string;
  readonly runtime: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** The function's environment, with Ref/GetAtt/Join resolved by the caller's resolver. */
  readonly environment: Record<string, string>;
  /** Absolute path of the asset directory (the unzipped code). */
  readonly assetDir: string;
}

export interface RouteSpec {
  readonly functionLogicalId: string;
  readonly events: string[];
  readonly prefix: string;
  readonly suffix: string;
  /** How the upload reaches the function: an S3 notification invoking it, one to its queue, or an EventBridge rule. */
  readonly via: 'direct' | 'queue' | 'eventbridge';
  /** The queue's logical id (`via: 'queue'`). */
  readonly queueLogicalId?: string;
  /** Messages per invocation of the queue's event source mapping (`via: 'queue'`). */
  readonly batchSize?: number;
}

export interface MethodSpec {
  readonly httpMethod: string;
  /** e.g. `/notifications/{id}` */
  readonly resourcePath: string;
  readonly integrationType: string;
  readonly authorizationType: string;
  /** Lambda proxy integrations: the function behind it. */
  readonly functionLogicalId?: string;
  /** MOCK integrations: the response template of the 200 response. */
  readonly responseTemplate?: string;
}

export interface TableSpec {
  readonly logicalId: string;
  readonly properties: Json;
}

export interface PipelineSpec {
  readonly stackName: string;
  readonly bucketLogicalId: string;
  readonly bucketVersioned: boolean;
  readonly table: TableSpec;
  readonly functions: Map<string, FunctionSpec>;
  /**
   * The functions routes pass objects to (a dispatcher's `TAP_ROUTE_FUNCTION`), by logical id: your
   * functions, in any runtime, that the dispatchers invoke.
   */
  readonly routeFunctions: Map<string, FunctionSpec>;
  readonly routes: RouteSpec[];
  readonly methods: MethodSpec[];
}

/** Physical names the local run gives to resources (CloudFormation would generate them). */
export type Resolver = (logicalId: string, attribute?: string) => string;

export function readPipeline(assemblyDir: string, resolve: Resolver): PipelineSpec {
  const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
  const stacks = Object.entries<Json>(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  if (stacks.length !== 1) {
    throw new Error(`expected one stack in ${assemblyDir}, found ${stacks.length}`);
  }
  const [stackName, stack] = stacks[0];
  const template = JSON.parse(fs.readFileSync(path.join(assemblyDir, stack.properties.templateFile), 'utf8'));
  const assetsArtifact = Object.values<Json>(manifest.artifacts).find((a) => a.type === 'cdk:asset-manifest');
  const assets = JSON.parse(fs.readFileSync(path.join(assemblyDir, assetsArtifact.properties.file), 'utf8'));
  const resources: Record<string, Json> = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  // Asset object key (<hash>.zip) → directory in the assembly. A zip asset (the image processor's code is
  // one, deployed as it is) is unzipped once beside it, as Lambda would unzip it.
  const assetDirs = new Map<string, string>();
  for (const file of Object.values<Json>(assets.files)) {
    const source = path.join(assemblyDir, file.source.path);
    const dir = file.source.packaging === 'file' && source.endsWith('.zip') ? unzipped(source) : source;
    for (const destination of Object.values<Json>(file.destinations)) {
      assetDirs.set(destination.objectKey, dir);
    }
  }

  const value = (v: Json): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (v && typeof v === 'object') {
      if ('Ref' in v) return resolve(v.Ref);
      if ('Fn::GetAtt' in v) return resolve(v['Fn::GetAtt'][0], v['Fn::GetAtt'][1]);
      if ('Fn::Join' in v) return (v['Fn::Join'][1] as Json[]).map(value).join(v['Fn::Join'][0]);
    }
    throw new Error(`cannot resolve ${JSON.stringify(v)}`);
  };

  // The functions uploads reach (not aws-cdk-lib's helpers): through the bucket's notification
  // configuration (to a function, or to a queue an event source mapping reads), or EventBridge rules.
  const filterOf = (c: Json) => {
    const rules: Json[] = c.Filter?.Key?.FilterRules ?? [];
    return {
      prefix: rules.find((r) => r.Name.toLowerCase() === 'prefix')?.Value ?? '',
      suffix: rules.find((r) => r.Name.toLowerCase() === 'suffix')?.Value ?? '',
    };
  };
  const notifications = ofType('Custom::S3BucketNotifications');
  if (notifications.length > 1) throw new Error(`expected at most one S3 notification configuration, found ${notifications.length}`);
  const notificationProps = notifications[0]?.[1].Properties;
  const config = notificationProps?.NotificationConfiguration ?? {};
  const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
  const routes: RouteSpec[] = [
    ...((config.LambdaFunctionConfigurations ?? []) as Json[]).map((c): RouteSpec => ({
      functionLogicalId: c.LambdaFunctionArn['Fn::GetAtt'][0], events: c.Events, ...filterOf(c), via: 'direct',
    })),
    ...((config.QueueConfigurations ?? []) as Json[]).map((c): RouteSpec => {
      const queueLogicalId: string = c.QueueArn['Fn::GetAtt'][0];
      const mapping = mappings.find((m) => m.EventSourceArn?.['Fn::GetAtt']?.[0] === queueLogicalId);
      if (!mapping) throw new Error(`no event source mapping reads queue ${queueLogicalId}`);
      return {
        functionLogicalId: mapping.FunctionName.Ref, events: c.Events, ...filterOf(c), via: 'queue', queueLogicalId, batchSize: mapping.BatchSize ?? 10,
      };
    }),
  ];
  let bucketLogicalId: string | undefined = notificationProps?.BucketName?.Ref;
  for (const [, rule] of ofType('AWS::Events::Rule')) {
    const pattern = rule.Properties.EventPattern;
    if (!pattern?.source?.includes('aws.s3')) continue;
    bucketLogicalId ??= pattern.detail.bucket.name[0].Ref;
    // A key pattern per entry: `{ prefix }`, or `{ wildcard: "<prefix>*<suffix>" }` for a route with suffixes.
    for (const key of pattern.detail.object.key as Json[]) {
      routes.push({
        functionLogicalId: rule.Properties.Targets[0].Arn['Fn::GetAtt'][0],
        events: (pattern['detail-type'] as string[]).map((t) => (t === 'Object Created' ? 's3:ObjectCreated:*' : t)),
        ...('wildcard' in key ? wildcardFilter(key.wildcard) : { prefix: key.prefix, suffix: '' }),
        via: 'eventbridge',
      });
    }
  }
  if (routes.length === 0 || bucketLogicalId === undefined) throw new Error('the template routes no upload to a function');

  const pathOf = (resourceId: Json): string => {
    if (resourceId['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
    const r = resources[resourceId.Ref];
    return `${pathOf(r.Properties.ParentId)}/${r.Properties.PathPart}`;
  };
  const methods: MethodSpec[] = ofType('AWS::ApiGateway::Method').map(([, m]) => {
    const p = m.Properties;
    const uri = JSON.stringify(p.Integration?.Uri ?? '');
    const fnMatch = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri);
    return {
      httpMethod: p.HttpMethod,
      resourcePath: pathOf(p.ResourceId) || '/',
      integrationType: p.Integration?.Type,
      authorizationType: p.AuthorizationType ?? 'NONE',
      functionLogicalId: p.Integration?.Type === 'AWS_PROXY' ? fnMatch?.[1] : undefined,
      responseTemplate: p.Integration?.IntegrationResponses?.find((r: Json) => r.StatusCode === '200')?.ResponseTemplates?.['application/json'],
    };
  });

  const functionIds = new Set([...routes.map((r) => r.functionLogicalId), ...methods.flatMap((m) => m.functionLogicalId ?? [])]);
  const functionOf = (id: string): FunctionSpec => {
    const p = resources[id]?.Properties;
    if (!p) throw new Error(`function ${id} is not in the template`);
    const assetDir = assetDirs.get(value(p.Code.S3Key));
    if (!assetDir) throw new Error(`asset of function ${id} (${JSON.stringify(p.Code.S3Key)}) is not in the asset manifest`);
    return {
      logicalId: id,
      handler: p.Handler,
      runtime: p.Runtime,
      memorySize: p.MemorySize ?? 128,
      timeoutSeconds: p.Timeout ?? 3,
      environment: Object.fromEntries(Object.entries<Json>(p.Environment?.Variables ?? {}).map(([k, v]) => [k, value(v)])),
      assetDir,
    };
  };
  const functions = new Map([...functionIds].map((id) => [id, functionOf(id)]));
  const routeFunctionIds = [...functionIds]
    .map((id) => resources[id].Properties.Environment?.Variables?.TAP_ROUTE_FUNCTION?.['Fn::GetAtt']?.[0])
    .filter((id): id is string => typeof id === 'string');
  const routeFunctions = new Map(routeFunctionIds.map((id) => [id, functionOf(id)]));

  const tables = ofType('AWS::DynamoDB::Table');
  if (tables.length !== 1) throw new Error(`expected one DynamoDB table, found ${tables.length}`);
  return {
    stackName,
    bucketLogicalId,
    bucketVersioned: resources[bucketLogicalId]?.Properties?.VersioningConfiguration?.Status === 'Enabled',
    table: { logicalId: tables[0][0], properties: tables[0][1].Properties },
    functions,
    routeFunctions,
    routes,
    methods,
  };
}

/** The prefix and suffix of an EventBridge wildcard `<prefix>*<suffix>` (`\*` and `\\` are literals). */
function wildcardFilter(wildcard: string): { prefix: string; suffix: string } {
  const star = /(?<!\\)(?:\\\\)*\*/.exec(wildcard);
  if (!star) throw new Error(`EventBridge wildcard ${JSON.stringify(wildcard)} has no *`);
  const at = star.index + star[0].length - 1;
  const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
  return { prefix: unescape(wildcard.slice(0, at)), suffix: unescape(wildcard.slice(at + 1)) };
}

/** The functions an ObjectCreated event for `key` is delivered to, by the template's filters. */
export function routeFor(routes: RouteSpec[], key: string): RouteSpec[] {
  return routes.filter((r) =>
    r.events.some((e) => e === 's3:ObjectCreated:*' || e.startsWith('s3:ObjectCreated:')) &&
    key.startsWith(r.prefix) && key.endsWith(r.suffix));
}

/** The folder a zip asset is unzipped into (once: later reads find it, with any change made to it). */
function unzipped(zip: string): string {
  const dir = `${zip.slice(0, -'.zip'.length)}.unzipped`;
  if (!fs.existsSync(dir)) {
    // Python's zipfile (the demo already needs Python for moto server); into a temporary name first, so
    // that an interrupted run leaves no half-unzipped folder behind.
    const partial = `${dir}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    execFileSync('python3', ['-m', 'zipfile', '-e', zip, partial], { stdio: 'inherit' });
    fs.renameSync(partial, dir);
  }
  return dir;
}
