import { fullFormats } from 'ajv-formats/dist/formats';
import { schemaValidators } from '../../../emulator/data-files';
import { dataFormats, date, dateTime, time } from '../../../src/data/shared/data-formats';

type Check = (s: string) => boolean;
const full = {
  'date-time': (fullFormats['date-time'] as { validate: Check }).validate,
  'date': (fullFormats.date as { validate: Check }).validate,
  'time': (fullFormats.time as { validate: Check }).validate,
};

/** A deterministic pseudo-random generator (Park–Miller), so that a failure can be reproduced. */
function random(seed: number): () => number {
  let a = seed % 2147483647;
  return () => {
    a = (a * 48271) % 2147483647;
    return a / 2147483647;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
// Characters a mutation inserts or substitutes: digits, every separator the grammar knows, and look-alikes.
const ALPHABET = '0123456789-:.+zZtT \t\u00a0\u2028\n/_,x5\u0663\uff11';

/** Valid and nearly valid RFC 3339 strings: every field at and around its bounds, and random mutations of them. */
function samples(kind: 'date-time' | 'date' | 'time', count: number, seed: number): string[] {
  const next = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const year = () => pad(pick([0, 1, 1900, 1999, 2000, 2004, 2023, 2024, 2100, 2400, 9999]), 4);
  const month = () => pad(pick([0, 1, 2, 4, 9, 11, 12, 13, 19, 99]));
  const day = () => pad(pick([0, 1, 9, 28, 29, 30, 31, 32, 39, 99]));
  const hms = () => `${pad(pick([0, 9, 12, 19, 20, 23, 24, 29, 30, 99]))}:${pad(pick([0, 30, 59, 60, 99]))}:${pad(pick([0, 30, 59, 60, 61, 99]))}`;
  const fraction = () => pick(['', '', '.5', '.123', '.123456789', '.', '.x', `.${'9'.repeat(12 + Math.floor(next() * 8))}`]);
  const zone = () => pick(['Z', 'z', '', '+00:00', '-00:00', '+05:30', '-08:00', '+0530', '+05', '+23:59', '+24:00', '-12:60', '+5:30', '+05:3', '+05:', '+05:300']);
  const separator = () => pick(['T', 't', ' ', '\t', '\u00a0', 'TT', '', '_']);
  const make = (): string => {
    switch (kind) {
      case 'date': return `${year()}-${month()}-${day()}`;
      case 'time': return `${hms()}${fraction()}${zone()}`;
      default: return `${year()}-${month()}-${day()}${separator()}${hms()}${fraction()}${zone()}`;
    }
  };
  // Half the strings are built from in-range fields only, so that valid strings are common too.
  const int = (n: number) => Math.floor(next() * n);
  const validHms = () => `${pad(int(24))}:${pad(int(60))}:${pad(int(60))}${pick(['', '.5', '.123'])}${pick(['Z', 'z', '+05:30', '-0800', '+01'])}`;
  const makeValid = (): string => {
    const ymd = `${pad(int(10000), 4)}-${pad(1 + int(12))}-${pad(1 + int(28))}`;
    return kind === 'date' ? ymd : kind === 'time' ? validHms() : `${ymd}${pick(['T', 't', ' '])}${validHms()}`;
  };
  const out: string[] = [];
  while (out.length < count) {
    let s = next() < 0.5 ? makeValid() : make();
    const mutations = Math.floor(next() * 3); // a third unchanged, the rest with 1 or 2 random edits
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(next() * (s.length + 1));
      const c = pick([...ALPHABET]);
      switch (Math.floor(next() * 3)) {
        case 0: s = s.slice(0, at) + c + s.slice(at + 1); break; // substitute
        case 1: s = s.slice(0, at) + c + s.slice(at); break; // insert
        default: s = s.slice(0, at) + s.slice(at + 1); // delete
      }
    }
    out.push(s);
  }
  return out;
}

describe('data formats: the same answers as ajv-formats full mode', () => {
  const edgeCases = [
    '2026-01-14T01:43:04.139Z', '2026-01-14t01:43:04z', '2026-01-14 01:43:04Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-12-31T23:59:60Z', '2026-12-31T23:59:60.999Z',
    '2026-12-31T22:59:60-01:00', '2026-12-31T23:59:61Z', '2026-06-30T15:59:60-08:00', '2026-01-01T30:59:60+07:00',
    '2026-01-01T00:00:00', '2026-01-01T00:00:00+01', '2026-01-01T00:00:00+0100', '2026-01-01T00:00:00+01:00',
    '2026-01-01T24:00:00Z', '2026-01-01T00:60:00Z', '2026-01-01T00:00:00.Z', '2026-01-01T00:00:00.1234567890123Z',
    '2026-01-01T00:00:00Z ', ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00Zz', '2026-01-01T00:00:00+01:00:00',
    '２０２６-01-01T00:00:00Z', '2026-01-01T00:00:00\u2028Z', '', 'T', '2026-01-01', '00:00:00Z', '2026-1-01T00:00:00Z',
    // Fractions whose seconds round to 60 as a double (ajv-formats refuses them outside 23:59 UTC), and their neighbours.
    '2026-01-01T12:00:59.99999999999999999Z', '2026-01-01T12:00:59.999999999999999Z', '2026-01-01T12:00:59.99999999999999Z',
    '2026-01-01T12:00:59.999999999999Z', '2026-01-01T12:00:59.9999999999999Z', '2026-01-01T23:59:59.99999999999999999Z',
    '2026-01-01T12:00:58.99999999999999999Z', '2026-01-01T12:00:59.00000000000000001Z', `2026-01-01T12:00:59.${'9'.repeat(40)}+01:00`,
  ];

  test.each(['date-time', 'date', 'time'] as const)('%s: 200,000 generated samples and the edge cases', (kind) => {
    const ours = { 'date-time': dateTime, 'date': date, 'time': time }[kind];
    const inputs = [...edgeCases, ...edgeCases.map((s) => s.slice(0, 10)), ...edgeCases.map((s) => s.slice(11)), ...samples(kind, 200_000, 20261205)];
    const disagreements = inputs.filter((s) => ours(s) !== full[kind](s));
    expect(disagreements).toEqual([]);
    // The samples exercise both answers, thousands of each: a check that always says yes or no would fail above.
    const valid = inputs.filter((s) => full[kind](s)).length;
    expect(valid).toBeGreaterThan(inputs.length * 0.05);
    expect(inputs.length - valid).toBeGreaterThan(inputs.length * 0.05);
  });

  test('every other format is ajv-formats\' own full format', () => {
    for (const [name, format] of Object.entries(fullFormats)) {
      if (['date-time', 'date', 'time'].includes(name)) continue;
      expect({ name, format: dataFormats[name] }).toEqual({ name, format });
    }
    expect(Object.keys(dataFormats).sort()).toEqual(Object.keys(fullFormats).sort());
  });

  test('the precompiled validators use them: a bad date-time is still a format error', () => {
    const { json, csv } = schemaValidators();
    const record = { id: 1, customer: 'Ann', email: 'a@example.com', quantity: 1, price: 2, paid: true };
    expect(json({ ...record, orderedAt: '2026-01-14T01:43:04.139Z' })).toEqual([]);
    expect(json({ ...record, orderedAt: '2026-02-30T01:43:04Z' })).toEqual([
      { path: '/orderedAt', keyword: 'format', message: 'must match format "date-time"' },
    ]);
    expect(csv({ ...record, orderedAt: '2026-01-14T25:00:00Z' })).toEqual([
      { path: '/orderedAt', keyword: 'format', message: 'must match format "date-time"' },
    ]);
    expect(json({ ...record, email: 'a@b-.com' })).toEqual([{ path: '/email', keyword: 'format', message: 'must match format "email"' }]);
  });
});
