import { readFileSync } from 'fs';
import * as path from 'path';

// jsii-pacmak writes README.md into the Java package's package-info.java, a comment that javac
// still reads for Unicode escapes: an eligible backslash (one not preceded by an odd number of
// backslashes) followed by "u" is an escape everywhere in a Java source, and without four hex digits
// after it the Java build fails with "illegal unicode escape".
const README = readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');

/** Each line of `text` where javac would find a Unicode escape. */
function javaUnicodeEscapes(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (/(?<!\\)(?:\\\\)*\\u/.test(line)) found.push(`${index + 1}: ${line}`);
  });
  return found;
}

test('the README has no backslash-u that javac would read as a Unicode escape', () => {
  expect(javaUnicodeEscapes(README)).toEqual([]);
});

test('the check finds an escape, an illegal one, and not an escaped backslash', () => {
  expect(javaUnicodeEscapes('printed as `\\u{1b}`')).toHaveLength(1);
  expect(javaUnicodeEscapes('a \\u0041 b')).toHaveLength(1);
  expect(javaUnicodeEscapes('a \\\\u0041 b')).toEqual([]);
  expect(javaUnicodeEscapes('a \\\\\\u0041 b')).toHaveLength(1);
});
