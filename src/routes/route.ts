import { Duration, Size } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** An object tag that makes a route skip an object: it is recorded as `<route>.skipped`, never processed. */
export interface RouteSkipTag {
  /** The tag's key. */
  readonly key: string;

  /**
   * The tag's value.
   *
   * @default - any value
   */
  readonly value?: string;
}

/** Which objects a route of your function takes, and how it runs. */
export interface FunctionRouteOptions {
  /**
   * The prefix of the objects the route takes, e.g. `pdfs/`: a folder-like prefix (ending with
   * `/`) that shares no key with any other route's or with the image and data prefixes.
   */
  readonly prefix: string;

  /**
   * Key endings the route takes, e.g. `['.pdf', '.PDF']` (compared as written: case matters).
   *
   * @default - every key under the prefix
   */
  readonly suffixes?: string[];

  /**
   * Largest object passed to your function: a larger one is recorded as `<route>.rejected`,
   * naming the limit, without invoking it.
   *
   * @default - no limit
   */
  readonly maxObjectSize?: Size;

  /**
   * An object tag that makes the route skip an object (recorded as `<route>.skipped`). The
   * dispatcher reads the object's tags before invoking your function (one GetObjectTagging per object).
   *
   * @default - no object is skipped
   */
  readonly skipTag?: RouteSkipTag;

  /**
   * The version of your processing, part of the route's configuration fingerprint: change it
   * (for example `'2'`) when your function makes something else of the same object, and
   * `npx cdk-tap-serverless reprocess` gives every object a new outcome.
   *
   * @default '1'
   */
  readonly version?: string;

  /**
   * How long your function may run for one object: the dispatcher waits this long, plus 30
   * seconds to record the outcome.
   *
   * @default - the function's own timeout when it is a `lambda.Function` of this app, else 14 minutes
   */
  readonly timeout?: Duration;
}

/**
 * A route: the objects created under one prefix (and suffixes) of the bucket, and the function that
 * processes each of them.
 *
 * Every route gets what the built-in image and data processors have: the ingestion mode, retries and
 * the dead-letter queue, one outcome per object version and configuration (a duplicate delivery does
 * not run your function again), rejections that are recorded and not retried, outcome events,
 * alarms and a dashboard row. See docs/routes.md for the function's contract.
 */
export class Route {
  /**
   * Routes the objects under `options.prefix` to `processor`, a Lambda function in any runtime. A
   * dispatcher function of the construct's invokes it synchronously, once per object version,
   * with the object's bucket, key, version and size, and records what it returns as the object's
   * outcome, under the route's name: `<name>.processed` (or the type it returns), `<name>.rejected`
   * when it raises an `InputError`.
   *
   * @param name the route's name: lower-case letters, digits and dashes, starting with a letter (at most
   * 32 characters); the namespace of its outcome types, e.g. `pdf` for `pdf.processed`. Not `image` or `data`.
   * @param processor the function that processes one object (read access to the route's prefix is granted to it)
   * @param options the route's prefix, filters and limits
   */
  public static fromFunction(name: string, processor: lambda.IFunction, options: FunctionRouteOptions): Route {
    return new Route(name, processor, options);
  }

  /** The route's name, the namespace of its outcome types. */
  public readonly name: string;
  /** The function that processes each object. */
  public readonly processor: lambda.IFunction;
  /** The route's prefix, filters and limits. */
  public readonly options: FunctionRouteOptions;

  private constructor(name: string, processor: lambda.IFunction, options: FunctionRouteOptions) {
    this.name = name;
    this.processor = processor;
    this.options = options;
  }
}
