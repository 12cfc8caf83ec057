import { MAX_BODY_BYTES, MAX_DETAILS_BYTES, MAX_DETAILS_DEPTH } from '../../../src/contract/notifications-model';
import { HttpError } from '../../../src/notifications/runtime/http';
import { parseJsonBody, readRequestBody, validateCreateNotification } from '../../../src/notifications/runtime/request-body';

function httpErrorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) {
      return err;
    }
    throw err;
  }
  throw new Error('expected an HttpError');
}

describe('readRequestBody', () => {
  test('returns a plain body and decodes a base64 one', () => {
    expect(readRequestBody({ body: '{"a":1}', isBase64Encoded: false })).toBe('{"a":1}');
    expect(readRequestBody({ body: Buffer.from('{"é":1}').toString('base64'), isBase64Encoded: true })).toBe('{"é":1}');
  });

  test('accepts exactly MAX_BODY_BYTES and refuses one byte more with a 413', () => {
    expect(readRequestBody({ body: 'x'.repeat(MAX_BODY_BYTES), isBase64Encoded: false })).toHaveLength(MAX_BODY_BYTES);
    const err = httpErrorOf(() => readRequestBody({ body: 'x'.repeat(MAX_BODY_BYTES + 1), isBase64Encoded: false }));
    expect(err.statusCode).toBe(413);
    expect(err.extra).toEqual({ maxBytes: MAX_BODY_BYTES });
  });

  test('counts bytes, not characters (multi-byte UTF-8)', () => {
    const body = 'é'.repeat(MAX_BODY_BYTES / 2 + 1);
    expect(httpErrorOf(() => readRequestBody({ body, isBase64Encoded: false })).statusCode).toBe(413);
  });

  test('refuses a 1 MB body, plain or base64, with a 413', () => {
    const megabyte = 'a'.repeat(1024 * 1024);
    expect(httpErrorOf(() => readRequestBody({ body: megabyte, isBase64Encoded: false })).statusCode).toBe(413);
    expect(httpErrorOf(() => readRequestBody({ body: Buffer.from(megabyte).toString('base64'), isBase64Encoded: true })).statusCode).toBe(413);
  });

  test('refuses an empty body and invalid UTF-8 with a 400', () => {
    expect(httpErrorOf(() => readRequestBody({ body: null, isBase64Encoded: false })).message).toMatch(/required/);
    expect(httpErrorOf(() => readRequestBody({ body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true })).message)
      .toMatch(/UTF-8/);
  });
});

describe('parseJsonBody', () => {
  test('parses JSON and refuses broken JSON with a 400', () => {
    expect(parseJsonBody('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    const err = httpErrorOf(() => parseJsonBody('{"type": "x", '));
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe('Request body is not valid JSON');
  });
});

describe('validateCreateNotification', () => {
  const valid = { type: 'ops.deploy', message: 'Deployed 1.4.2', source: 'pipeline://release', details: { n: 1, ok: true, tags: ['a'] } };

  test('returns a valid body unchanged', () => {
    expect(validateCreateNotification(valid)).toEqual(valid);
    expect(validateCreateNotification({ type: 'x', message: 'y' })).toEqual({ type: 'x', message: 'y' });
  });

  test('names every missing field', () => {
    const err = httpErrorOf(() => validateCreateNotification({}));
    expect(err.statusCode).toBe(400);
    expect(err.extra.errors).toEqual(expect.arrayContaining([
      { field: '/type', message: 'is required' },
      { field: '/message', message: 'is required' },
    ]));
  });

  test.each([
    ['a non-object body', [valid], '/'],
    ['a wrong type pattern', { ...valid, type: 'Not A Type' }, '/type'],
    ['an empty message', { ...valid, message: '' }, '/message'],
    ['a too long message', { ...valid, message: 'm'.repeat(2049) }, '/message'],
    ['a numeric source', { ...valid, source: 42 }, '/source'],
    ['array details', { ...valid, details: [1] }, '/details'],
    ['an unknown property', { ...valid, id: 'chosen-by-client' }, '/id'],
    ['client-set internal attributes', { ...valid, sortKey: 'x' }, '/sortKey'],
  ])('refuses %s, naming the field', (_name, body, field) => {
    const err = httpErrorOf(() => validateCreateNotification(body));
    expect(err.statusCode).toBe(400);
    expect((err.extra.errors as { field: string }[]).map((e) => e.field)).toContain(field);
  });

  test.each(['image.processed', 'data.valid', 'data.invalid', 'image.rejected', 'data.anything-new', 'image'])(
    'refuses the pipeline\'s own type %s with a 400 naming the reserved namespace (finding: forged outcomes)', (type) => {
      const err = httpErrorOf(() => validateCreateNotification({ ...valid, type }));
      expect(err.statusCode).toBe(400);
      expect(err.extra.errors).toEqual([{ field: '/type', message: expect.stringMatching(/^must not start with "(image|data)\.": the image\.\* and data\.\* types are the pipeline's own outcomes$/) }]);
    });

  test('refuses the routes\' namespaces too, naming all of them', () => {
    const err = httpErrorOf(() => validateCreateNotification({ ...valid, type: 'csv-summary.summarized' }, ['pdf', 'csv-summary']));
    expect(err.extra.errors).toEqual([{
      field: '/type', message: 'must not start with "csv-summary.": the image.*, data.*, pdf.* and csv-summary.* types are the pipeline\'s own outcomes',
    }]);
    expect(validateCreateNotification({ ...valid, type: 'csv.summarized' }, ['pdf', 'csv-summary']).type).toBe('csv.summarized');
  });

  test.each(['images.processed', 'database.valid', 'ops.image', 'metadata.valid'])('accepts %s, outside the reserved namespaces', (type) => {
    expect(validateCreateNotification({ ...valid, type }).type).toBe(type);
  });

  test('limits the serialized size of details', () => {
    const err = httpErrorOf(() => validateCreateNotification({ ...valid, details: { blob: 'x'.repeat(MAX_DETAILS_BYTES) } }));
    expect(err.extra.errors).toEqual([expect.objectContaining({ field: '/details' })]);
  });

  test('limits the nesting depth of details', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < MAX_DETAILS_DEPTH + 5; i++) {
      deep = { d: deep };
    }
    const err = httpErrorOf(() => validateCreateNotification({ ...valid, details: deep }));
    expect((err.extra.errors as { message: string }[])[0].message).toMatch(/levels deep/);
  });

  test('accepts details exactly MAX_DETAILS_DEPTH deep', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 1; i < MAX_DETAILS_DEPTH; i++) {
      deep = { d: deep };
    }
    expect(validateCreateNotification({ ...valid, details: deep }).details).toBe(deep);
  });

  test.each([
    ['an integer beyond 2^53', { n: 12345678901234567890 }, '/details/n'],
    ['a number DynamoDB cannot store', { n: 1e-200 }, '/details/n'],
    ['an empty key', { '': 1 }, '/details/'],
    ['an unpaired surrogate', { s: 'a\ud800b' }, '/details/s'],
    ['a JSON-pointer-escaped key', { 'a/b': 1e300 }, '/details/a~1b'],
  ])('refuses details with %s', (_name, details, field) => {
    const err = httpErrorOf(() => validateCreateNotification({ ...valid, details }));
    expect(err.extra.errors).toEqual([expect.objectContaining({ field })]);
  });
});
