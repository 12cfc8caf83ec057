import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType } from '@streamparser/json';
import { InvalidUtf8Error, Utf8Checker } from './bytes';
import { checkRecord, recordCheckOptions } from './record-check';
import type { ReportBuilder } from './report';
import type { ValidateDataOptions } from './validate-data';

/**
 * `.json`: an array of records (each element is one record) or one object (one record), parsed as
 * a stream of tokens (@streamparser/json), so that an array of any size is read in bounded memory.
 * An element (or the object) larger than `maxRecordBytes` or nested deeper than `dataMaxJsonDepth`, a
 * syntax error or invalid UTF-8 stops reading: the parser cannot resynchronize inside a document.
 */
export async function validateJson(chunks: AsyncIterable<Uint8Array>, options: ValidateDataOptions, report: ReportBuilder): Promise<void> {
  const { maxRecordBytes, maxJsonDepth } = options.limits;
  const check = recordCheckOptions(options.validators?.json, maxJsonDepth, options.validators?.maxDepth);
  const utf8 = new Utf8Checker();
  const tokenizer = keepingByteOrderMarks(new Tokenizer());
  let parser: TokenParser | undefined;
  let topLevel: 'array' | 'object' | undefined;
  let depth = 0;
  let line = 1;
  let fed = 0;
  let newlines: number[] = [];
  let nextNewline = 0;
  let element: { index: number; line: number; offset: number } | undefined;
  let index = -1;

  /** The line of a byte offset; offsets only grow, so the newlines before it are consumed once. */
  const lineAt = (offset: number): number => {
    while (nextNewline < newlines.length && newlines[nextNewline] < offset) {
      nextNewline += 1;
      line += 1;
    }
    return line;
  };
  const stop = (reason: string, keyword: string): never => {
    report.fail({ keyword, reason, ...(element ? { line: element.line, ...(topLevel === 'array' ? { index: element.index } : {}) } : {}) });
    throw new StopParsing();
  };

  tokenizer.onToken = ({ token, value, offset }) => {
    const at = lineAt(offset);
    if (topLevel === undefined) {
      if (token === TokenType.LEFT_BRACKET) topLevel = 'array';
      else if (token === TokenType.LEFT_BRACE) topLevel = 'object';
      else stop(`A .json file must hold an array of records or one object; it starts with ${JSON.stringify(value)} on line ${at}`, 'type');
      parser = new TokenParser({ paths: [topLevel === 'array' ? '$.*' : '$'], keepStack: false });
      parser.onValue = ({ value: record }) => {
        checkRecord(record, topLevel === 'array' ? { line: element!.line, index: element!.index } : { line: element!.line }, check, report);
        element = undefined;
      };
      if (topLevel === 'object') element = { index: 0, line: at, offset };
    }
    const elementDepth = topLevel === 'array' ? 1 : 0;
    if (depth === elementDepth && element === undefined && token !== TokenType.COMMA && token !== TokenType.RIGHT_BRACKET) {
      index += 1;
      element = { index, line: at, offset };
    }
    if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) {
      depth += 1;
      if (depth - elementDepth > maxJsonDepth) {
        stop(`Arrays and objects are nested deeper than ${maxJsonDepth} levels (dataMaxJsonDepth) in the record starting on line ${element?.line}`, 'depth');
      }
    } else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) {
      depth -= 1;
    }
    parser!.write({ token, value } as Parameters<TokenParser['write']>[0]);
  };

  try {
    for await (const chunk of chunks) {
      utf8.decode(chunk);
      newlines = newlines.slice(nextNewline);
      nextNewline = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, nl + 1)) newlines.push(fed + nl);
      fed += chunk.length;
      tokenizer.write(chunk);
      if (element !== undefined && fed - element.offset > maxRecordBytes) {
        stop(`The record starting on line ${element.line} is longer than ${maxRecordBytes} bytes (dataMaxRecordSize)`, 'length');
      }
      if (element === undefined && topLevel === undefined && fed > maxRecordBytes) {
        stop(`No JSON value starts within the first ${maxRecordBytes} bytes`, 'parse');
      }
    }
    utf8.end();
    if (fed > 0) tokenizer.end();
    if (parser && !parser.isEnded) {
      element ??= { index, line, offset: fed };
      stop(`The JSON document ends on line ${line} before it is complete (truncated?)`, 'parse');
    }
  } catch (err) {
    if (err instanceof StopParsing) return;
    if (err instanceof InvalidUtf8Error) {
      report.fail({ keyword: 'utf8', reason: `The file is not valid UTF-8 (${err.message})`, ...(element ? { line: element.line } : {}) });
      return;
    }
    if (err instanceof TokenizerError || err instanceof TokenParserError) {
      report.fail({ keyword: 'parse', reason: `Not valid JSON: ${err.message} (line ${line})`, line });
      return;
    }
    throw err;
  }
}

/** Unwinds the JSON tokenizer once the report has its fatal problem. */
class StopParsing extends Error {}

/**
 * The tokenizer, set to keep every U+FEFF of a string. @streamparser/json decodes each piece of a
 * string with its own `TextDecoder`, which by default drops a U+FEFF at the start of what it
 * decodes: `"a\ufeffb"` would be validated as `"ab"`, the key `"\ufeffid"` as `"id"`. (The file's
 * own byte order mark is removed before the tokenizer sees the bytes.)
 */
function keepingByteOrderMarks(tokenizer: Tokenizer): Tokenizer {
  const builders = tokenizer as unknown as Record<'bufferedString' | 'bufferedNumber', { decoder?: TextDecoder }>;
  for (const name of ['bufferedString', 'bufferedNumber'] as const) {
    if (!(builders[name]?.decoder instanceof TextDecoder)) {
      throw new Error(`@streamparser/json changed: its tokenizer has no ${name}.decoder to keep U+FEFF with`);
    }
    builders[name].decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  }
  return tokenizer;
}
