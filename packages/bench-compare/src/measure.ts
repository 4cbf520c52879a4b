import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What one timed slice took: wall time and this process's CPU time (user + system). */
export interface SliceTiming {
  /** Wall-clock milliseconds. */
  wallMs: number;
  /** CPU microseconds spent by this process (user + system), from `process.cpuUsage`. */
  cpuUs: number;
}

/** Runs `count` operations on `concurrency` loops and times them (wall and CPU). */
export async function timeSlice(
  concurrency: number,
  count: number,
  op: () => Promise<unknown>,
): Promise<SliceTiming> {
  let left = count;
  const loop = async () => {
    while (left-- > 0) await op();
  };
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, loop));
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuUs: cpu.user + cpu.system };
}

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let gcFunction: (() => void) | undefined;

/** Heap in use after three full collections (turns on `--expose-gc` at run time if needed). */
export function settledHeapUsed(): number {
  if (gcFunction === undefined) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 3; i++) gcFunction();
  return process.memoryUsage().heapUsed;
}
