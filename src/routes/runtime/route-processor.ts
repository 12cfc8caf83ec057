import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectTaggingCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ENV } from '../../contract/env-names';
import { TYPE_PATTERN } from '../../contract/notifications-model';
import {
  INPUT_ERROR_TYPE, MAX_OUTPUT_KEYS, PIPELINE_OUTCOME_WORDS, ROUTE_REQUEST_VERSION, RouteRequest,
} from '../../contract/route-contract';
import { optionalEnv, requireEnv, requirePrefixEnv } from '../../runtime/env';
import { RejectionError, SkippedObjectError } from '../../runtime/errors';
import { pinnedTo } from '../../runtime/object-read';
import type { S3ObjectRef } from '../../runtime/outcome-store';
import type { ObjectProcessor, ProcessedObject } from '../../runtime/s3-event';

/** A route as its dispatcher runs it (from the environment the construct sets). */
export interface RouteRuntimeSettings {
  readonly name: string;
  readonly prefix: string;
  /** Key endings the route takes; empty: every key under the prefix. */
  readonly suffixes: readonly string[];
  /** The route's function (name or ARN). */
  readonly functionName: string;
  /** Larger objects are rejected without invoking the function. */
  readonly maxObjectBytes?: number;
  /** An object with this tag (and value, when given) is skipped. */
  readonly skipTag?: { readonly key: string; readonly value?: string };
}

/** Reads the route's settings from the environment the construct sets (ENV.ROUTE_*). */
export function readRouteSettings(env: NodeJS.ProcessEnv = process.env): RouteRuntimeSettings {
  const suffixes = (optionalEnv(ENV.ROUTE_SUFFIXES, env) ?? '').split(',').filter((s) => s !== '');
  const maxBytes = optionalEnv(ENV.ROUTE_MAX_OBJECT_BYTES, env);
  const skipTag = optionalEnv(ENV.ROUTE_SKIP_TAG, env);
  if (maxBytes !== undefined && !/^[1-9][0-9]{0,15}$/.test(maxBytes)) {
    throw new Error(`${ENV.ROUTE_MAX_OBJECT_BYTES} must be a whole number of bytes, got ${JSON.stringify(maxBytes)}`);
  }
  const equals = skipTag?.indexOf('=') ?? -1;
  return {
    name: requireEnv(ENV.ROUTE_NAME, env),
    prefix: requirePrefixEnv(ENV.ROUTE_PREFIX, env),
    suffixes,
    functionName: requireEnv(ENV.ROUTE_FUNCTION, env),
    ...(maxBytes !== undefined ? { maxObjectBytes: Number(maxBytes) } : {}),
    ...(skipTag !== undefined
      ? { skipTag: equals === -1 ? { key: skipTag } : { key: skipTag.slice(0, equals), value: skipTag.slice(equals + 1) } }
      : {}),
  };
}

/**
 * The route's function failed for a reason that is not the input's fault (a bug, a timeout, a
 * throttle, a result outside the contract): the object fails, and its event is retried, then
 * dead-lettered.
 */
export class RouteFunctionError extends Error {
  constructor(message: string, public readonly errorType?: string) {
    super(message);
    this.name = 'RouteFunctionError';
  }
}

export interface RouteProcessorOptions {
  readonly route: RouteRuntimeSettings;
  readonly fingerprint: string;
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
}

/**
 * The dispatcher's processor: checks the route's size limit and skip tag, then invokes the route's
 * function synchronously with one {@link RouteRequest} and turns its answer into the object's
 * outcome (see {@link routeOutcome}). The dispatcher's handler around it (src/runtime/s3-handler.ts)
 * gives it every guarantee of the built-in processors: a version already recorded under the
 * route's fingerprint is not passed on again, and exactly one outcome is recorded per version.
 */
export function createRouteProcessor(options: RouteProcessorOptions): ObjectProcessor {
  const { route } = options;
  return async (object) => {
    if (route.maxObjectBytes !== undefined) {
      const size = object.size ?? await objectSize(options.s3, object);
      if (size > route.maxObjectBytes) {
        throw new RejectionError(`the object is ${size} bytes, larger than the route's maxObjectSize (${route.maxObjectBytes} bytes); `
          + `${route.functionName} was not invoked`, { size, maxObjectBytes: route.maxObjectBytes });
      }
    }
    if (route.skipTag !== undefined) {
      const tag = await matchingTag(options.s3, object, route.skipTag);
      if (tag !== undefined) {
        throw new SkippedObjectError(`the object is tagged ${tag.key}=${tag.value}, the route's skipTag; it was not processed`, { skipTag: tag });
      }
    }
    const request: RouteRequest = {
      version: ROUTE_REQUEST_VERSION,
      route: route.name,
      bucket: object.bucket,
      key: object.key,
      ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
      ...(object.eTag !== undefined ? { eTag: object.eTag } : {}),
      ...(object.size !== undefined ? { size: object.size } : {}),
      fingerprint: options.fingerprint,
    };
    const response = await options.lambda.send(new InvokeCommand({
      FunctionName: route.functionName,
      InvocationType: 'RequestResponse',
      Payload: Buffer.from(JSON.stringify(request), 'utf8'),
    }));
    const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
    if (response.FunctionError !== undefined) {
      throw functionError(text, route.functionName);
    }
    return routeOutcome(text, route.name, object);
  };
}

