import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { DataSchema, TapServerless, TapServerlessProps } from '../../src';
import { loadSchemaValidators } from '../../src/data/runtime/schema-validators';
import { ENV } from '../support/templates';

const ORDER_SCHEMA_FILE = path.join(__dirname, '..', '..', 'examples', 'schema', 'order.schema.json');

/** GIVEN a stack with a TapServerless; THEN its template, the data validator's env and code directory. */
function synthData(props: TapServerlessProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'DataStack', { env: ENV });
  const tap = new TapServerless(stack, 'Tap', props);
  const template = Template.fromStack(stack);
  const fn = tap.dataValidator as lambda.Function;
  const asset = fn.node.findChild('Code') as Asset;
  const resource = Object.values(template.findResources('AWS::Lambda::Function'))
    .find((r: any) => r.Properties.Description === 'TapServerless: validates uploaded data files') as any;
  return {
    template,
    env: resource.Properties.Environment.Variables,
    codeDir: path.join(app.outdir, asset.assetPath),
    s3Key: resource.Properties.Code.S3Key,
  };
}

const expectSynthError = (props: TapServerlessProps, message: RegExp) => expect(() => synthData(props)).toThrow(message);
const schemaError = (json: string, message: RegExp) => expectSynthError({ dataSchema: DataSchema.fromJson(json) }, message);

describe('data validator defaults', () => {
  const { env, codeDir, template } = synthData();

  test('passes the default limits through the environment', () => {
    expect(env).toMatchObject({
      TAP_DATA_MAX_BYTES: String(1024 ** 3),
      TAP_DATA_MAX_RECORD_BYTES: String(1024 ** 2),
      TAP_DATA_MAX_JSON_DEPTH: '64',
      TAP_DATA_MAX_REPORT_ERRORS: '100',
      POWERTOOLS_SERVICE_NAME: 'data-validator',
    });
  });

  test('without a schema the code is the bundled handler alone (well-formedness only)', () => {
    expect(fs.existsSync(path.join(codeDir, 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(codeDir, 'schema'))).toBe(false);
    expect(loadSchemaValidators(codeDir)).toBeUndefined();
  });

  test('keeps the generated function\'s shape: Node.js 24, index.handler, arm64, failed events to the failure recorder, the dead-letter queue named', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'TapServerless: validates uploaded data files',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TapFailureIntakeQueue'), 'Arn'] } },
      Environment: { Variables: Match.objectLike({ TAP_DEAD_LETTER_QUEUE: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TapDeadLetterQueue'), 'Arn'] } }) },
    });
  });

  test('may read a notification (GetItem) to skip duplicate deliveries', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const dataPolicy = Object.entries(policies).find(([id]) => id.startsWith('TapDataValidatorRoleDefaultPolicy'))![1] as any;
    expect(dataPolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TapNotifications/), 'Arn'] },
    }));
  });
});

