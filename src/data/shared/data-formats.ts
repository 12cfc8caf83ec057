/**
 * The JSON Schema `format`s of data schemas: ajv-formats' full formats (the strictness
 * docs/data-validation.md promises), with `date-time`, `date` and `time` given a fast path for the common, well-formed
 * RFC 3339 string. The fast path only ever answers "valid" for a string ajv-formats' full check
 * also accepts; anything else (an invalid string, or a valid one in a rarer shape such as a leap
 * second or a space separator) is answered by ajv-formats' own full check. The result is the full
 * check's, always (test/data/shared/data-formats.test.ts compares them over many samples); only the time
 * differs. Over the 490,000 `orderedAt` values of the bench's 100 MB NDJSON (`npx projen bench`
 * inputs), the full `date-time` took 215 ms, this one 16–22 ms, JSON.parse of the records 485 ms.
 * `email` stays ajv-formats' regular expression (which ajv inlines into the validator): a
 * hand-written one-pass check of the same grammar was no faster than V8's compiled expression
 * (70–132 ms against 63–90 ms over the 490,000 addresses).
 *
 * Used on both sides: the schema compiler (at synth) compiles with these formats and makes the
 * ajv standalone validator `require` them as {@link DATA_FORMATS_MODULE}; the data validator's
 * handler bundles this module and hands it to the standalone code under that name. It imports
 * ajv-formats only (a bundled dependency of the construct, bundled into the handler by esbuild).
 */
import { fullFormats } from 'ajv-formats/dist/formats';

/** The name under which the precompiled validators `require` this module. */
export const DATA_FORMATS_MODULE = 'cdk-tap-serverless/data-formats';

type FormatDefinition = { readonly validate: (value: string) => boolean; readonly compare?: (a: string, b: string) => number | undefined };

const full = {
  date: fullFormats.date as FormatDefinition,
  time: fullFormats.time as FormatDefinition,
  dateTime: fullFormats['date-time'] as FormatDefinition,
};

/** Fraction digits the fast path reads: 59 plus any 12-digit fraction stays below 60 as a double. */
const MAX_FAST_FRACTION_DIGITS = 12;
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 0x30;

/** The value of the two ASCII digits at `i`, or -1. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - ZERO;
  const b = s.charCodeAt(i + 1) - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Whether `s[at..at+10)` is `YYYY-MM-DD`, an existing day (RFC 3339 full-date). */
function fastDate(s: string, at: number): boolean {
  const century = twoDigits(s, at);
  const yy = twoDigits(s, at + 2);
  if (century < 0 || yy < 0 || s.charCodeAt(at + 4) !== 0x2d || s.charCodeAt(at + 7) !== 0x2d) return false;
  const month = twoDigits(s, at + 5);
  const day = twoDigits(s, at + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= DAYS[month]) return true;
  const year = century * 100 + yy;
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Whether `s` from `at` to its end is `HH:MM:SS[.frac](Z|±HH[[:]MM])` with hours ≤ 23, minutes
 * and seconds ≤ 59 (RFC 3339 full-time, time zone required), i.e. valid without the leap-second
 * rule, which the fast path leaves to the full check.
 */
function fastTime(s: string, at: number): boolean {
  const hour = twoDigits(s, at);
  const minute = twoDigits(s, at + 3);
  const second = twoDigits(s, at + 6);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (s.charCodeAt(at + 2) !== 0x3a || s.charCodeAt(at + 5) !== 0x3a) return false;
  let i = at + 8;
  const end = s.length;
  if (s.charCodeAt(i) === 0x2e) { // a fraction: at least one digit
    const first = ++i;
    for (let c = s.charCodeAt(i) - ZERO; i < end && c >= 0 && c <= 9; c = s.charCodeAt(++i) - ZERO);
    if (i === first) return false;
    // ajv-formats reads the seconds as a JavaScript number: with many fraction digits `59.999…`
    // rounds to 60 and is then refused outside a leap second. Such strings go to the full check.
    if (i - first > MAX_FAST_FRACTION_DIGITS) return false;
  }
  const zone = s.charCodeAt(i);
  if (zone === 0x5a || zone === 0x7a) return i + 1 === end; // Z or z
  if (zone !== 0x2b && zone !== 0x2d) return false; // + or -
  const zoneHour = twoDigits(s, i + 1);
  if (zoneHour < 0 || zoneHour > 23) return false;
  if (i + 3 === end) return true; // ±HH
  const colon = s.charCodeAt(i + 3) === 0x3a ? 1 : 0;
  const zoneMinute = twoDigits(s, i + 3 + colon);
  return zoneMinute >= 0 && zoneMinute <= 59 && i + 5 + colon === end; // ±HH:MM or ±HHMM
}

/** RFC 3339 `date-time` (ajv-formats full mode: `T`, `t` or white space between date and time; time zone required). */
export function dateTime(s: string): boolean {
  const t = s.charCodeAt(10);
  return ((t === 0x54 || t === 0x74) && fastDate(s, 0) && fastTime(s, 11)) || full.dateTime.validate(s);
}

/** RFC 3339 `full-date` (ajv-formats full mode). */
export function date(s: string): boolean {
  return (s.length === 10 && fastDate(s, 0)) || full.date.validate(s);
}

/** RFC 3339 `full-time`, time zone required (ajv-formats full mode). */
export function time(s: string): boolean {
  return fastTime(s, 0) || full.time.validate(s);
}

/** ajv-formats' full formats, with the faster `date-time`, `date` and `time` of the same strictness. */
export const dataFormats: Readonly<Record<string, unknown>> = {
  ...fullFormats,
  'date-time': { validate: dateTime, compare: full.dateTime.compare },
  'date': { validate: date, compare: full.date.compare },
  'time': { validate: time, compare: full.time.compare },
};
