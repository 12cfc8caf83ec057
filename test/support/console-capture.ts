/** What Powertools wrote through the global console during a test (POWERTOOLS_DEV mode). */
export interface CapturedOutput {
  /** EMF documents (lines with an `_aws` member). */
  emf(): EmfDocument[];
  /** Sum of a metric over every EMF document. */
  metric(name: string): number;
  /** Structured log entries (everything that is JSON and not EMF). */
  logs(): Record<string, unknown>[];
  restore(): void;
}

export interface EmfDocument {
  readonly _aws: {
    readonly CloudWatchMetrics: { readonly Namespace: string; readonly Dimensions: string[][]; readonly Metrics: { Name: string; Unit: string }[] }[];
  };
  readonly [member: string]: unknown;
}

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** Captures (and silences) console output until `restore()`. */
export function captureConsole(): CapturedOutput {
  const lines: string[] = [];
  const spies = METHODS.map((method) => jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
    lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  }));
  const parsed = (): Record<string, unknown>[] => lines.flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  const emf = (): EmfDocument[] => parsed().filter((doc): doc is Record<string, unknown> & EmfDocument => '_aws' in doc);
  return {
    emf,
    metric: (name) => emf().reduce((sum, doc) => sum + (typeof doc[name] === 'number' ? (doc[name] as number) : 0), 0),
    logs: () => parsed().filter((doc) => !('_aws' in doc)),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