describe('dataSchema', () => {
  test('is precompiled into the code asset, next to index.js, and the handler\'s loader validates with it', () => {
    const { codeDir } = synthData({ dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE) });

    expect(fs.readdirSync(path.join(codeDir, 'schema')).sort()).toEqual(['schema-bounds.json', 'schema-meta.json', 'validate-csv.js', 'validate-json.js']);
    const validators = loadSchemaValidators(codeDir)!;
    // The order schema accepts records two levels deep at most (an object holding the tags array).
    expect(validators.maxDepth).toBe(2);
    expect(validators.meta).toEqual({
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      id: 'https://schemas.tapserverless.dev/order.json',
      draft: 'draft-07',
      bytes: fs.statSync(ORDER_SCHEMA_FILE).size,
    });
    const record = { id: 1, customer: 'A', email: 'a@example.com', quantity: 1, price: 1, paid: true };
    expect(validators.json(record)).toEqual([]);
    expect(validators.json({ ...record, quantity: '1' })).toEqual([{ path: '/quantity', keyword: 'type', message: 'must be integer' }]);
    // CSV: every cell is a string, coerced to the schema's types
    expect(validators.csv({ ...record, id: '1', quantity: '1', price: '1.5', paid: 'false' })).toEqual([]);
  });

  test('the same schema gives the same asset; another schema another one', () => {
    const a = synthData({ dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE) }).s3Key;
    const b = synthData({ dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE) }).s3Key;
    const c = synthData({ dataSchema: DataSchema.fromJson('{"type": "object"}') }).s3Key;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  test('the copy with the schema is written into the app\'s output once, and nowhere else', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tap-outdir-'));
    const before = fs.readdirSync(os.tmpdir()).sort();
    const synthInto = () => {
      const app = new App({ outdir });
      const stack = new Stack(app, 'DataStack', { env: ENV });
      new TapServerless(stack, 'Tap', { dataSchema: DataSchema.fromFile(ORDER_SCHEMA_FILE) });
      app.synth();
    };
    synthInto();
    synthInto();

    expect(fs.readdirSync(os.tmpdir()).sort()).toEqual(before);
    // The CDK found the copy at its staged path: no other folder holds the schema.
    const folders = fs.readdirSync(outdir).filter((name) => fs.statSync(path.join(outdir, name)).isDirectory());
    expect(folders.filter((name) => !/^asset\.[0-9a-f]{64}\.lambda$/.test(name))).toEqual([]);
    const withSchema = folders.filter((name) => fs.existsSync(path.join(outdir, name, 'schema')));
    expect(withSchema).toHaveLength(1);
    expect(fs.readdirSync(path.join(outdir, withSchema[0], 'schema')).sort()).toEqual(['schema-bounds.json', 'schema-meta.json', 'validate-csv.js', 'validate-json.js']);
  });

  test('schemas of up to 256 KB work (they travel in the code, not the 4 KB environment)', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 2400; i++) properties[`field_${i}`] = { type: 'string', maxLength: 64, description: `Field number ${i} of a wide record` };
    const json = JSON.stringify({ type: 'object', properties });
    expect(json.length).toBeGreaterThan(200 * 1024);
    expect(json.length).toBeLessThan(256 * 1024);

    const { codeDir, env } = synthData({ dataSchema: DataSchema.fromJson(json) });

    expect(loadSchemaValidators(codeDir)!.json({ field_2399: 'x'.repeat(65) })).toEqual([
      { path: '/field_2399', keyword: 'maxLength', message: 'must NOT have more than 64 characters' },
    ]);
    expect(JSON.stringify(env).length).toBeLessThan(4096);
  });

  test('2019-09 and 2020-12 schemas are compiled with their drafts', () => {
    for (const [uri, draft] of [['https://json-schema.org/draft/2020-12/schema', '2020-12'], ['https://json-schema.org/draft/2019-09/schema', '2019-09']]) {
      const { codeDir } = synthData({ dataSchema: DataSchema.fromJson(JSON.stringify({ $schema: uri, type: 'object', prefixItems: undefined, required: ['a'] })) });
      expect(loadSchemaValidators(codeDir)!.meta.draft).toBe(draft);
    }
  });

  test('fails when the schema does not compile, naming the prop, the origin and the compiler\'s message', () => {
    schemaError('{"type": "objekt"}', /TapServerless: invalid dataSchema \(inline JSON\): it does not compile as a JSON Schema \(draft-07\): schema is invalid: data\/type must be equal to one of the allowed values/);
  });

  test.each([
    ['refers to itself', '{"$ref": "#"}'],
    ['has a definition that names itself through allOf', '{"definitions": {"a": {"allOf": [{"$ref": "#/definitions/a"}]}}, "$ref": "#/definitions/a"}'],
    ['2020-12: refers to itself through $dynamicRef', '{"$schema": "https://json-schema.org/draft/2020-12/schema", "$dynamicAnchor": "n", "anyOf": [{"$dynamicRef": "#n"}]}'],
  ])('fails when the schema %s without consuming input: it would overflow the stack on every record (finding: schemas the validator cannot run)', (_name, schema) => {
    schemaError(schema, /invalid dataSchema \(inline JSON\): validating .* overflows the stack \(Maximum call stack size exceeded\): the schema refers to itself without consuming any input.*Make each self-reference go one level into the data/);
  });

  test('a schema that refers to itself one level into the data is fine', () => {
    expect(() => synthData({ dataSchema: DataSchema.fromJson('{"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}}}') })).not.toThrow();
  });

  test('fails when the schema file cannot be read', () => {
    expect(() => DataSchema.fromFile(ORDER_SCHEMA_FILE.replace('order', 'missing'))).toThrow(/DataSchema.fromFile: cannot read the schema file ".*missing.schema.json" \(ENOENT/);
  });

  test('fails when the schema has an unknown keyword (ajv strict mode), e.g. a misspelt "properties"', () => {
    schemaError('{"type": "object", "properites": {}}', /invalid dataSchema \(inline JSON\): it does not compile .*unknown keyword: "properites"/);
  });

  test('fails when a $ref does not resolve inside the schema', () => {
    schemaError('{"$ref": "https://example.com/other.json"}', /invalid dataSchema .*can't resolve reference https:\/\/example.com\/other.json/);
  });

  test('fails when the schema is not JSON, or not an object', () => {
    schemaError('{type: object}', /invalid dataSchema \(inline JSON\): it is not valid JSON/);
    schemaError('[]', /a JSON Schema is a JSON object, not an array/);
  });

  test('fails when the schema is over 256 KB', () => {
    schemaError(JSON.stringify({ type: 'object', description: 'x'.repeat(256 * 1024) }), /invalid dataSchema \(inline JSON, \d+ bytes\): a data schema may be at most 262144 bytes/);
  });

  test('fails when the schema names an unsupported draft', () => {
    schemaError('{"$schema": "http://json-schema.org/draft-04/schema#"}', /its \$schema "http:\/\/json-schema.org\/draft-04\/schema#" is not a supported JSON Schema draft/);
  });
});

