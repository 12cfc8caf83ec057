/**
 * Hard bounds on what an outcome holds, so that no input can make a notification or a report too
 * large to store: DynamoDB refuses items over 400 KB (a refusal that would be retried and then
 * dead-lettered), and a report holds up to `dataMaxReportErrors` errors. Text taken from the data (an
 * ajv error path made of a 450 KB property name, a parser's message) is cut, and says so; counts
 * are never cut.
 */

/** Longest `message` of a notification, in characters. */
export const MAX_MESSAGE_CHARS = 4096;
/** Longest string anywhere in a notification's `details`, in characters (an object key is at most 1,024 bytes). */
export const MAX_DETAIL_STRING_CHARS = 2048;
/** Most entries of an array in a notification's `details` (an image's thumbnails, at most 16). */
export const MAX_DETAIL_ARRAY_ITEMS = 100;
/** Largest notification, serialized as JSON: under a sixth of DynamoDB's item limit, whatever the details. */
export const MAX_NOTIFICATION_BYTES = 64 * 1024;
/** Longest `path` and `message` of one report error, in characters. */
export const MAX_REPORT_ERROR_TEXT_CHARS = 512;

/** `text` cut to at most `max` characters, ending with a mark that says how long it was; unchanged when it fits. */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  const mark = `… [cut: ${text.length} characters]`;
  let end = Math.max(0, max - mark.length);
  // Never cut a surrogate pair in two: the result must stay well-formed UTF-16 (DynamoDB refuses lone surrogates).
  if (end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1])) end -= 1;
  return text.slice(0, end) + mark;
}

/**
 * `value` with every string cut to {@link MAX_DETAIL_STRING_CHARS} and every array to
 * {@link MAX_DETAIL_ARRAY_ITEMS} entries (the last one saying how many were left out).
 */
export function boundDetails(value: unknown): unknown {
  if (typeof value === 'string') return boundText(value, MAX_DETAIL_STRING_CHARS);
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_DETAIL_ARRAY_ITEMS).map(boundDetails);
    return value.length > MAX_DETAIL_ARRAY_ITEMS ? [...kept, `… [cut: ${value.length - MAX_DETAIL_ARRAY_ITEMS} more entries]`] : kept;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [boundText(name, MAX_DETAIL_STRING_CHARS), boundDetails(item)]));
  }
  return value;
}
