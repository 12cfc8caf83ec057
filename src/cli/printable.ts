/**
 * Characters that change what a terminal shows rather than showing themselves: C0 controls (line
 * feed, carriage return, escape sequences), DEL, C1 controls, and Unicode's line separators and
 * bidirectional overrides. S3 keys may contain any of them.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, without the line feed and tab the CLI's own multi-line output uses. */
const UNSAFE_IN_OUTPUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string): string => `\\u{${c.codePointAt(0)!.toString(16).padStart(2, '0')}}`;

/**
 * `text` (an object key, a message from an event) as it can be printed: every character of
 * {@link UNSAFE} written as `\u{…}`, so that a key cannot start a new line, rewrite one, or hide
 * itself.
 */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** A block of the CLI's output as it can be printed: like {@link printable}, keeping line feeds and tabs. */
export function printableOutput(text: string): string {
  return text.replace(UNSAFE_IN_OUTPUT, escape);
}
