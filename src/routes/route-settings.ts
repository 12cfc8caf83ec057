import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Route, RouteSkipTag } from './route';
import { RoutingOptions } from './routing-options';
import { configFingerprint } from '../construct/fingerprint';
import { IngestionMode } from '../construct/ingestion';
import { PipelineOptions } from '../construct/pipeline-options';
import { FunctionSettings, helperFunctionSettings, PipelineSettings } from '../construct/settings';
import { fail, overlaps, sizeInBytes, validatePrefix } from '../construct/validation';
import { RESERVED_TYPE_NAMESPACES } from '../contract/notifications-model';
import { ROUTE_NAME_PATTERN } from '../contract/route-contract';

/** Defaults of a route. */
export const ROUTE_DEFAULTS = {
  version: '1',
  /** How long a function that is not a `lambda.Function` of this app may run for one object. */
  processorTimeout: Duration.minutes(14),
  /** What the dispatcher keeps, beyond the function's time, to record the outcome. */
  recordingTime: Duration.seconds(30),
  /** The dispatcher only waits: the smallest memory that keeps its SDK calls quick. */
  dispatcherMemorySize: 256,
} as const;

/** Longest a Lambda function may run, the dispatcher included. */
const MAX_FUNCTION_SECONDS = 900;

/** A route as the construct builds it. */
export interface RouteSettings {
  readonly name: string;
  readonly processor: lambda.IFunction;
  readonly prefix: string;
  /** Empty: every key under the prefix. */
  readonly suffixes: readonly string[];
  readonly maxObjectBytes?: number;
  readonly skipTag?: RouteSkipTag;
  readonly version: string;
  /** How long the function may run for one object. */
  readonly processorTimeout: Duration;
  /** The dispatcher function's settings: `functionDefaults`, 256 MiB, a timeout that outlasts the function. */
  readonly dispatcher: FunctionSettings;
  /** The route's configuration fingerprint: part of every outcome id it records. */
  readonly fingerprint: string;
}

/**
 * The routes of `props.routes`, checked: names unique and outside the built-in namespaces; each
 * prefix a folder-like literal that shares no key with another route's (where their suffixes can
 * both match), the image and data input prefixes or any output prefix; suffixes, limits and tags
 * well-formed; a dispatcher timeout within Lambda's 15 minutes. Every error names the route.
 */
export function resolveRouteSettings(props: RoutingOptions & PipelineOptions, pipeline: PipelineSettings): RouteSettings[] {
  const routes = props.routes ?? [];
  const resolved = routes.map((route, i) => resolveRoute(route, i, props, pipeline));
  checkOverlaps(resolved, pipeline);
  return resolved;
}

function resolveRoute(route: Route, index: number, props: PipelineOptions, pipeline: PipelineSettings): RouteSettings {
  const prop = `routes[${index}]`;
  if (!(route instanceof Route)) {
    fail(prop, typeof route, 'it is not a Route', 'Create it with Route.fromFunction(name, fn, { prefix }).');
  }
  const { name, processor, options } = route;
  if (Token.isUnresolved(name) || !new RegExp(ROUTE_NAME_PATTERN).test(name)) {
    fail(`${prop}.name`, name, 'a route\'s name is 1 to 32 lower-case letters, digits and "-", starting with a letter',
      'Use a short name such as "pdf" or "csv-summary": its outcomes are "<name>.processed", "<name>.rejected", ….');
  }
  if (RESERVED_TYPE_NAMESPACES.includes(name)) {
    fail(`${prop}.name`, name, `"${name}" is the namespace of a built-in processor's outcomes`, 'Choose another name.');
  }
  validatePrefix(`routes "${name}" prefix`, options.prefix);
  const suffixes = options.suffixes ?? [];
  for (const suffix of suffixes) {
    if (Token.isUnresolved(suffix) || suffix.length === 0 || suffix.length > 255 || suffix.includes(',')) {
      fail(`routes "${name}" suffixes`, suffix, 'a suffix is a literal of 1 to 255 characters without ","', 'Use a key ending such as ".pdf".');
    }
  }
  if (new Set(suffixes).size !== suffixes.length) {
    fail(`routes "${name}" suffixes`, suffixes, 'a suffix is listed twice', 'List each suffix once.');
  }
  const maxObjectBytes = options.maxObjectSize === undefined ? undefined : sizeInBytes(`routes "${name}" maxObjectSize`, options.maxObjectSize);
  if (maxObjectBytes !== undefined && maxObjectBytes < 1) {
    fail(`routes "${name}" maxObjectSize`, maxObjectBytes, 'it must be at least 1 byte', 'Pass a positive Size, e.g. Size.mebibytes(50).');
  }
  const skipTag = options.skipTag;
  if (skipTag !== undefined) {
    if (Token.isUnresolved(skipTag.key) || skipTag.key.length === 0 || skipTag.key.length > 128 || skipTag.key.includes('=')) {
      fail(`routes "${name}" skipTag.key`, skipTag.key, 'an S3 tag key is 1 to 128 characters (and here without "=")', 'Use a key such as "scan-skip".');
    }
    if (skipTag.value !== undefined && (Token.isUnresolved(skipTag.value) || skipTag.value.length > 256)) {
      fail(`routes "${name}" skipTag.value`, skipTag.value, 'an S3 tag value is a literal of at most 256 characters', 'Use a shorter value.');
    }
  }
  const version = options.version ?? ROUTE_DEFAULTS.version;
  if (Token.isUnresolved(version) || version.length === 0 || version.length > 64) {
    fail(`routes "${name}" version`, version, 'a version is a literal of 1 to 64 characters', 'Use a short string such as "2".');
  }
  // A Function of this app tells its timeout (Lambda's default is 3 seconds); an imported one does not.
  const ownTimeout = processor instanceof lambda.Function ? processor.timeout ?? Duration.seconds(3) : ROUTE_DEFAULTS.processorTimeout;
  const processorTimeout = options.timeout ?? ownTimeout;
  const dispatcher = dispatcherSettings(name, processorTimeout, props, pipeline);
  return {
    name,
    processor,
    prefix: options.prefix,
    suffixes,
    ...(maxObjectBytes !== undefined ? { maxObjectBytes } : {}),
    ...(skipTag !== undefined ? { skipTag } : {}),
    version,
    processorTimeout,
    dispatcher,
    fingerprint: routeFingerprint(name, version, suffixes, maxObjectBytes, skipTag),
  };
}

