import type { ErrorObject } from 'ajv';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { validate as generatedValidator } from './create-notification-validator.generated';
import { HttpError } from './http';
import { MAX_BODY_BYTES, MAX_DETAILS_BYTES, MAX_DETAILS_DEPTH, RESERVED_TYPE_NAMESPACES, reservedNamespaceOf } from '../../contract/notifications-model';
import { childPointer, errorMessage, errorPointer } from '../../runtime/ajv-errors';

/** A valid body of POST /notifications. */
export interface CreateNotificationInput {
  readonly type: string;
  readonly message: string;
  readonly source?: string;
  readonly details?: Record<string, unknown>;
}

/** One reason a body was refused: a JSON Pointer to the field and what is wrong with it. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * CREATE_NOTIFICATION_SCHEMA's validator, precompiled at build time with ajv standalone
 * (`npx projen gen:request-validator`): the handler bundles neither ajv (≈120 KB) nor compiles a
 * schema at cold start (BENCHMARKS.md: bundle 507 → 386 KB).
 */
const validateSchema = generatedValidator as {
  (data: unknown): data is CreateNotificationInput;
  errors?: ErrorObject[] | null;
};

/** At most this many field errors are returned. */
const MAX_FIELD_ERRORS = 20;
/** DynamoDB stores numbers from 1E-130 to 9.99E+125; we also keep integers exact (safe integers). */
const MIN_MAGNITUDE = 1e-130;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The body of a request as UTF-8 text (base64-decoded when API Gateway says so).
 *
 * @throws HttpError 413 over `maxBytes`; 400 when empty or not UTF-8.
 */
export function readRequestBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>, maxBytes: number = MAX_BODY_BYTES): string {
  const raw = event.body ?? '';
  const tooLarge = (): HttpError => new HttpError(413, `Request body is larger than ${maxBytes} bytes`, { maxBytes });
  // Cheap checks before decoding anything: base64 grows 4/3; UTF-8 has at least one byte per UTF-16 unit.
  if (event.isBase64Encoded ? raw.length > Math.ceil(maxBytes / 3) * 4 + 4 : raw.length > maxBytes) {
    throw tooLarge();
  }
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) {
    throw tooLarge();
  }
  if (bytes.length === 0) {
    throw new HttpError(400, 'Request body is required');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'Request body is not valid UTF-8');
  }
}

/**
 * Parses a JSON body.
 *
 * @throws HttpError 400 when it is not valid JSON.
 */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

/**
 * Validates a parsed body against `CREATE_NOTIFICATION_SCHEMA` (the same schema as the API
 * Gateway model), refuses a type in the pipeline's own namespaces (`RESERVED_TYPE_NAMESPACES` and the
 * routes' names, `routeNamespaces`),
 * then checks that it can be stored as it is: `details` at most
 * `MAX_DETAILS_BYTES` serialized and `MAX_DETAILS_DEPTH` deep, numbers DynamoDB keeps exactly,
 * no empty object keys, no unpaired UTF-16 surrogates.
 *
 * @throws HttpError 400 with `errors: FieldError[]` naming each offending field.
 */
export function validateCreateNotification(value: unknown, routeNamespaces: readonly string[] = []): CreateNotificationInput {
  if (!validateSchema(value)) {
    throw invalid((validateSchema.errors ?? []).map(toFieldError));
  }
  const errors: FieldError[] = [];
  const reserved = reservedNamespaceOf(value.type, routeNamespaces);
  if (reserved !== undefined) {
    const all = [...RESERVED_TYPE_NAMESPACES, ...routeNamespaces].map((n) => `${n}.*`);
    errors.push({
      field: '/type',
      message: `must not start with "${reserved}.": the ${all.slice(0, -1).join(', ')} and ${all[all.length - 1]} types are the pipeline's own outcomes`,
    });
  }
  checkStorable(value, '', 0, errors);
  if (value.details !== undefined) {
    const size = Buffer.byteLength(JSON.stringify(value.details), 'utf8');
    if (size > MAX_DETAILS_BYTES) {
      errors.push({ field: '/details', message: `must be at most ${MAX_DETAILS_BYTES} bytes as JSON (is ${size})` });
    }
  }
  if (errors.length > 0) {
    throw invalid(errors);
  }
  return value;
}

function invalid(errors: FieldError[]): HttpError {
  return new HttpError(400, 'Request body does not match the schema', { errors: errors.slice(0, MAX_FIELD_ERRORS) });
}

function toFieldError(error: ErrorObject): FieldError {
  const message = error.keyword === 'required' ? 'is required'
    : error.keyword === 'additionalProperties' ? 'is not allowed'
      : errorMessage(error, { fallbackVerb: 'fails' });
  return { field: errorPointer(error) || '/', message };
}

/**
 * Walks the body (depth 0), collecting what DynamoDB would refuse or alter. Inside `details`
 * (depth 1) nesting stops at `MAX_DETAILS_DEPTH`, so the walk is shallow whatever the input.
 */
function checkStorable(value: unknown, path: string, depth: number, errors: FieldError[]): void {
  if (errors.length >= MAX_FIELD_ERRORS) {
    return;
  }
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      errors.push({ field: path || '/', message: 'must not contain unpaired UTF-16 surrogates' });
    }
  } else if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    if (!Number.isFinite(value) || magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < MIN_MAGNITUDE)) {
      errors.push({ field: path || '/', message: `must be a number from -${Number.MAX_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}` });
    }
  } else if (typeof value === 'object' && value !== null) {
    if (depth > MAX_DETAILS_DEPTH) {
      errors.push({ field: path, message: `must not nest objects or arrays more than ${MAX_DETAILS_DEPTH} levels deep inside details` });
      return;
    }
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((item, i) => [String(i), item]) : Object.entries(value);
    for (const [name, item] of entries) {
      if (name.length === 0 || LONE_SURROGATE.test(name)) {
        errors.push({ field: childPointer(path, name), message: 'must have a non-empty, well-formed name' });
        continue;
      }
      checkStorable(item, childPointer(path, name), depth + 1, errors);
    }
  }
}
