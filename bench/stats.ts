/** Median and range of a set of runs. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/** A target: on the ratio (`ratio`) or on our own absolute figure (`ours`, e.g. MiB or KiB). */
export interface Target {
  readonly on: 'ratio' | 'ours';
  readonly op: '<=' | '>=';
  readonly value: number;
}

/** One line of the results table. */
export interface Row {
  /** What is measured. */
  readonly name: string;
  /** Unit of `ours` and `baseline`, e.g. `ms`, `MiB`, `KiB`. */
  readonly unit: string;
  /** What the baseline is. */
  readonly baselineName: string;
  readonly ours?: Summary;
  readonly baseline?: Summary;
  /** The per-pair ratio (ours/baseline, or baseline/ours for throughput: see `ratioMeaning`). */
  readonly ratio?: Summary;
  /** How the ratio reads, e.g. `time ours / vipsthumbnail` (shown in the table and chart). */
  readonly ratioMeaning: string;
  readonly target?: Target;
  /** Set when the measurement could not be made. */
  readonly error?: string;
  /** Shown in the chart (ratio rows only). */
  readonly chart?: boolean;
  /** This row measures the floor (the least possible work) of the row with this name. */
  readonly floorOf?: string;
  /** Why this floor bounds the other row, for the "missed targets" notes. */
  readonly floorWhy?: string;
  /** What the measured row does beyond its floor, for the "missed targets" notes. */
  readonly floorGap?: string;
  /** This row's baseline is its floor: what the row does beyond it, for the "missed targets" notes. */
  readonly beyondFloor?: string;
}

export function passes(row: Row): boolean | undefined {
  if (!row.target) return undefined;
  const value = row.target.on === 'ratio' ? row.ratio?.median : row.ours?.median;
  if (value === undefined) return false;
  return row.target.op === '<=' ? value <= row.target.value : value >= row.target.value;
}
