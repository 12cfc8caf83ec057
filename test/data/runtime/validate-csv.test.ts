import Papa from 'papaparse';
import { chunked, schemaValidators } from '../../../emulator/data-files';
import { validateData, ValidateDataOptions } from '../../../src/data/runtime/validate-data';

const validators = schemaValidators();
const limits = { maxRecordBytes: 64 * 1024, maxJsonDepth: 64, maxReportErrors: 100 };

/** Validates `data` in chunks of `size` bytes, recording the records the CSV validator is given. */
async function records(data: string | Buffer, size: number, extra: Partial<ValidateDataOptions> = {}) {
  const seen: unknown[] = [];
  const recording = { ...validators, csv: (record: unknown) => (seen.push(record), []) };
  const result = await validateData(chunked(data, size), { format: 'csv', validators: recording, limits, ...extra });
  return { seen, result };
}

/** papaparse's own records (`header: true`, blank rows skipped), empty cells left out: what the CSV validator must give. */
function reference(text: string): unknown[] {
  return Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: 'greedy' }).data
    .map((record) => Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')));
}

describe('CSV rows, whatever the chunking', () => {
  test('header names that are not identifiers are record keys as they are, never code', async () => {
    const names = ['a b', 'quote"d', "it's", 'back\\slash', 'line\u2028sep', '`${x}`', '"); throw 1; ("', 'constructor', '', '123', 'ünï'];
    const header = names.map((n) => `"${n.replace(/"/g, '""')}"`).join(',');
    const text = `${header}\n${names.map((_, i) => String(i)).join(',')}\n${names.map((_, i) => (i % 2 ? '' : `v${i}`)).join(',')}\n`;
    const expected = reference(text);
    expect(expected).toHaveLength(2);
    expect(Object.keys(expected[0] as object).sort()).toEqual([...names].sort());
    for (const size of [1, 7, text.length]) {
      const { seen, result } = await records(text, size);
      expect(seen).toEqual(expected);
      expect(result.counts).toMatchObject({ records: 2, invalid: 0 });
    }
  });

  test('a header named __proto__ is an own field like any other (papaparse\'s records lose it); the prototype stays Object\'s', async () => {
    const text = '__proto__,b\n{},2\n';
    const { seen } = await records(text, 3);
    expect(reference(text)).toEqual([{ b: '2' }]);
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0] as object)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(seen[0] as object, '__proto__')?.value).toBe('{}');
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype);
  });

  test('BOM, CRLF, quoted commas, quotes and line breaks: the same records, and row numbers count records, not lines', async () => {
    const text = '\uFEFFid,note\r\n1,"a, b"\r\n2,"two\r\nlines"\r\n3,"say ""hi"""\r\n4,x\r\n5,\r\n';
    for (const size of [1, 2, 3, 5, 8, text.length]) {
      const { seen, result } = await records(text, size);
      expect(seen).toEqual([{ id: '1', note: 'a, b' }, { id: '2', note: 'two\r\nlines' }, { id: '3', note: 'say "hi"' }, { id: '4', note: 'x' }, { id: '5' }]);
      expect(result.counts).toMatchObject({ records: 5, invalid: 0 });
    }
    // A ragged row after a quoted line break is named by its record number.
    const ragged = await validateData(chunked('id,note\n1,"x\ny"\n2\n3,z\n', 3), { format: 'csv', validators: undefined, limits });
    expect(ragged.errors).toEqual([expect.objectContaining({ row: 2, keyword: 'fields', message: expect.stringMatching(/Too few fields/) })]);
  });

  test('multi-byte characters cut by chunk boundaries are read whole, inside and outside quotes', async () => {
    const text = 'id,name\n1,"Zoë, ☃"\n2,𝄞 clef\n3,"日本\n語"\n';
    const bytes = Buffer.from(text, 'utf8');
    for (const size of [1, 2, 3, 5, bytes.length]) {
      const { seen } = await records(bytes, size);
      expect(seen).toEqual([{ id: '1', name: 'Zoë, ☃' }, { id: '2', name: '𝄞 clef' }, { id: '3', name: '日本\n語' }]);
    }
  });

  test('invalid UTF-8 in the middle of the file stops reading with a fatal error naming the row being read', async () => {
    const bytes = Buffer.concat([Buffer.from('id,name\n1,a\n2,b\n3,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n4,d\n')]);
    for (const size of [1, 4, bytes.length]) {
      const { result } = await records(bytes, size);
      expect(result.valid).toBe(false);
      expect(result.fatal).toMatchObject({ keyword: 'utf8', reason: expect.stringMatching(/not valid UTF-8/) });
      expect(result.counts.records).toBeLessThanOrEqual(2);
    }
  });

  test('an open quote longer than dataMaxRecordSize stops reading at that row, whatever the chunking', async () => {
    const small = { ...limits, maxRecordBytes: 1024 };
    const text = 'id,name\n1,a\n2,"open\n' + 'x,y\n'.repeat(1000);
    for (const size of [64, 256, 1000]) {
      const { result } = await records(text, size, { limits: small });
      expect(result.fatal).toMatchObject({ keyword: 'length', row: 2, reason: expect.stringMatching(/longer than 1024 bytes \(dataMaxRecordSize\); is a quote left open/) });
      expect(result.counts).toMatchObject({ records: 1 });
    }
  });
});
