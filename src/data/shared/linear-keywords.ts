/**
 * The two JSON Schema keywords whose usual implementations can take time beyond any budget on one
 * record, in forms whose time grows linearly with the record:
 *
 * - `pattern` and `patternProperties` run on RE2 (re2js, a JavaScript port of RE2: matching in
 *   time linear in the string, whatever the expression), not on JavaScript's backtracking
 *   `RegExp`, where `^(a|a)*$` doubles its time with each character of a string.
 * - `uniqueItems` compares the items by a canonical text of each (object keys sorted), one pass
 *   over the array, not every pair of items (ajv's, quadratic: 40,000 distinct items take seconds).
 *
 * Used on both sides, like ./data-formats: the schema compiler (at synth) compiles with these, and
 * every pattern is compiled by RE2 there, so that one RE2 cannot run (a lookaround, a back-reference)
 * fails the synth naming it; the ajv standalone validator `require`s this module as
 * {@link DATA_KEYWORDS_MODULE}, which the data validator's handler bundles.
 *
 * re2js itself is not bundled into the handler (150 KB minified, 3 ms more at every cold start,
 * `npx ts-node --project tsconfig.dev.json bench/measure-schema-load.ts`): the construct copies it beside the compiled schema only when
 * the schema has a pattern, and each side says where to load it from ({@link useRe2}).
 */

/** The name under which the precompiled validators `require` this module. */
export const DATA_KEYWORDS_MODULE = 'cdk-tap-serverless/data-keywords';

/** What ajv's generated code calls on a compiled pattern. */
export interface LinearPattern {
  test(value: string): boolean;
}

/** The part of re2js used here. */
export interface Re2Module {
  RE2JS: {
    compile(pattern: string): { matcher(input: string): { find(): boolean } };
    translateRegExp(pattern: string): string;
  };
}

let re2: Re2Module | undefined;
let re2Loader: (() => Re2Module) | undefined;

/** Where re2js comes from: `require('re2js')` at synth, the copy beside the compiled schema in the handler. */
export function useRe2(loader: () => Re2Module): void {
  re2Loader = loader;
  re2 = undefined;
}

/**
 * What JavaScript's `\s` matches (ECMA-262 WhiteSpace and LineTerminator), in RE2 syntax, without
 * brackets: RE2's own `\s` is ASCII white space only.
 */
const JS_SPACE = '\\t-\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** What JavaScript's `.` matches (all but line terminators), in RE2 syntax: RE2's `.` leaves out `\n` only. */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';

/**
 * An ECMAScript pattern (the JSON Schema `pattern` dialect) in RE2 syntax, with the same meaning:
 * re2js translates the escapes RE2 spells otherwise (`\u0041`, `\u{1F600}`, `\cA`), and `\s`, `\S`
 * and `.` are spelt out as JavaScript reads them. `\S` inside a bracket class has no RE2 spelling
 * (a class cannot hold the complement of another) and is refused.
 */
export function re2Syntax(pattern: string): string {
  // re2js would read a named back-reference as the letter k: refused here, as RE2 refuses `\1`.
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') {
      if (pattern[i + 1] === 'k') throw new Error('back-references (\\k<name>) have no equivalent in RE2');
      i += 1;
    }
  }
  const translated = loadRe2().RE2JS.translateRegExp(pattern);
  let out = '';
  let inClass = false;
  for (let i = 0; i < translated.length; i++) {
    const c = translated[i];
    if (c === '\\' && i + 1 < translated.length) {
      const next = translated[i + 1];
      i += 1;
      if (next === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${JS_SPACE}]`;
      else if (next === 'b' && inClass) out += '\\x08'; // JavaScript's backspace in a class; RE2 has no \b there
      else if (next === 'S') throw new Error('\\S inside a bracket class has no equivalent in RE2; write the negated class another way, e.g. [^\\s…] for [\\S…]');
      else out += c + next;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      const negated = translated[i + 1] === '^';
      if (negated) i += 1;
      if (translated[i + 1] === ']') { // JavaScript's `[]` matches nothing, `[^]` any character
        out += negated ? '[\\x{0}-\\x{10ffff}]' : '[^\\x{0}-\\x{10ffff}]';
        i += 1;
        continue;
      }
      inClass = true;
      out += negated ? '[^' : '[';
      continue;
    } else if (c === '.') {
      out += JS_DOT;
      continue;
    }
    out += c;
  }
  return out;
}

function loadRe2(): Re2Module {
  if (re2 === undefined) {
    if (re2Loader === undefined) throw new Error('re2js was not provided (useRe2)');
    re2 = re2Loader();
  }
  return re2;
}

/**
 * ajv's `code.regExp`: a JSON Schema pattern compiled by RE2 (see {@link re2Syntax}). Throws, naming
 * the pattern and RE2's reason, when RE2 cannot run it. `unicode` is ajv's flag (`u`, always set:
 * patterns are matched by code point, as RE2 does).
 */
export function linearRegExp(pattern: string, _unicode?: string): LinearPattern {
  try {
    // A JSON Schema pattern is an ECMAScript expression: one JavaScript refuses is refused, even where RE2 reads it.
    new RegExp(pattern, 'u'); // eslint-disable-line no-new
  } catch (err) {
    throw new Error(`the pattern ${JSON.stringify(pattern)} is not a valid ECMAScript regular expression: ${(err as Error).message}`);
  }
  let compiled: ReturnType<Re2Module['RE2JS']['compile']>;
  try {
    compiled = loadRe2().RE2JS.compile(re2Syntax(pattern));
  } catch (err) {
    throw new Error(`the pattern ${JSON.stringify(pattern)} cannot run in linear time (RE2): ${(err as Error).message}`);
  }
  return { test: (value) => compiled.matcher(value).find() };
}

/**
 * The pair of equal items `uniqueItems` reports, as ajv's own check does for items of any type:
 * `[j, i]` with `i` the last index equal to an earlier item and `j` the last earlier index equal to it,
 * or `undefined` when every item is distinct. Equality is JSON equality (objects whatever the order
 * of their keys, `0` and `-0` equal), decided by comparing canonical texts: one pass over the items.
 */
export function duplicateItems(items: readonly unknown[]): [number, number] | undefined {
  const lastIndexOf = new Map<string, number>();
  let found: [number, number] | undefined;
  for (let i = 0; i < items.length; i++) {
    const key = canonical(items[i]);
    const earlier = lastIndexOf.get(key);
    if (earlier !== undefined) found = [earlier, i];
    lastIndexOf.set(key, i);
  }
  return found;
}

/** A text equal for equal JSON values only: strings quoted, object keys sorted. */
function canonical(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value); // numbers (String(-0) is "0"), booleans, null
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + canonical(value[i]);
    return text + ']';
  }
  const record = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(record).sort()) text += (text.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + canonical(record[key]);
  return text + '}';
}
