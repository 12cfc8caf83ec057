/**
 * Whether a `Content-Type` header value is JSON: media type `application/json` (any case),
 * parameters allowed; a `charset` parameter, if present, must be UTF-8 (JSON's only encoding
 * between systems, RFC 8259).
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) {
    return false;
  }
  const [mediaType, ...parameters] = value.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') {
    return false;
  }
  for (const parameter of parameters) {
    const separator = parameter.indexOf('=');
    const name = (separator === -1 ? parameter : parameter.slice(0, separator)).trim().toLowerCase();
    if (name === 'charset') {
      const charset = parameter.slice(separator + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
      if (separator === -1 || (charset !== 'utf-8' && charset !== 'utf8')) {
        return false;
      }
    }
  }
  return true;
}
