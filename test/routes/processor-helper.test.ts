import { InputError, objectToRead, parseRouteRequest, routeHandler, RouteRequestError } from '../../src/routes/processor-helper';
import { functionError, routeOutcome } from '../../src/routes/runtime/route-processor';

// The Node.js helper for a route's function, against the dispatcher's side of the contract.

const REQUEST = { version: 1 as const, route: 'pdf', bucket: 'b', key: 'pdfs/a.pdf', versionId: 'v1', eTag: 'e1', size: 10, fingerprint: 'f' };

describe('routeHandler', () => {
  test('passes the checked request to your code; its result, or {} for nothing, is what the dispatcher records', async () => {
    const handler = routeHandler(async (request) => ({ type: `${request.route}.checked`, message: `read ${request.key}` }));
    const result = await handler(REQUEST);
    expect(result).toEqual({ type: 'pdf.checked', message: 'read pdfs/a.pdf' });
    expect(routeOutcome(JSON.stringify(result), 'pdf', REQUEST)).toMatchObject({ type: 'pdf.checked' });
    expect(await routeHandler(async () => undefined)(REQUEST)).toEqual({});
  });

  test('an InputError reaches the dispatcher as the input\'s fault: a rejection with its message', async () => {
    const handler = routeHandler(async () => {
      throw new InputError('not a PDF file');
    });
    const err = await handler(REQUEST).catch((e) => e);
    expect(err.name).toBe('InputError');
    // What Lambda's Node.js runtime reports for it, as the dispatcher reads it
    const rejected = functionError(JSON.stringify({ errorType: err.name, errorMessage: err.message }), 'fn');
    expect(rejected.name).toBe('RejectionError');
    expect(rejected.message).toBe('not a PDF file');
  });

  test.each([
    ['null', null, /not a JSON object/],
    ['another version', { ...REQUEST, version: 2 }, /version 2/],
    ['no key', { ...REQUEST, key: '' }, /no key/],
    ['a size that is not a byte count', { ...REQUEST, size: -1 }, /size is not a byte count/],
  ])('refuses %s (a deployment mismatch: retried, never a rejection)', (_, event, message) => {
    expect(() => parseRouteRequest(event)).toThrow(RouteRequestError);
    expect(() => parseRouteRequest(event)).toThrow(message);
  });
});

describe('objectToRead', () => {
  test('reads the request\'s version; in an unversioned bucket, the content with its ETag', () => {
    expect(objectToRead(REQUEST)).toEqual({ Bucket: 'b', Key: 'pdfs/a.pdf', VersionId: 'v1' });
    expect(objectToRead({ ...REQUEST, versionId: undefined })).toEqual({ Bucket: 'b', Key: 'pdfs/a.pdf', IfMatch: '"e1"' });
    expect(objectToRead({ ...REQUEST, versionId: undefined, eTag: undefined })).toEqual({ Bucket: 'b', Key: 'pdfs/a.pdf' });
  });
});
