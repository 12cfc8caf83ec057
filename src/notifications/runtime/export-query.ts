import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError } from './http';
import { parseTypeFilter } from './list-params';
import { EXPORT_PARAMETERS } from '../../contract/notifications-model';

/** The validated query of GET /notifications/export. */
export interface ExportQuery {
  /** Only notifications of this type; all of them when absent. */
  readonly type?: string;
  /** Oldest creation time included (ISO-8601, as stored); no lower bound when absent. */
  readonly since?: string;
  /** Creation time the export stops before (excluded; ISO-8601, as stored). */
  readonly until: string;
}

/**
 * An ISO-8601 date-time with a time zone: `2026-12-01T00:00:00Z`, `2026-12-01T01:00+01:00`,
 * `2026-12-01T00:00:00.123Z` (seconds and fractions optional). A bare date or a local time without
 * zone is ambiguous and refused.
 */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses `since` or `until` to the stored form (`Date#toISOString`, millisecond precision, UTC),
 * which sorts like the index's sort keys.
 *
 * @throws HttpError 400 naming the parameter
 */
export function parseDateTime(name: string, raw: string): string {
  const millis = DATE_TIME.test(raw) ? Date.parse(raw) : NaN;
  const date = new Date(millis);
  // Date.parse accepts 2026-02-30: check the calendar fields survived the round trip.
  if (Number.isNaN(millis) || !sameCalendarDay(raw, date) || date.getUTCFullYear() < 1970) {
    throw new HttpError(400,
      `Invalid ${name}: must be an ISO-8601 date-time with a time zone from 1970 on, e.g. 2026-12-01T00:00:00Z (got "${truncate(raw)}")`,
      { parameter: name });
  }
  return date.toISOString();
}

/** Whether the date part of `raw` (in its own offset) names a real calendar day. */
function sameCalendarDay(raw: string, date: Date): boolean {
  const [y, m, d] = raw.slice(0, 10).split('-').map(Number);
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d && !Number.isNaN(date.getTime());
}

function truncate(raw: string): string {
  return raw.length > 64 ? `${raw.slice(0, 64)}…` : raw;
}

/**
 * Parses and validates the query string of GET /notifications/export: `type` (a notification
 * type), `since` (included; default: `until` − `maxRangeMs`, or no lower bound without one) and
 * `until` (excluded; default: the request time), with `since` before `until` and at most
 * `maxRangeMs` before it. Any other parameter, or one given twice, is a 400.
 *
 * @param now the request time, the default `until`
 * @param maxRangeMs the longest range of one export (undefined: unbounded)
 * @throws HttpError 400 naming the parameter
 */
export function parseExportQuery(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'>,
  now: Date,
  maxRangeMs?: number,
): ExportQuery {
  const params = event.queryStringParameters ?? {};
  const multi = event.multiValueQueryStringParameters ?? {};
  const known: readonly string[] = EXPORT_PARAMETERS;
  for (const name of Object.keys({ ...params, ...multi })) {
    if (!known.includes(name)) {
      throw new HttpError(400, `Unknown parameter ${truncate(name)}: GET /notifications/export takes only ${known.join(', ')}`, { parameter: name });
    }
    if ((multi[name]?.length ?? 0) > 1) {
      throw new HttpError(400, `Invalid ${name}: given more than once`, { parameter: name });
    }
  }
  const type = parseTypeFilter(params.type);
  const until = params.until === undefined ? now.toISOString() : parseDateTime('until', params.until);
  const earliest = maxRangeMs === undefined ? undefined : new Date(Math.max(0, Date.parse(until) - maxRangeMs)).toISOString();
  const since = params.since === undefined ? earliest : parseDateTime('since', params.since);
  if (since !== undefined && since >= until) {
    throw new HttpError(400,
      params.until === undefined
        ? `Invalid since: must be before until (default: now, ${until}); got ${since}`
        : `Invalid since: must be before until; got since ${since}, until ${until}`,
      { parameter: 'since' });
  }
  if (since !== undefined && earliest !== undefined && since < earliest) {
    throw new HttpError(400,
      `Invalid since: one export covers at most ${describeRange(maxRangeMs!)} (until − since); got since ${since}, until ${until}: `
      + `request since=${earliest} or later, and the rest in further calls`,
      { parameter: 'since', maxRangeSeconds: Math.floor(maxRangeMs! / 1000) });
  }
  return { ...(type !== undefined ? { type } : {}), ...(since !== undefined ? { since } : {}), until };
}

/** `31 days`, `12 hours`, `90 minutes`. */
function describeRange(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds % 86_400 === 0) return `${seconds / 86_400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hours`;
  return `${Math.round(seconds / 60)} minutes`;
}