/**
 * The dispatcher's timeout outlasts the objects of one invocation: one in the direct and EventBridge
 * modes and for S3 Batch Operations, up to `batchSize` in the queue mode, each waiting for the function.
 */
function dispatcherSettings(name: string, processorTimeout: Duration, props: PipelineOptions, pipeline: PipelineSettings): FunctionSettings {
  const perInvocation = pipeline.ingestion.mode === IngestionMode.QUEUE ? pipeline.ingestion.queue!.batchSize : 1;
  const seconds = processorTimeout.toSeconds() * perInvocation + ROUTE_DEFAULTS.recordingTime.toSeconds();
  if (seconds > MAX_FUNCTION_SECONDS) {
    fail(`routes "${name}" timeout`, processorTimeout.toHumanString(),
      `the dispatcher waits for the function${perInvocation > 1 ? ` once per message of a batch (batchSize ${perInvocation})` : ''} plus 30 seconds, ` +
      `${seconds} seconds in all, beyond Lambda's 900`,
      perInvocation > 1 ? 'Lower Ingestion.queue({ batchSize }) or the route\'s timeout.' : 'Give the route a timeout of at most 14.5 minutes.');
  }
  return helperFunctionSettings(props, ROUTE_DEFAULTS.dispatcherMemorySize, Duration.seconds(seconds));
}

/** Whether some key can end with a suffix of `a` and one of `b` (no suffixes: any key). */
function suffixesMeet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => x.endsWith(y) || y.endsWith(x)));
}

/** No key may go to two routes, to a route and a built-in processor, or be an output and a route's input. */
function checkOverlaps(routes: RouteSettings[], pipeline: PipelineSettings): void {
  const { prefixes } = pipeline;
  const builtIn: Array<[string, string]> = [
    ['imageInputPrefix', prefixes.imageInputPrefix],
    ['dataInputPrefix', prefixes.dataInputPrefix],
    ['imageOutputPrefix', prefixes.imageOutputPrefix],
    ['dataOutputPrefix', prefixes.dataOutputPrefix],
  ];
  routes.forEach((route, i) => {
    for (const [prop, prefix] of builtIn) {
      if (overlaps(route.prefix, prefix)) {
        fail(`routes "${route.name}" prefix`, route.prefix, `it overlaps ${prop} (${JSON.stringify(prefix)}), so ` +
          (prop.endsWith('OutputPrefix') ? 'the pipeline\'s outputs would be sent to the route' : 'one upload would match both notification filters'),
        'Give every route its own top-level folder, e.g. pdfs/.');
      }
    }
    for (const other of routes.slice(0, i)) {
      if (other.name === route.name) {
        fail(`routes "${route.name}"`, route.name, 'two routes have this name', 'Give each route its own name.');
      }
      if (overlaps(route.prefix, other.prefix) && suffixesMeet(route.suffixes, other.suffixes)) {
        fail(`routes "${route.name}" prefix`, route.prefix,
          `it overlaps route "${other.name}" (${JSON.stringify(other.prefix)}${other.suffixes.length > 0 ? `, suffixes ${JSON.stringify(other.suffixes)}` : ''}), ` +
          'so one upload would match both routes (S3 refuses overlapping notification filters)',
          'Give each route its own prefix, or suffixes no key can end with both of.');
      }
    }
  });
}

/** The route's configuration fingerprint: its name, its version and the filters that decide what it records. */
function routeFingerprint(
  name: string, version: string, suffixes: readonly string[], maxObjectBytes: number | undefined, skipTag: RouteSkipTag | undefined,
): string {
  return configFingerprint(`route:${name}`, {
    version,
    suffixes: [...suffixes].sort(),
    maxObjectBytes: maxObjectBytes ?? null,
    skipTag: skipTag ? { key: skipTag.key, value: skipTag.value ?? null } : null,
  });
}
