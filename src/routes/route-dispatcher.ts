import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RouteSettings } from './route-settings';
import { bundledFunctionCode, FUNCTION_ASSETS } from '../construct/assets';
import { createTapFunction, FunctionContext } from '../construct/function-factory';
import { escapeRegex, suppressNag } from '../construct/nag';
import { addS3Trigger, S3Function } from '../construct/s3-trigger';
import { ENV } from '../contract/env-names';

/** The construct id of a route's dispatcher: `Route` and the route's name in PascalCase (`csv-summary` → `RouteCsvSummary`). */
export function routeConstructId(name: string): string {
  return `Route${name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')}`;
}

/** The `service` dimension of a route's metrics (and its dispatcher's `POWERTOOLS_SERVICE_NAME`). */
export function routeServiceName(name: string): string {
  return `route-${name}`;
}

/**
 * A route's dispatcher: an S3 function of the construct's (the built-in processors' handler, with
 * the route's function as its processor) triggered for the route's prefix and suffixes in the
 * ingestion mode, allowed to invoke the route's function; and the route's function allowed to read
 * the route's prefix, nothing else of the pipeline's.
 */
export function createRouteDispatcher(scope: Construct, bucket: s3.IBucket, route: RouteSettings, ctx: FunctionContext): S3Function {
  const id = routeConstructId(route.name);
  const fn = createTapFunction(scope, {
    id,
    description: `TapServerless: passes each object under ${route.prefix} to the route "${route.name}"'s function, once, and records its outcome`,
    serviceName: routeServiceName(route.name),
    code: bundledFunctionCode(scope, FUNCTION_ASSETS.ROUTE_DISPATCHER),
    settings: route.dispatcher,
    environment: {
      [ENV.ROUTE_NAME]: route.name,
      [ENV.ROUTE_PREFIX]: route.prefix,
      [ENV.ROUTE_FUNCTION]: route.processor.functionArn,
      ...(route.suffixes.length > 0 ? { [ENV.ROUTE_SUFFIXES]: route.suffixes.join(',') } : {}),
      ...(route.maxObjectBytes !== undefined ? { [ENV.ROUTE_MAX_OBJECT_BYTES]: String(route.maxObjectBytes) } : {}),
      ...(route.skipTag !== undefined
        ? { [ENV.ROUTE_SKIP_TAG]: route.skipTag.value === undefined ? route.skipTag.key : `${route.skipTag.key}=${route.skipTag.value}` }
        : {}),
    },
    asynchronous: ctx.settings.reliability,
    s3: {
      kind: route.name,
      bucket,
      inputPrefix: route.prefix,
      // It reads no object: HeadObject (the size, when the event lacks it) and, with a skip tag, the object's tags.
      readActions: route.skipTag !== undefined ? ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'] : [],
      fingerprint: route.fingerprint,
    },
  }, ctx);
  route.processor.grantInvoke(fn);
  grantRouteRead(bucket, route);
  const trigger = addS3Trigger(scope, id, bucket, fn, route.prefix, ctx, route.suffixes);
  return { fn, queue: trigger.queue };
}

/**
 * The route's function may read the objects of the route's prefix (any version) and list that
 * prefix (so that a deleted object is a 404, not a 403), and decrypt them through S3 with the
 * bucket's key: nothing else of the bucket, and nothing of the table, queues or bus.
 */
function grantRouteRead(bucket: s3.IBucket, route: RouteSettings): void {
  const grantee = route.processor;
  iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject', 's3:GetObjectVersion'], resourceArns: [bucket.arnForObjects(`${route.prefix}*`)] });
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${route.prefix}*`] } },
  });
  if (bucket.encryptionKey) {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:Decrypt'],
      resourceArns: [bucket.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${bucket.env.region}.amazonaws.com` } },
    });
  }
  const policy = route.processor.role?.node.tryFindChild('DefaultPolicy');
  if (policy) {
    suppressNag(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: `TapServerless grants the route "${route.name}"'s function read access to the route's prefix (prefix/*), the narrowest S3 allows.`,
      appliesTo: [{ regex: `/^Resource::(<[^>]+\\.Arn>|arn:[^*]+)\\/${escapeRegex(route.prefix)}\\*$/` }],
    }]);
  }
}

