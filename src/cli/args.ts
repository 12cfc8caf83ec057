/**
 * Command-line arguments of `cdk-tap-serverless`: `<command> [--flag value | --switch]…`, each
 * command with its own flags. Errors name the flag and what it needs.
 */

/** `string`: a value; `strings`: repeatable; `int`: a positive whole number; `number`: a positive number; `switch`: no value. */
export type FlagKind = 'string' | 'strings' | 'int' | 'number' | 'switch';

export type FlagSpec = Readonly<Record<string, FlagKind>>;

export type FlagValue = string | string[] | number | boolean;

export interface ParsedArgs {
  readonly command?: string;
  readonly help: boolean;
  /** By flag name without the dashes, e.g. `queue-url`. */
  readonly flags: Readonly<Record<string, FlagValue>>;
}

/** Thrown for arguments that cannot be used; the message says why. */
export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/**
 * Parses `argv` (without node and the script). `specOf(command)` gives the flags a command takes
 * (undefined for an unknown command). `--help`/`-h` is accepted anywhere.
 */
export function parseCommandLine(argv: readonly string[], specOf: (command: string) => FlagSpec | undefined): ParsedArgs {
  let command: string | undefined;
  let help = false;
  const flags: Record<string, FlagValue> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      if (command !== undefined) throw new ArgumentError(`unexpected argument ${arg}`);
      command = arg;
      continue;
    }
    const spec = command === undefined ? undefined : specOf(command);
    if (spec === undefined) throw new ArgumentError(command === undefined ? `${arg} before the command` : `unknown command ${command}`);
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const name = flag.replace(/^--/, '');
    const kind = spec[name];
    if (kind === undefined || !flag.startsWith('--')) throw new ArgumentError(`unknown argument ${flag} for ${command}`);
    if (kind === 'switch') {
      if (inline !== undefined) throw new ArgumentError(`${flag} takes no value`);
      flags[name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined || raw.startsWith('--')) throw new ArgumentError(`${flag} needs a value`);
    }
    flags[name] = convert(flag, kind, raw, flags[name]);
  }
  return { command, help, flags };
}

function convert(flag: string, kind: FlagKind, raw: string, previous: FlagValue | undefined): FlagValue {
  switch (kind) {
    case 'strings':
      return [...(Array.isArray(previous) ? previous : []), raw];
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${flag} must be a positive whole number, got ${raw}`);
      return n;
    }
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n) || n <= 0) throw new ArgumentError(`${flag} must be a positive number, got ${raw}`);
      return n;
    }
    default:
      if (raw === '') throw new ArgumentError(`${flag} needs a value`);
      return raw;
  }
}

/** Typed readers of parsed flags. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = args.flags[name];
  return typeof v === 'number' ? v : undefined;
}

export function switchFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function stringsFlag(args: ParsedArgs, name: string): string[] {
  const v = args.flags[name];
  return Array.isArray(v) ? v : [];
}
