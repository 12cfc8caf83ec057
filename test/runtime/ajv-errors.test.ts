import Ajv, { ErrorObject } from 'ajv';
import { childPointer, errorMessage, errorPointer, errorProperty, pointerToken } from '../../src/runtime/ajv-errors';

/** A hand-made ajv error (as `messages: false` or a standalone validator may give). */
const error = (keyword: string, instancePath: string, params: Record<string, unknown>, message?: string): ErrorObject =>
  ({ keyword, instancePath, schemaPath: '#', params, ...(message !== undefined ? { message } : {}) });

/** The errors ajv itself reports for `data` against `schema` (all errors). */
function ajvErrors(schema: object, data: unknown): ErrorObject[] {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  expect(validate(data)).toBe(false);
  return validate.errors ?? [];
}

describe('pointerToken', () => {
  test.each([
    ['plain', 'plain'],
    ['a/b', 'a~1b'],
    ['a~b', 'a~0b'],
    // `~` is escaped first, so the `~1` made of a `/` is not escaped again (RFC 6901).
    ['~/', '~0~1'],
    ['/~1', '~1~01'],
    ['', ''],
  ])('escapes %j as %j', (name, token) => {
    expect(pointerToken(name)).toBe(token);
  });
});

describe('childPointer', () => {
  test('appends one escaped token to the parent pointer', () => {
    expect(childPointer('', 'a')).toBe('/a');
    expect(childPointer('/details/0', 'x/y~z')).toBe('/details/0/x~1y~0z');
    expect(childPointer('/details', '')).toBe('/details/');
  });
});

describe('errorProperty and errorPointer', () => {
  test('point below instancePath at the missing property of required', () => {
    const e = error('required', '/a', { missingProperty: 'x/y~z' }, "must have required property 'x/y~z'");
    expect(errorProperty(e)).toBe('x/y~z');
    expect(errorPointer(e)).toBe('/a/x~1y~0z');
  });

  test('point below instancePath at the extra property of additionalProperties', () => {
    const e = error('additionalProperties', '', { additionalProperty: 'extra' }, 'must NOT have additional properties');
    expect(errorProperty(e)).toBe('extra');
    expect(errorPointer(e)).toBe('/extra');
  });

  test('are instancePath itself for other keywords, "" at the root', () => {
    expect(errorProperty(error('type', '/items/3/id', { type: 'integer' }))).toBeUndefined();
    expect(errorPointer(error('type', '/items/3/id', { type: 'integer' }))).toBe('/items/3/id');
    expect(errorPointer(error('type', '', { type: 'object' }))).toBe('');
    // Only the param of the keyword's own name counts.
    expect(errorPointer(error('enum', '/s', { missingProperty: 'x', allowedValues: ['a'] }))).toBe('/s');
  });

  test('ignore a property name that is not a string', () => {
    expect(errorProperty(error('required', '/a', { missingProperty: 7 }))).toBeUndefined();
    expect(errorPointer(error('required', '/a', { missingProperty: 7 }))).toBe('/a');
    expect(errorPointer(error('additionalProperties', '', {}))).toBe('');
  });

  test('point at the fields of the errors ajv reports', () => {
    const errors = ajvErrors({
      type: 'object',
      required: ['id', 'a/b'],
      properties: { id: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false,
    }, { 'tags': ['ok', 3], 'x~y': true });
    expect(errors.map((e) => [e.keyword, errorPointer(e)])).toEqual([
      ['required', '/id'],
      ['required', '/a~1b'],
      ['additionalProperties', '/x~0y'],
      ['type', '/tags/1'],
    ]);
  });
});

describe('errorMessage', () => {
  test('is ajv\'s message when there is one', () => {
    expect(errorMessage(error('type', '/id', { type: 'integer' }, 'must be integer'), { fallbackVerb: 'failed' })).toBe('must be integer');
    expect(errorMessage(error('required', '', { missingProperty: 'id' }, "must have required property 'id'"), { fallbackVerb: 'fails' }))
      .toBe("must have required property 'id'");
  });

  test('is the fallback verb and the keyword when ajv gave none', () => {
    expect(errorMessage(error('minimum', '/n', { limit: 0 }), { fallbackVerb: 'failed' })).toBe('failed minimum');
    expect(errorMessage(error('maxLength', '/s', { limit: 3 }), { fallbackVerb: 'fails' })).toBe('fails maxLength');
  });

  test('lists the allowed values of an enum only when asked, cut to allowedValuesChars', () => {
    const e = error('enum', '/status', { allowedValues: ['new', 'paid'] }, 'must be equal to one of the allowed values');
    expect(errorMessage(e, { fallbackVerb: 'failed' })).toBe('must be equal to one of the allowed values');
    expect(errorMessage(e, { fallbackVerb: 'failed', allowedValuesChars: 200 }))
      .toBe('must be equal to one of the allowed values: ["new","paid"]');
    expect(errorMessage(e, { fallbackVerb: 'failed', allowedValuesChars: 5 })).toBe('must be equal to one of the allowed values: ["new');
    // Without ajv's message the enum message starts with "invalid".
    expect(errorMessage(error('enum', '', { allowedValues: [1, null] }), { fallbackVerb: 'failed', allowedValuesChars: 200 })).toBe('invalid: [1,null]');
    // Without a list of values it is an ordinary error.
    expect(errorMessage(error('enum', '', {}), { fallbackVerb: 'failed', allowedValuesChars: 200 })).toBe('failed enum');
  });

  test('lists the values of a real ajv enum error', () => {
    const [e] = ajvErrors({ enum: ['a', 'b'] }, 'c');
    expect(errorMessage(e, { fallbackVerb: 'failed', allowedValuesChars: 200 })).toBe('must be equal to one of the allowed values: ["a","b"]');
  });
});
