/**
 * A small helper for a route's function written in Node.js (TypeScript or JavaScript): it checks the
 * dispatcher's request, gives your code the object to read, and shapes its answer as the route
 * contract says (docs/routes.md). Import it from `cdk-tap-serverless/lib/routes/processor-helper`; it
 * has no dependencies (bundle it with your function). Functions in other runtimes follow the same
 * contract without it.
 *
 * ```ts
 * import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
 * import { InputError, objectToRead, routeHandler } from 'cdk-tap-serverless/lib/routes/processor-helper';
 *
 * const s3 = new S3Client({});
 * export const handler = routeHandler(async (request) => {
 *   const object = await s3.send(new GetObjectCommand(objectToRead(request)));
 *   const text = await object.Body!.transformToString();
 *   if (!text.startsWith('%PDF-')) throw new InputError('not a PDF file');
 *   return { type: `${request.route}.checked`, message: 'A PDF file', details: { bytes: text.length } };
 * });
 * ```
 */
import { INPUT_ERROR_TYPE, ROUTE_REQUEST_VERSION, RouteRequest, RouteResult } from '../contract/route-contract';

export type { RouteRequest, RouteResult } from '../contract/route-contract';

/**
 * The object is the input's fault (not a PDF, an empty file, …): throw it, and the object is
 * recorded as `<route>.rejected` with the message, once, and not retried. Any other error is
 * retried, then recorded as `<route>.failed`.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = INPUT_ERROR_TYPE;
  }
}

/** The dispatcher's request is not one this helper understands: a deployment mismatch, retried. */
export class RouteRequestError extends Error {
  constructor(message: string) {
    super(`not a route request of version ${ROUTE_REQUEST_VERSION}: ${message}`);
    this.name = 'RouteRequestError';
  }
}

/** The GetObject (or HeadObject) input that reads exactly the object version of the request. */
export function objectToRead(request: RouteRequest): { Bucket: string; Key: string; VersionId?: string; IfMatch?: string } {
  return {
    Bucket: request.bucket,
    Key: request.key,
    ...(request.versionId !== undefined ? { VersionId: request.versionId } : request.eTag !== undefined ? { IfMatch: `"${request.eTag}"` } : {}),
  };
}

/** The request, checked: version 1, a route, a bucket and a key. */
export function parseRouteRequest(event: unknown): RouteRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new RouteRequestError('not a JSON object');
  const e = event as Record<string, unknown>;
  if (e.version !== ROUTE_REQUEST_VERSION) throw new RouteRequestError(`version ${JSON.stringify(e.version)}`);
  for (const field of ['route', 'bucket', 'key', 'fingerprint']) {
    if (typeof e[field] !== 'string' || e[field] === '') throw new RouteRequestError(`no ${field}`);
  }
  for (const field of ['versionId', 'eTag']) {
    if (e[field] !== undefined && typeof e[field] !== 'string') throw new RouteRequestError(`${field} is not a string`);
  }
  if (e.size !== undefined && (typeof e.size !== 'number' || !Number.isSafeInteger(e.size) || e.size < 0)) throw new RouteRequestError('size is not a byte count');
  return e as unknown as RouteRequest;
}

/**
 * Wraps your code as the route's Lambda handler: the request is checked, and what your code returns
 * (`undefined` is `<route>.processed`) is passed back as the result.
 */
export function routeHandler(process: (request: RouteRequest) => Promise<RouteResult | void>): (event: unknown) => Promise<RouteResult> {
  return async (event) => (await process(parseRouteRequest(event))) ?? {};
}
