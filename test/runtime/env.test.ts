import { ENV } from '../../src/contract/env-names';
import { InvalidIntegerEnvironmentError, InvalidPrefixEnvironmentError, MissingEnvironmentError, optionalEnv, requireEnv, requirePositiveIntEnv, requirePrefixEnv } from '../../src/runtime/env';

describe('environment helpers', () => {
  test('requireEnv returns a set variable and fails clearly on a missing or empty one', () => {
    expect(requireEnv(ENV.TABLE_NAME, { TAP_TABLE_NAME: 'notifications' })).toBe('notifications');
    expect(() => requireEnv(ENV.TABLE_NAME, {})).toThrow(MissingEnvironmentError);
    expect(() => requireEnv(ENV.TABLE_NAME, { TAP_TABLE_NAME: '' })).toThrow(/TAP_TABLE_NAME is not set/);
  });

  test('optionalEnv treats missing and empty alike', () => {
    expect(optionalEnv(ENV.CORS_ORIGINS, {})).toBeUndefined();
    expect(optionalEnv(ENV.CORS_ORIGINS, { TAP_CORS_ORIGINS: '' })).toBeUndefined();
    expect(optionalEnv(ENV.CORS_ORIGINS, { TAP_CORS_ORIGINS: 'https://a.example' })).toBe('https://a.example');
  });

  test('requirePrefixEnv insists on a trailing slash', () => {
    expect(requirePrefixEnv(ENV.IMAGES_PREFIX, { TAP_IMAGES_PREFIX: 'images/' })).toBe('images/');
    expect(() => requirePrefixEnv(ENV.IMAGES_PREFIX, { TAP_IMAGES_PREFIX: 'images' })).toThrow(InvalidPrefixEnvironmentError);
    expect(() => requirePrefixEnv(ENV.IMAGES_PREFIX, {})).toThrow(MissingEnvironmentError);
  });

  test('requirePositiveIntEnv insists on a whole number within its bounds', () => {
    expect(requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, { TAP_DATA_MAX_JSON_DEPTH: '12' })).toBe(12);
    expect(requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, { TAP_DATA_MAX_JSON_DEPTH: '1000' }, 1000)).toBe(1000);
    expect(() => requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, {})).toThrow(MissingEnvironmentError);
    expect(() => requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, { TAP_DATA_MAX_JSON_DEPTH: '' })).toThrow(MissingEnvironmentError);
    expect(() => requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, { TAP_DATA_MAX_JSON_DEPTH: '1001' }, 1000)).toThrow(/from 1 to 1000/);
    for (const bad of ['0', '-1', '1.5', 'ten', '1e3', '99999999999999999999']) {
      expect(() => requirePositiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, { TAP_DATA_MAX_JSON_DEPTH: bad })).toThrow(InvalidIntegerEnvironmentError);
    }
  });
});
