import { LambdaClient } from '@aws-sdk/client-lambda';
import { createRouteProcessor, readRouteSettings } from './runtime/route-processor';
import { ENV } from '../contract/env-names';
import { requireEnv } from '../runtime/env';
import { createS3Handler, ingestionS3Client } from '../runtime/s3-handler';
import { traceAwsClient } from '../runtime/tracing';

// Module scope: created once per execution environment, reused by every invocation.
const route = readRouteSettings();
const s3 = ingestionS3Client();
// A synchronous Invoke waits as long as the route's function runs: no socket timeout of the client's own.
const lambda = traceAwsClient(new LambdaClient({}));
const processor = createRouteProcessor({ route, fingerprint: requireEnv(ENV.CONFIG_FINGERPRINT), lambda, s3 });

/**
 * ObjectCreated events for a route's prefix (and suffixes): each object version is passed to the
 * route's function once and its answer recorded as the object's outcome (see processS3Event).
 */
export const handler = createS3Handler(route.name, route.prefix, processor, s3, { suffixes: route.suffixes });
