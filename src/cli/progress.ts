/**
 * Progress of a long command on stderr, so stdout stays the result: one line rewritten in place
 * on a terminal (a bar when the total is known), otherwise a line every few seconds (CI logs).
 */
export interface ProgressCounts {
  readonly [name: string]: number;
}

export interface ProgressOptions {
  readonly write?: (text: string) => void;
  /** Whether stderr is a terminal. @default process.stderr.isTTY */
  readonly tty?: boolean;
  /** Seconds between lines when not a terminal. @default 10 */
  readonly intervalSeconds?: number;
  /** The counter whose rate per second is shown, e.g. `checked`. */
  readonly rateOf: string;
  /** The total of the rate counter, when known: shows a bar and a percentage. */
  readonly total?: number;
  readonly now?: () => number;
}

export class Progress {
  private readonly started: number;
  private last = 0;
  private counts: ProgressCounts = {};
  private readonly write: (text: string) => void;
  private readonly tty: boolean;
  private readonly now: () => number;
  private total: number | undefined;
  /** When the rate counter started counting (the start, or when the total was set). */
  private rateFrom: number;

  constructor(private readonly label: string, private readonly options: ProgressOptions) {
    this.write = options.write ?? ((text) => process.stderr.write(text));
    this.tty = options.tty ?? !!process.stderr.isTTY;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.total = options.total;
    this.rateFrom = this.started;
  }

  /** Sets the total of the rate counter once it is known (e.g. after a counting pass): shows a bar from then on. */
  public setTotal(total: number): void {
    this.total = total;
    this.rateFrom = this.now();
  }

  /** Seconds since the command started. */
  public get elapsedSeconds(): number {
    return (this.now() - this.started) / 1000;
  }

  /** Records the latest counts; prints them if it is time to. */
  public update(counts: ProgressCounts): void {
    this.counts = counts;
    const t = this.now();
    const interval = this.tty ? 200 : (this.options.intervalSeconds ?? 10) * 1000;
    if (t - this.last < interval) return;
    this.last = t;
    this.print(false);
  }

  /** Prints the final counts (ends the terminal line). */
  public done(): void {
    this.print(true);
  }

  /** The progress line for the current counts. */
  public line(): string {
    const elapsed = this.elapsedSeconds;
    const rated = this.counts[this.options.rateOf] ?? 0;
    const rateSeconds = (this.now() - this.rateFrom) / 1000;
    const rate = rateSeconds > 0 ? rated / rateSeconds : 0;
    const parts = Object.entries(this.counts).map(([name, value]) => `${name} ${value}`);
    let bar = '';
    let left = '';
    const total = this.total;
    if (total !== undefined && total > 0) {
      const share = Math.min(1, rated / total);
      const width = 20;
      const filled = Math.round(share * width);
      bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% `;
      if (rate > 0 && rated < total) left = ` · ${formatDuration((total - rated) / rate)} left`;
    }
    return `${this.label}: ${bar}${parts.join(', ')} · ${rate.toFixed(1)}/s · ${formatDuration(elapsed)}${left}`;
  }

  private print(final: boolean): void {
    if (this.tty) {
      this.write(`\r\x1b[K${this.line()}${final ? '\n' : ''}`);
    } else {
      this.write(`${this.line()}\n`);
    }
  }
}

/** `75.3` → `1m15s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return minutes < 60 ? `${minutes}m${String(rest).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
