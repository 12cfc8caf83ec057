import {
  ENV, InvalidPrefixEnvironmentError, MissingEnvironmentError, optionalEnv, requireEnv, requirePrefixEnv,
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
});
