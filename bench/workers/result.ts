import { readFileSync } from 'node:fs';

/** Peak resident set size of this process so far, in MiB (VmHWM; resourceUsage where /proc is absent). */
export function peakRssMiB(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints the worker's one result line (JSON) for the orchestrator. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, peakRssMiB: peakRssMiB() })}\n`);
}

/** Milliseconds since `start` (process.hrtime.bigint()). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
