import {
  ENV, InvalidIntegerEnvironmentError, InvalidPrefixEnvironmentError, MissingEnvironmentError,
  optionalEnv, positiveIntEnv, requireEnv, requirePrefixEnv,
} from '../../src/functions/shared/env';

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

  test('positiveIntEnv falls back when unset and fails clearly on anything but a positive whole number', () => {
    expect(positiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, 64, {})).toBe(64);
    expect(positiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, 64, { TAP_DATA_MAX_JSON_DEPTH: '' })).toBe(64);
    expect(positiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, 64, { TAP_DATA_MAX_JSON_DEPTH: '12' })).toBe(12);
    for (const bad of ['0', '-1', '1.5', 'ten', '1e3', '99999999999999999999']) {
      expect(() => positiveIntEnv(ENV.DATA_MAX_JSON_DEPTH, 64, { TAP_DATA_MAX_JSON_DEPTH: bad })).toThrow(InvalidIntegerEnvironmentError);
    }
  });
});
