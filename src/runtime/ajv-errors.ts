import type { ErrorObject } from 'ajv';

/**
 * ajv `ErrorObject`s as JSON Pointers and messages, shared by the request-body validator of the
 * notifications API and the data validator's schema errors. Pure functions, no ajv at run time.
 */

/** Escapes one JSON Pointer reference token (RFC 6901): `~` as `~0`, `/` as `~1`. */
export function pointerToken(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON Pointer of the member `name` of the value at `parent` (`""` is the root). */
export function childPointer(parent: string, name: string): string {
  return `${parent}/${pointerToken(name)}`;
}

/**
 * The property an error is about that is not at its `instancePath`, but one level below: the
 * missing one of `required`, the extra one of `additionalProperties`; otherwise `undefined`.
 */
export function errorProperty(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  const name = error.keyword === 'required' ? params.missingProperty
    : error.keyword === 'additionalProperties' ? params.additionalProperty
      : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** The JSON Pointer an error points at: the offending field, even a missing one (`""` is the root). */
export function errorPointer(error: ErrorObject): string {
  const property = errorProperty(error);
  return property === undefined ? error.instancePath : childPointer(error.instancePath, property);
}

export interface ErrorMessageOptions {
  /** When ajv gave no message (`messages: false`): `<fallbackVerb> <keyword>`, e.g. `failed minimum`. */
  readonly fallbackVerb: string;
  /**
   * Append the allowed values of an `enum` error, as JSON cut to this many characters
   * (`must be equal to one of the allowed values: ["a","b"]`). Default: not appended.
   */
  readonly allowedValuesChars?: number;
}

/** The message of an error: ajv's own, or one made of the keyword when ajv gave none. */
export function errorMessage(error: ErrorObject, options: ErrorMessageOptions): string {
  const allowedValues = (error.params as Record<string, unknown>).allowedValues;
  if (options.allowedValuesChars !== undefined && error.keyword === 'enum' && Array.isArray(allowedValues)) {
    return `${error.message ?? 'invalid'}: ${JSON.stringify(allowedValues).slice(0, options.allowedValuesChars)}`;
  }
  return error.message ?? `${options.fallbackVerb} ${error.keyword}`;
}
