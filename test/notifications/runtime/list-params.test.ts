import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../src/contract/notifications-model';
import { HttpError } from '../../../src/notifications/runtime/http';
import { parseLimit, parseListQuery, parseTypeFilter } from '../../../src/notifications/runtime/list-params';
import { encodePageToken } from '../../../src/notifications/runtime/page-token';

const statusOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof HttpError ? err.statusCode : -1;
  }
};

describe('parseLimit', () => {
  test('defaults to DEFAULT_PAGE_SIZE', () => {
    expect(parseLimit(undefined)).toBe(DEFAULT_PAGE_SIZE);
  });

  test.each(['1', '7', '20', String(MAX_PAGE_SIZE)])('accepts %s', (raw) => {
    expect(parseLimit(raw)).toBe(Number(raw));
  });

  test.each(['', '0', '-1', String(MAX_PAGE_SIZE + 1), '1000', 'abc', '1.5', '1e1', '+5', '05', ' 5', '5 ', '0x10', 'Infinity', 'NaN'])(
    'refuses %j with a 400', (raw) => {
      expect(statusOf(() => parseLimit(raw))).toBe(400);
    },
  );
});

describe('parseTypeFilter', () => {
  test('accepts dotted lower-case words and absence', () => {
    expect(parseTypeFilter('image.processed')).toBe('image.processed');
    expect(parseTypeFilter('ops')).toBe('ops');
    expect(parseTypeFilter(undefined)).toBeUndefined();
  });

  test.each(['', 'Image.processed', 'image.', '.image', 'image..processed', 'image processed', `a${'b'.repeat(64)}`])(
    'refuses %j with a 400', (raw) => {
      expect(statusOf(() => parseTypeFilter(raw))).toBe(400);
    },
  );
});

describe('parseListQuery', () => {
  const before = '2026-11-28T17:02:11.532Z#obj-1';

  test('without parameters: default page of the whole feed', () => {
    expect(parseListQuery({ queryStringParameters: null, multiValueQueryStringParameters: null })).toEqual({ limit: DEFAULT_PAGE_SIZE });
  });

  test('decodes a nextToken for the type filter it was issued for', () => {
    const nextToken = encodePageToken({ before }, { type: 'image.received' });
    expect(parseListQuery({
      queryStringParameters: { limit: '5', type: 'image.received', nextToken },
      multiValueQueryStringParameters: null,
    })).toEqual({ limit: 5, type: 'image.received', before });
  });

  test('a forged or mismatched nextToken is a 400 naming the parameter', () => {
    const nextToken = encodePageToken({ before }, { type: 'image.received' });
    let error: unknown;
    try {
      parseListQuery({ queryStringParameters: { nextToken }, multiValueQueryStringParameters: null });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(400);
    expect((error as HttpError).extra).toEqual({ parameter: 'nextToken' });
  });

  test('a parameter given twice is a 400', () => {
    expect(statusOf(() => parseListQuery({
      queryStringParameters: { limit: '5' },
      multiValueQueryStringParameters: { limit: ['1', '5'] },
    }))).toBe(400);
  });
});
