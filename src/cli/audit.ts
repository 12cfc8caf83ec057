import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inventoryObjects, isVersioned, ListedObject, listObjects } from './objects';
import { ClassifiedObject, classifyObjects, isInputObject, OBJECTS_PER_BATCH } from './outcomes';
import { Pipeline, PipelineFunction, UsageError } from './stack';

/**
 * The walk `reconcile` and `reprocess` share: every input object of each S3 function (listed, or
 * read from an S3 Inventory report), in key order, optionally classified against the function's
 * current configuration fingerprint.
 */

export interface AuditScope {
  readonly pipeline: Pipeline;
  /** Only keys under this prefix (within a function's input prefix). @default - every input prefix */
  readonly prefix?: string;
  /** Only keys after this one. */
  readonly startAfter?: string;
  /** An S3 Inventory `manifest.json` (s3:// URL) to read instead of listing the bucket. */
  readonly inventory?: string;
}

/** One function's share of the scope: the prefix to list and where to start. */
export interface FunctionScope {
  readonly fn: PipelineFunction;
  readonly listPrefix: string;
  readonly startAfter?: string;
}

/**
 * The functions the scope covers, in key order of their prefixes, each with the prefix to list
 * and the key to start after (a `startAfter` beyond a prefix's keys skips it; one before starts it
 * from the beginning), so that one `startAfter` resumes a walk over several prefixes.
 */
export function functionScopes(scope: AuditScope): FunctionScope[] {
  const scopes: FunctionScope[] = [];
  const functions = [...scope.pipeline.functions].sort((a, b) => (a.inputPrefix < b.inputPrefix ? -1 : 1));
  for (const fn of functions) {
    let listPrefix = fn.inputPrefix;
    if (scope.prefix !== undefined) {
      if (scope.prefix.startsWith(fn.inputPrefix)) listPrefix = scope.prefix;
      else if (!fn.inputPrefix.startsWith(scope.prefix)) continue;
    }
    const after = scope.startAfter;
    if (after !== undefined && !after.startsWith(listPrefix) && after > listPrefix) continue; // all its keys are before the resume point
    scopes.push({ fn, listPrefix, startAfter: after !== undefined && after.startsWith(listPrefix) ? after : undefined });
  }
  if (scopes.length === 0 && scope.prefix !== undefined) {
    throw new UsageError(`--prefix ${scope.prefix} is not within an input prefix (${scope.pipeline.functions.map((f) => f.inputPrefix).join(', ')})`);
  }
  return scopes;
}

/** The input objects of one function's scope, in key order (inventory order with --inventory). */
export async function* inputObjects(s3: S3Client, scope: AuditScope, fs: FunctionScope): AsyncGenerator<ListedObject> {
  const options = { bucket: scope.pipeline.bucket, prefix: fs.listPrefix, startAfter: fs.startAfter };
  const source = scope.inventory
    ? inventoryObjects(s3, scope.inventory, options)
    : listObjects(s3, options, await isVersioned(s3, scope.pipeline.bucket));
  const suffixes = fs.fn.suffixes ?? [];
  for await (const object of source) {
    // A route with suffixes takes only the keys ending with one of them (as its notification filters do).
    if (isInputObject(object.key, fs.fn.outputPrefixes) && (suffixes.length === 0 || suffixes.some((s) => object.key.endsWith(s)))) yield object;
  }
}

/** The current configuration fingerprint of a function, or a UsageError for a deployment older than fingerprints. */
export function fingerprintOf(fn: PipelineFunction): string {
  if (!fn.fingerprint) {
    throw new UsageError(`${fn.functionName} has no configuration fingerprint in its environment: deploy this version of the construct first`);
  }
  return fn.fingerprint;
}

/** How many BatchGetItem requests are in flight at once. */
const PARALLEL_BATCHES = 4;

/**
 * Classifies every input object of one function's scope against its current fingerprint:
 * BatchGetItem by key, {@link PARALLEL_BATCHES} batches at a time, results in listing order.
 * `onListed` is called as objects are listed (for progress).
 */
export async function* classifiedObjects(
  s3: S3Client,
  ddb: DynamoDBDocumentClient,
  scope: AuditScope,
  fs: FunctionScope,
  onListed?: () => void,
): AsyncGenerator<ClassifiedObject> {
  const target = { table: scope.pipeline.table, bucket: scope.pipeline.bucket, fingerprint: fingerprintOf(fs.fn) };
  let chunk: ListedObject[] = [];
  let window: ListedObject[][] = [];
  const flush = async (): Promise<ClassifiedObject[]> => {
    const results = await Promise.all(window.map((objects) => classifyObjects(ddb, target, objects)));
    window = [];
    return results.flat();
  };
  for await (const object of inputObjects(s3, scope, fs)) {
    onListed?.();
    chunk.push(object);
    if (chunk.length === OBJECTS_PER_BATCH) {
      window.push(chunk);
      chunk = [];
      if (window.length === PARALLEL_BATCHES) yield* await flush();
    }
  }
  if (chunk.length > 0) window.push(chunk);
  yield* await flush();
}
