import { boundDetails, boundText, MAX_DETAIL_ARRAY_ITEMS, MAX_DETAIL_STRING_CHARS, MAX_MESSAGE_CHARS, MAX_NOTIFICATION_BYTES } from '../../src/runtime/bounded';
import { outcomeNotification } from '../../src/runtime/outcome-store';

describe('boundText', () => {
  test('keeps text of exactly the limit, cuts one character more and says how long it was', () => {
    expect(boundText('x'.repeat(100), 100)).toBe('x'.repeat(100));
    const cut = boundText('x'.repeat(101), 100);
    expect(cut).toHaveLength(100);
    expect(cut).toMatch(/^x+… \[cut: 101 characters\]$/);
  });

  test('never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(200); // 400 UTF-16 units
    for (let max = 40; max < 60; max++) {
      const cut = boundText(emoji, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });
});

describe('boundDetails', () => {
  test('cuts long strings, long names and long arrays anywhere in the details; numbers stay exact', () => {
    const long = 'p'.repeat(450_000);
    const bounded = boundDetails({ [long]: long, n: 123456789, list: Array.from({ length: 150 }, (_, i) => i), nested: { deeper: [long] } }) as any;
    const names = Object.keys(bounded);
    expect(names[0]).toHaveLength(MAX_DETAIL_STRING_CHARS);
    expect(bounded[names[0]]).toMatch(/… \[cut: 450000 characters\]$/);
    expect(bounded.n).toBe(123456789);
    expect(bounded.list).toHaveLength(MAX_DETAIL_ARRAY_ITEMS + 1);
    expect(bounded.list.at(-1)).toBe('… [cut: 50 more entries]');
    expect(bounded.nested.deeper[0]).toHaveLength(MAX_DETAIL_STRING_CHARS);
  });
});

describe('outcomeNotification (finding: an outcome too large to record)', () => {
  const object = { bucket: 'b', key: 'data/x.ndjson', versionId: 'v1', eTag: 'e', size: 10 };

  test('a 451 KB detail and message are cut: the notification stays under its bound, counts exact', () => {
    const long = 'a'.repeat(450_000);
    const n = outcomeNotification({ fingerprint: 'f' }, {
      type: 'data.invalid',
      message: `Invalid: ${long}`,
      object,
      details: { records: 1, invalidRecords: 1, errors: 1, firstError: { line: 1, path: `/${long}`, keyword: 'additionalProperties', message: 'must NOT have additional properties' } },
    });
    expect(n.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(Buffer.byteLength(JSON.stringify(n))).toBeLessThan(MAX_NOTIFICATION_BYTES);
    expect(n.details).toMatchObject({ records: 1, invalidRecords: 1, errors: 1, key: 'data/x.ndjson', versionId: 'v1' });
  });

  test('many bounded fields that add up past the bound leave the object\'s identity and say what was omitted', () => {
    const details = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`field${i}`, 'z'.repeat(5000)]));
    const n = outcomeNotification({ fingerprint: 'f' }, { type: 'image.rejected', message: 'm', object, details });
    expect(n.details).toEqual({ bucket: 'b', key: 'data/x.ndjson', size: 10, versionId: 'v1', eTag: 'e', fingerprint: 'f', detailsOmitted: { bytes: expect.any(Number), maxBytes: MAX_NOTIFICATION_BYTES } });
    expect((n.details as any).detailsOmitted.bytes).toBeGreaterThan(MAX_NOTIFICATION_BYTES);
  });

  test('an ordinary outcome is unchanged', () => {
    const n = outcomeNotification({ fingerprint: 'f' }, { type: 'data.valid', message: 'Valid', object, details: { records: 3 } });
    expect(n).toMatchObject({ message: 'Valid', details: { bucket: 'b', key: 'data/x.ndjson', records: 3, fingerprint: 'f' } });
  });
});
