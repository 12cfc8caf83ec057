import type { APIGatewayProxyEventHeaders, APIGatewayProxyResult } from 'aws-lambda';

/** An error with an HTTP status: turned into a JSON error response `{ message, ...extra }`. */
export class HttpError extends Error {
  constructor(
    public readonly statusCode: number,
    message: string,
    /** Extra members of the JSON error body, e.g. `errors`. */
    public readonly extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. `Allow`. */
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** A JSON response. */
export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** The JSON response of an {@link HttpError}: `{ "message": "...", ...extra }`. */
export function errorResponse(err: HttpError): APIGatewayProxyResult {
  return jsonResponse(err.statusCode, { ...err.extra, message: err.message }, err.headers);
}

/** A request header, looked up case-insensitively (API Gateway keeps the client's casing). */
export function getHeader(headers: APIGatewayProxyEventHeaders | null | undefined, name: string): string | undefined {
  if (!headers) {
    return undefined;
  }
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) {
      return value;
    }
  }
  return undefined;
}

/** Parses the comma-separated allowed origins (`TAP_CORS_ORIGINS`); empty entries are dropped. */
export function parseCorsOrigins(value: string | undefined): string[] {
  return (value ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin.length > 0);
}

/**
 * CORS response headers for a request `Origin`: `Access-Control-Allow-Origin` only when the
 * origin is allowed (exact match, or `*` configured), plus `Vary: Origin` whenever CORS is
 * configured so that caches never serve one origin's answer to another.
 */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (allowedOrigins.length === 0) {
    return {};
  }
  if (allowedOrigins.includes('*')) {
    return { 'Access-Control-Allow-Origin': '*' };
  }
  if (origin !== undefined && allowedOrigins.includes(origin)) {
    return { 'Access-Control-Allow-Origin': origin, 'Vary': 'Origin' };
  }
  return { Vary: 'Origin' };
}
