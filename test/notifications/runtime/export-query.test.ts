import { parseDateTime, parseExportQuery } from '../../../src/notifications/runtime/export-query';
import { HttpError } from '../../../src/notifications/runtime/http';

const NOW = new Date('2026-12-05T08:00:00.000Z');

function query(params: Record<string, string | string[]>) {
  return {
    queryStringParameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[v.length - 1] : v])),
    multiValueQueryStringParameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
  };
}

function errorOf(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpError) return err;
    throw err;
  }
  throw new Error('no HttpError thrown');
}

describe('parseExportQuery', () => {
  test('no parameters: every type, no lower bound, until the request time', () => {
    expect(parseExportQuery({ queryStringParameters: null, multiValueQueryStringParameters: null }, NOW))
      .toEqual({ until: '2026-12-05T08:00:00.000Z' });
  });

  test('type, since and until are normalized to the stored form (UTC, milliseconds)', () => {
    expect(parseExportQuery(query({ type: 'image.processed', since: '2026-12-01T01:00+01:00', until: '2026-12-02T00:00:00.5Z' }), NOW))
      .toEqual({ type: 'image.processed', since: '2026-12-01T00:00:00.000Z', until: '2026-12-02T00:00:00.500Z' });
  });

  test.each([
    [{ limit: '10' }, 'limit', /Unknown parameter limit: GET \/notifications\/export takes only type, since, until/],
    [{ nextToken: 'x' }, 'nextToken', /Unknown parameter nextToken/],
    [{ type: 'Image' }, 'type', /Invalid type/],
    [{ type: ['image.processed', 'data.valid'] }, 'type', /Invalid type: given more than once/],
    [{ since: '2026-12-01' }, 'since', /Invalid since: must be an ISO-8601 date-time with a time zone.*got "2026-12-01"/],
    [{ since: '2026-12-01T00:00:00' }, 'since', /Invalid since/],
    [{ until: 'yesterday' }, 'until', /Invalid until/],
    [{ until: '2026-02-30T00:00:00Z' }, 'until', /Invalid until/],
    [{ until: '2026-13-01T00:00:00Z' }, 'until', /Invalid until/],
    [{ until: '1969-12-31T23:59:59Z' }, 'until', /from 1970 on/],
    [{ since: '2026-12-02T00:00:00Z', until: '2026-12-01T00:00:00Z' }, 'since', /Invalid since: must be before until; got since 2026-12-02T00:00:00.000Z, until 2026-12-01T00:00:00.000Z/],
    [{ since: '2026-12-01T00:00:00Z', until: '2026-12-01T00:00:00.000Z' }, 'since', /must be before until/],
    [{ since: '2026-12-06T00:00:00Z' }, 'since', /must be before until \(default: now, 2026-12-05T08:00:00.000Z\)/],
  ])('refuses %j with a 400 naming %s', (params, parameter, message) => {
    const err = errorOf(() => parseExportQuery(query(params), NOW));
    expect(err.statusCode).toBe(400);
    expect(err.extra).toEqual({ parameter });
    expect(err.message).toMatch(message);
  });
});

describe('parseExportQuery with a maximum range (exportMaxRange)', () => {
  const DAY = 86_400_000;

  test('without since, the range is the maximum, ending at until', () => {
    expect(parseExportQuery(query({ until: '2026-12-05T00:00:00Z' }), NOW, 31 * DAY))
      .toEqual({ since: '2026-11-04T00:00:00.000Z', until: '2026-12-05T00:00:00.000Z' });
    expect(parseExportQuery(query({}), NOW, 7 * DAY)).toEqual({ since: '2026-11-28T08:00:00.000Z', until: '2026-12-05T08:00:00.000Z' });
  });

  test('exactly the maximum is allowed; one millisecond more is a 400 naming the earliest since', () => {
    expect(parseExportQuery(query({ since: '2026-11-04T00:00:00Z', until: '2026-12-05T00:00:00Z' }), NOW, 31 * DAY).since).toBe('2026-11-04T00:00:00.000Z');
    const err = errorOf(() => parseExportQuery(query({ since: '2026-11-03T23:59:59.999Z', until: '2026-12-05T00:00:00Z' }), NOW, 31 * DAY));
    expect(err.statusCode).toBe(400);
    expect(err.extra).toEqual({ parameter: 'since', maxRangeSeconds: 31 * 86_400 });
    expect(err.message).toBe('Invalid since: one export covers at most 31 days (until − since); got since 2026-11-03T23:59:59.999Z, '
      + 'until 2026-12-05T00:00:00.000Z: request since=2026-11-04T00:00:00.000Z or later, and the rest in further calls');
  });

  test('ranges in hours and minutes are named so; a maximum reaching before 1970 starts at 1970', () => {
    expect(errorOf(() => parseExportQuery(query({ since: '2026-12-05T00:00:00Z' }), NOW, 6 * 3_600_000)).message).toMatch(/at most 6 hours/);
    expect(errorOf(() => parseExportQuery(query({ since: '2026-12-05T00:00:00Z' }), NOW, 90 * 60_000)).message).toMatch(/at most 90 minutes/);
    expect(parseExportQuery(query({ until: '1970-01-02T00:00:00Z' }), NOW, 31 * DAY).since).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('parseDateTime', () => {
  test.each([
    ['2026-12-01T00:00Z', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T00:00:00.123456789Z', '2026-12-01T00:00:00.123Z'],
    ['2026-12-01T05:30:00+05:30', '2026-12-01T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (raw, stored) => {
    expect(parseDateTime('since', raw)).toBe(stored);
  });

  test('cuts a long bad value in the message', () => {
    expect(errorOf(() => parseDateTime('until', 'x'.repeat(500))).message.length).toBeLessThan(200);
  });
});
