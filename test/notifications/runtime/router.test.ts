import { corsHeaders, errorResponse, getHeader, HttpError, jsonResponse, parseCorsOrigins } from '../../../src/notifications/runtime/http';
import { resolveRoute } from '../../../src/notifications/runtime/router';

describe('resolveRoute', () => {
  test.each([
    ['/notifications', 'GET', 'listNotifications'],
    ['/notifications', 'POST', 'createNotification'],
    ['/notifications/{id}', 'GET', 'getNotification'],
  ])('%s %s → %s', (resource, method, route) => {
    expect(resolveRoute(resource, method)).toBe(route);
  });

  test('an unknown resource is a 404', () => {
    expect(() => resolveRoute('/status', 'GET')).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(() => resolveRoute('constructor', 'GET')).toThrow(expect.objectContaining({ statusCode: 404 }));
    expect(() => resolveRoute(undefined, 'GET')).toThrow(expect.objectContaining({ statusCode: 404 }));
  });

  test('a method the resource does not have is a 405 with Allow', () => {
    expect(() => resolveRoute('/notifications/{id}', 'DELETE'))
      .toThrow(expect.objectContaining({ statusCode: 405, headers: { Allow: 'GET' } }));
    expect(() => resolveRoute('/notifications', 'PUT'))
      .toThrow(expect.objectContaining({ statusCode: 405, headers: { Allow: 'GET, POST' } }));
  });
});

describe('HTTP helpers', () => {
  test('getHeader is case-insensitive', () => {
    expect(getHeader({ 'content-TYPE': 'application/json' }, 'Content-Type')).toBe('application/json');
    expect(getHeader({ Origin: 'https://a' }, 'origin')).toBe('https://a');
    expect(getHeader(null, 'origin')).toBeUndefined();
  });

  test('responses are JSON, errors are {message, ...extra}', () => {
    const ok = jsonResponse(200, { a: 1 });
    expect(ok.headers).toEqual(expect.objectContaining({ 'Content-Type': 'application/json' }));
    expect(JSON.parse(ok.body)).toEqual({ a: 1 });

    const err = errorResponse(new HttpError(405, 'nope', { hint: 'x' }, { Allow: 'GET' }));
    expect(err.statusCode).toBe(405);
    expect(err.headers).toEqual(expect.objectContaining({ 'Content-Type': 'application/json', 'Allow': 'GET' }));
    expect(JSON.parse(err.body)).toEqual({ message: 'nope', hint: 'x' });
  });

  test('CORS: the origin is echoed only when allowed', () => {
    const allowed = parseCorsOrigins(' https://app.example.com , ,https://admin.example.com');
    expect(allowed).toEqual(['https://app.example.com', 'https://admin.example.com']);

    expect(corsHeaders('https://app.example.com', allowed)).toEqual({ 'Access-Control-Allow-Origin': 'https://app.example.com', 'Vary': 'Origin' });
    expect(corsHeaders('https://evil.example.com', allowed)).toEqual({ Vary: 'Origin' });
    expect(corsHeaders(undefined, allowed)).toEqual({ Vary: 'Origin' });
    expect(corsHeaders('https://app.example.com', [])).toEqual({});
    expect(corsHeaders('https://any.example.com', ['*'])).toEqual({ 'Access-Control-Allow-Origin': '*' });
  });
});
