import type { APIGatewayProxyEvent } from 'aws-lambda';

/** What {@link apiRequest} takes besides the method and resource: any event field, and `query` for both query maps. */
export type ApiRequestInit = Partial<APIGatewayProxyEvent> & {
  /** The query string, as `queryStringParameters` and `multiValueQueryStringParameters` (one value each). */
  readonly query?: Record<string, string> | null;
};

/**
 * An API Gateway REST (Lambda proxy) event for `method` on `resource`, as API Gateway delivers it
 * to the functions: the one builder of the demo and the tests.
 */
export function apiRequest(method: string, resource: string, init: ApiRequestInit = {}): APIGatewayProxyEvent {
  const { query, ...fields } = init;
  return {
    resource,
    path: resource,
    httpMethod: method,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: query ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'r' } as APIGatewayProxyEvent['requestContext'],
    ...fields,
  };
}
