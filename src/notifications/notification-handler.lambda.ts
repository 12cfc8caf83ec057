import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { handleNotificationRequest, NotificationApiOptions } from './runtime/handle-request';
import { parseCorsOrigins } from './runtime/http';
import { ENV } from '../contract/env-names';
import { optionalEnv, requireEnv } from '../runtime/env';
import { notificationsTableFromEnv } from '../runtime/notifications-table';
import { createObservability } from '../runtime/observability';
import { setTraceAttributes, traceInvocation } from '../runtime/tracing';

// Module scope: created once per execution environment, reused by every invocation
// (the request-body validator is compiled at module scope of ./notifications/request-body).
const { logger, metrics } = createObservability({ environment: requireEnv(ENV.ENVIRONMENT) });

const options: NotificationApiOptions = {
  table: notificationsTableFromEnv(),
  logger,
  metrics,
  corsOrigins: parseCorsOrigins(optionalEnv(ENV.CORS_ORIGINS)),
  routeNamespaces: (optionalEnv(ENV.ROUTE_NAMESPACES) ?? '').split(',').filter((name) => name !== ''),
};

/** API Gateway REST (Lambda proxy) handler of GET/POST /notifications and GET /notifications/{id}. */
export const handler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
  logger.addContext(context);
  // With tracing, one root span per request: its route template (never an id) and its status.
  return traceInvocation(async () => {
    const response = await handleNotificationRequest(event, options);
    setTraceAttributes({ 'http.response.status_code': response.statusCode });
    return response;
  }, { 'http.request.method': event?.httpMethod ?? '', 'http.route': event?.resource ?? '' }, context?.awsRequestId);
};
