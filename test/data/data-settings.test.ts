import { Size } from 'aws-cdk-lib';
import { DataSchema } from '../../src';
import { DATA_LIMITS } from '../../src/contract/data-limits';
import { DATA_DEFAULTS, dataValidatorFingerprint, resolveDataSettings } from '../../src/data/data-settings';

// The data validator's options resolved alone, as TapServerless does before it creates anything.

describe('resolveDataSettings', () => {
  test('applies the defaults: 1 GiB files, 1 MiB records, depth 64, 100 report errors, no schema', () => {
    expect(resolveDataSettings({})).toEqual({
      maxDataBytes: 1024 ** 3, maxRecordBytes: 1024 ** 2, maxJsonDepth: 64, maxReportErrors: 100, schema: undefined,
    });
    expect(resolveDataSettings({}).maxDataBytes).toBe(DATA_DEFAULTS.dataMaxSize.toBytes());
  });

  test('precompiles the schema it is given', () => {
    const json = '{"type": "object", "required": ["id"]}';
    const { schema } = resolveDataSettings({ dataSchema: DataSchema.fromJson(json) });
    expect(schema?.meta).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: Buffer.byteLength(json) });
  });

  test.each([
    [{ dataMaxSize: Size.bytes(0) }, /invalid dataMaxSize \(0\): it must be a whole number of bytes from/],
    [{ dataMaxRecordSize: Size.bytes(DATA_LIMITS.maxRecordBytes.max + 1) }, /invalid dataMaxRecordSize/],
    [{ dataMaxJsonDepth: 0 }, /invalid dataMaxJsonDepth \(0\)/],
    [{ dataMaxJsonDepth: 2.5 }, /invalid dataMaxJsonDepth \(2.5\)/],
    [{ dataMaxReportErrors: DATA_LIMITS.maxReportErrors.max + 1 }, /invalid dataMaxReportErrors/],
  ])('fails on %j, naming the option and the value', (options, message) => {
    expect(() => resolveDataSettings(options)).toThrow(message);
  });

  test('fails on a schema that is not JSON, before anything is created', () => {
    expect(() => resolveDataSettings({ dataSchema: DataSchema.fromJson('{') })).toThrow(/dataSchema/);
  });
});

describe('dataValidatorFingerprint', () => {
  const base = resolveDataSettings({});

  test('is 16 hex digits, the same for the same settings', () => {
    expect(dataValidatorFingerprint(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(dataValidatorFingerprint(resolveDataSettings({}))).toBe(dataValidatorFingerprint(base));
  });

  test('changes with the schema and with each limit', () => {
    const fingerprints = new Set([
      base,
      resolveDataSettings({ dataSchema: DataSchema.fromJson('{"type": "object"}') }),
      { ...base, maxDataBytes: 1 },
      { ...base, maxRecordBytes: 1 },
      { ...base, maxJsonDepth: 1 },
      { ...base, maxReportErrors: 1 },
    ].map(dataValidatorFingerprint));
    expect(fingerprints.size).toBe(6);
  });
});