/** The error of a failed invocation: a {@link RejectionError} when its type is {@link INPUT_ERROR_TYPE}, else a {@link RouteFunctionError}. */
export function functionError(payload: string, functionName: string): RejectionError | RouteFunctionError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    parsed = undefined;
  }
  const body = typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : {};
  const errorType = typeof body.errorType === 'string' ? body.errorType : undefined;
  const errorMessage = typeof body.errorMessage === 'string' ? body.errorMessage : payload.slice(0, 512);
  // Java names its exceptions with their package (com.example.InputError), nested classes with `$`.
  const simpleType = errorType?.split(/[.$]/).pop();
  if (simpleType === INPUT_ERROR_TYPE) {
    return new RejectionError(errorMessage || 'the route\'s function refused the object', { errorType });
  }
  return new RouteFunctionError(`${functionName} failed: ${errorType ?? 'error'}: ${errorMessage}`, errorType);
}

/**
 * The outcome of a successful invocation, from the function's JSON result (RouteResult): `null`
 * or `{}` is `<route>.processed`; a result outside the contract is a {@link RouteFunctionError}
 * naming what is wrong (the function's fault, not the input's: retried).
 */
export function routeOutcome(payload: string, route: string, object: Pick<S3ObjectRef, 'bucket' | 'key'>): ProcessedObject {
  const fail = (what: string) => new RouteFunctionError(`the route's function returned a result outside the contract: ${what}`);
  let result: unknown;
  try {
    result = payload.trim() === '' ? null : JSON.parse(payload);
  } catch {
    throw fail(`not JSON (${JSON.stringify(payload.slice(0, 64))})`);
  }
  if (result === null) result = {};
  if (typeof result !== 'object' || Array.isArray(result)) {
    throw fail(`a JSON ${Array.isArray(result) ? 'array' : typeof result}, not an object`);
  }
  const r = result as Record<string, unknown>;
  const unknownFields = Object.keys(r).filter((k) => !['type', 'message', 'details', 'outputKeys'].includes(k));
  if (unknownFields.length > 0) throw fail(`unknown field(s) ${unknownFields.map((k) => JSON.stringify(k)).join(', ')}`);
  const type = r.type ?? `${route}.processed`;
  if (typeof type !== 'string' || !new RegExp(TYPE_PATTERN).test(type) || type.length > 64) {
    throw fail(`type ${JSON.stringify(type)} is not a notification type (dotted lower-case words, at most 64 characters)`);
  }
  const [namespace, ...rest] = type.split('.');
  if (namespace !== route || rest.length === 0) {
    throw fail(`type ${JSON.stringify(type)} is not under the route's namespace "${route}." (e.g. "${route}.processed")`);
  }
  if (PIPELINE_OUTCOME_WORDS.includes(rest[0])) {
    throw fail(`type ${JSON.stringify(type)} is one the pipeline records itself; raise an ${INPUT_ERROR_TYPE} to reject an object`);
  }
  if (r.message !== undefined && (typeof r.message !== 'string' || r.message === '')) throw fail('message is not a non-empty string');
  if (r.details !== undefined && (typeof r.details !== 'object' || r.details === null || Array.isArray(r.details))) {
    throw fail('details is not a JSON object');
  }
  const outputKeys = r.outputKeys;
  if (outputKeys !== undefined && (!Array.isArray(outputKeys) || outputKeys.length > MAX_OUTPUT_KEYS
    || outputKeys.some((k) => typeof k !== 'string' || k === '' || k.length > 1024))) {
    throw fail(`outputKeys is not a list of at most ${MAX_OUTPUT_KEYS} keys (strings of 1 to 1024 characters)`);
  }
  return {
    type,
    message: (r.message as string | undefined) ?? `Processed s3://${object.bucket}/${object.key}`,
    details: { ...r.details as Record<string, unknown> | undefined, ...(outputKeys !== undefined ? { outputKeys } : {}) },
  };
}

async function objectSize(s3: Pick<S3Client, 'send'>, object: S3ObjectRef): Promise<number> {
  const head = await s3.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key, ...pinnedTo(object) }));
  return head.ContentLength ?? 0;
}

async function matchingTag(
  s3: Pick<S3Client, 'send'>,
  object: S3ObjectRef,
  skipTag: { readonly key: string; readonly value?: string },
): Promise<{ key: string; value: string } | undefined> {
  const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket: object.bucket, Key: object.key, VersionId: object.versionId }));
  const tag = (tagging.TagSet ?? []).find((t) => t.Key === skipTag.key && (skipTag.value === undefined || t.Value === skipTag.value));
  return tag ? { key: tag.Key!, value: tag.Value ?? '' } : undefined;
}
