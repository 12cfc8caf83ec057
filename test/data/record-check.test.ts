import { exceedsDepth, shallowText } from '../../src/data/runtime/record-check';

describe('shallowText: the depth walk is skipped only when the text cannot be deep', () => {
  test('a text with at most maxDepth brackets is shallow; one more and it may be deep', () => {
    expect(shallowText('{"id":1,"tags":["a","b"]}', 2)).toBe(true);
    expect(shallowText('{"id":1,"tags":["a","b"]}', 1)).toBe(false);
    expect(shallowText('"no brackets"', 0)).toBe(true);
    // Brackets inside strings count too: shallowText may send a shallow record to the walk, never the reverse.
    expect(shallowText('{"note":"[[[["}', 2)).toBe(false);
  });

  test('shallowText and the walk agree over nested texts of every depth around the limit', () => {
    for (let depth = 1; depth <= 8; depth++) {
      for (const open of ['[', '{"a":']) {
        const close = open === '[' ? ']' : '}';
        const text = open.repeat(depth) + '1' + close.repeat(depth);
        for (let max = 1; max <= 8; max++) {
          // The text has exactly `depth` opening brackets: shallow exactly when the walk finds it within the limit.
          expect(shallowText(text, max)).toBe(depth <= max);
          expect(exceedsDepth(JSON.parse(text), max)).toBe(depth > max);
        }
      }
    }
  });
});
