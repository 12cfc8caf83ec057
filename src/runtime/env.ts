import type { EnvName } from '../contract/env-names';

// Reading the construct's environment variables (names in src/contract/env-names.ts), failing clearly
// when one is missing or malformed.

/** Thrown when a required environment variable is missing: a deployment error, never retried into success. */
export class MissingEnvironmentError extends Error {
  constructor(name: string) {
    super(`Environment variable ${name} is not set; this function must be deployed by the TapServerless construct, which sets it.`);
    this.name = 'MissingEnvironmentError';
  }
}

/** Reads a required environment variable, failing clearly when it is missing or empty. */
export function requireEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new MissingEnvironmentError(name);
  }
  return value;
}

/** Reads an optional environment variable: `undefined` when it is missing or empty. */
export function optionalEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Thrown when a prefix environment variable is set but is not a usable S3 key prefix. */
export class InvalidPrefixEnvironmentError extends Error {
  constructor(name: string, value: string) {
    super(`Environment variable ${name} is ${JSON.stringify(value)}; an S3 key prefix must be non-empty and end with "/" (e.g. "images/").`);
    this.name = 'InvalidPrefixEnvironmentError';
  }
}

/** Reads a required S3 key prefix (non-empty, ending with `/`), failing clearly otherwise. */
export function requirePrefixEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env): string {
  const value = requireEnv(name, env);
  if (!value.endsWith('/')) {
    throw new InvalidPrefixEnvironmentError(name, value);
  }
  return value;
}

/** Thrown when an integer environment variable is not a whole number within its bounds. */
export class InvalidIntegerEnvironmentError extends Error {
  constructor(name: string, value: string, max: number) {
    super(`Environment variable ${name} is ${JSON.stringify(value)}; it must be a whole number from 1 to ${max}.`);
    this.name = 'InvalidIntegerEnvironmentError';
  }
}

/** Reads a required whole number from 1 to `max`, failing clearly when it is missing or malformed. */
export function requirePositiveIntEnv(name: EnvName, env: NodeJS.ProcessEnv = process.env, max = Number.MAX_SAFE_INTEGER): number {
  const value = requireEnv(name, env);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1 || Number(value) > max) {
    throw new InvalidIntegerEnvironmentError(name, value, max);
  }
  return Number(value);
}
