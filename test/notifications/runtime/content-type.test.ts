import { isJsonContentType } from '../../../src/notifications/runtime/content-type';

describe('isJsonContentType', () => {
  test.each([
    'application/json',
    'Application/JSON',
    'application/json; charset=utf-8',
    'application/json;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json; charset=utf8',
    ' application/json ; boundary=x',
  ])('accepts %j', (value) => {
    expect(isJsonContentType(value)).toBe(true);
  });

  test.each([
    undefined,
    '',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonp',
    'application/json-patch+json',
    'application/vnd.api+json',
    'multipart/form-data; boundary=x',
    'application/json; charset=iso-8859-1',
    'application/json; charset',
    'text/json',
  ])('refuses %j', (value) => {
    expect(isJsonContentType(value)).toBe(false);
  });
});
