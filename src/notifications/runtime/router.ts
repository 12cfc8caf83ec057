import { HttpError } from './http';

/** The operations of the notifications API. */
export type NotificationRoute = 'listNotifications' | 'createNotification' | 'getNotification';

/** API Gateway resource paths (`event.resource`) and their methods. */
const ROUTES: Readonly<Record<string, Readonly<Record<string, NotificationRoute>>>> = {
  '/notifications': { GET: 'listNotifications', POST: 'createNotification' },
  '/notifications/{id}': { GET: 'getNotification' },
};

/**
 * Routes a request by its API Gateway resource and HTTP method.
 *
 * @throws HttpError 404 for an unknown resource, 405 (with `Allow`) for a method the resource does not have.
 */
export function resolveRoute(resource: string | undefined, method: string | undefined): NotificationRoute {
  const methods = resource !== undefined && Object.prototype.hasOwnProperty.call(ROUTES, resource) ? ROUTES[resource] : undefined;
  if (methods === undefined) {
    throw new HttpError(404, 'Not found');
  }
  const upper = (method ?? '').toUpperCase();
  if (!Object.prototype.hasOwnProperty.call(methods, upper)) {
    const allow = Object.keys(methods).join(', ');
    throw new HttpError(405, `Method ${method ?? ''} is not allowed on ${resource}; allowed: ${allow}`, {}, { Allow: allow });
  }
  return methods[upper];
}