describe('data limits', () => {
  test('are passed to the function', () => {
    const { env } = synthData({
      dataMaxSize: Size.mebibytes(50), dataMaxRecordSize: Size.kibibytes(64), dataMaxJsonDepth: 10, dataMaxReportErrors: 5,
    });
    expect(env).toMatchObject({
      TAP_DATA_MAX_BYTES: String(50 * 1024 ** 2),
      TAP_DATA_MAX_RECORD_BYTES: String(64 * 1024),
      TAP_DATA_MAX_JSON_DEPTH: '10',
      TAP_DATA_MAX_REPORT_ERRORS: '5',
    });
  });

  test('fails when dataMaxSize is zero', () => {
    expectSynthError({ dataMaxSize: Size.bytes(0) }, /invalid dataMaxSize \(0\): it must be a whole number of bytes from 1 to/);
  });

  test('fails when dataMaxRecordSize is under 1 KiB or over 256 MiB', () => {
    expectSynthError({ dataMaxRecordSize: Size.bytes(100) }, /invalid dataMaxRecordSize \(100\): it must be a whole number of bytes from 1024 to 268435456. Use, for example, Size.mebibytes\(1\)/);
    expectSynthError({ dataMaxRecordSize: Size.gibibytes(1) }, /invalid dataMaxRecordSize/);
  });

  test('fails when dataMaxJsonDepth is not a whole number from 1 to 1000', () => {
    expectSynthError({ dataMaxJsonDepth: 0 }, /invalid dataMaxJsonDepth \(0\)/);
    expectSynthError({ dataMaxJsonDepth: 2.5 }, /invalid dataMaxJsonDepth \(2.5\)/);
    expectSynthError({ dataMaxJsonDepth: 5000 }, /invalid dataMaxJsonDepth \(5000\)/);
  });

  test('fails when dataMaxReportErrors is not a whole number from 1 to 10,000', () => {
    expectSynthError({ dataMaxReportErrors: 0 }, /invalid dataMaxReportErrors \(0\): it must be a whole number of error entries from 1 to 10000/);
  });
});
