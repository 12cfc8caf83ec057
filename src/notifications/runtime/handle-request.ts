import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isJsonContentType } from './content-type';
import { corsHeaders, errorResponse, getHeader, HttpError, jsonResponse } from './http';
import { parseListQuery } from './list-params';
import { encodePageToken } from './page-token';
import { parseJsonBody, readRequestBody, validateCreateNotification } from './request-body';
import { resolveRoute } from './router';
import { API_METRICS } from '../../contract/metric-names';
import { NOTIFICATION_ID_PATTERN } from '../../contract/notifications-model';
import { isThrottling } from '../../runtime/errors';
import { Notification } from '../../runtime/notification-item';
import { getNotification, NotificationsTable, putNewNotification, queryNotifications } from '../../runtime/notifications-table';
import { countMetric, flushMetrics } from '../../runtime/observability';


const ID_PATTERN = new RegExp(`^${NOTIFICATION_ID_PATTERN}$`);

export interface NotificationApiOptions {
  readonly table: NotificationsTable;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Origins allowed by CORS (see `TAP_CORS_ORIGINS`); empty: no CORS header. */
  readonly corsOrigins: readonly string[];
  /** Id of a new notification (default: `crypto.randomUUID`). */
  readonly newId?: () => string;
  /** Clock (default: `new Date()`). */
  readonly now?: () => Date;
  /** The routes' names (see `TAP_ROUTE_NAMESPACES`): POST refuses types in them, as in `image` and `data`. */
  readonly routeNamespaces?: readonly string[];
}

/**
 * Serves one API Gateway (REST, Lambda proxy) request of the notifications API:
 * `GET /notifications`, `POST /notifications`, `GET /notifications/{id}`.
 * Every response is JSON; errors are `{ "message": ... }`; unexpected errors are a generic 500
 * (details only in the logs), throttling a 503.
 */
export async function handleNotificationRequest(event: APIGatewayProxyEvent, options: NotificationApiOptions): Promise<APIGatewayProxyResult> {
  const { logger } = options;
  const cors = corsHeaders(getHeader(event.headers, 'origin'), options.corsOrigins);
  let response: APIGatewayProxyResult;
  try {
    response = await route(event, options);
  } catch (err) {
    if (err instanceof HttpError) {
      response = errorResponse(err);
    } else if (isThrottling(err)) {
      logger.warn('Throttled by DynamoDB', { error: err as Error });
      response = jsonResponse(503, { message: 'The service is busy; retry later' }, { 'Retry-After': '1' });
    } else {
      logger.error('Unexpected error', { error: err as Error, resource: event.resource, httpMethod: event.httpMethod });
      response = jsonResponse(500, { message: 'Internal server error' });
    }
  } finally {
    flushMetrics(options.metrics);
  }
  logger.info('Request served', {
    httpMethod: event.httpMethod,
    resource: event.resource,
    statusCode: response.statusCode,
    requestId: event.requestContext?.requestId,
  });
  return { ...response, headers: { ...response.headers, ...cors } };
}

async function route(event: APIGatewayProxyEvent, options: NotificationApiOptions): Promise<APIGatewayProxyResult> {
  switch (resolveRoute(event.resource, event.httpMethod)) {
    case 'listNotifications':
      return listNotifications(event, options);
    case 'getNotification':
      return getOneNotification(event, options);
    case 'createNotification':
      return createNotification(event, options);
  }
}

async function listNotifications(event: APIGatewayProxyEvent, options: NotificationApiOptions): Promise<APIGatewayProxyResult> {
  const query = parseListQuery(event);
  const page = await queryNotifications(options.table, query);
  return jsonResponse(200, {
    items: page.items,
    ...(page.nextBefore !== undefined ? { nextToken: encodePageToken({ before: page.nextBefore }, { type: query.type }) } : {}),
  });
}

async function getOneNotification(event: APIGatewayProxyEvent, options: NotificationApiOptions): Promise<APIGatewayProxyResult> {
  const id = event.pathParameters?.id;
  // An id we could never have issued cannot exist: answer 404 without reading the table.
  const notification = id !== undefined && ID_PATTERN.test(id)
    ? await getNotification(options.table, id)
    : undefined;
  if (notification === undefined) {
    throw new HttpError(404, 'Notification not found');
  }
  return jsonResponse(200, notification);
}

async function createNotification(event: APIGatewayProxyEvent, options: NotificationApiOptions): Promise<APIGatewayProxyResult> {
  if (!isJsonContentType(getHeader(event.headers, 'content-type'))) {
    throw new HttpError(415, 'Content-Type must be application/json');
  }
  const input = validateCreateNotification(parseJsonBody(readRequestBody(event)), options.routeNamespaces);
  const notification: Notification = {
    id: (options.newId ?? randomUUID)(),
    type: input.type,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    message: input.message,
    ...(input.source !== undefined ? { source: input.source } : {}),
    ...(input.details !== undefined ? { details: input.details } : {}),
  };
  if (await putNewNotification(options.table, notification) === 'exists') {
    // A random UUID collided: never overwrite; the client may simply retry.
    throw new Error(`Notification id ${notification.id} already exists`);
  }
  countMetric(options.metrics, API_METRICS.CREATED);
  options.logger.info('Notification created', { notificationId: notification.id, type: notification.type });
  return jsonResponse(201, notification);
}
