/**
 * A tiny benchmark harness. Benchmarks compare against a baseline run in the
 * same process, because these machines are noisy: absolute numbers are
 * indicative, ratios are what we track.
 *
 * `sample` times `fn` in batches (so that timer resolution does not dominate
 * sub-microsecond work) and returns per-call percentiles in microseconds.
 */
import { performance } from 'node:perf_hooks';

export interface Stats {
  readonly name: string;
  readonly samples: number;
  readonly p50us: number;
  readonly p99us: number;
  readonly meanus: number;
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/** Time `fn` (sync or async): `samples` measurements of `batch` calls each. */
export async function sample(
  name: string,
  fn: () => unknown,
  { samples = 2000, batch = 1, warmup = 200 }: { samples?: number; batch?: number; warmup?: number } = {},
): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await fn();
    times.push(((performance.now() - t0) * 1000) / batch);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { name, samples, p50us: percentile(times, 50), p99us: percentile(times, 99), meanus: mean };
}

/** Same as `sample`, for synchronous work: no await in the timed loop. */
export function sampleSync(
  name: string,
  fn: () => unknown,
  { samples = 2000, batch = 100, warmup = 1000 }: { samples?: number; batch?: number; warmup?: number } = {},
): Stats {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    times.push(((performance.now() - t0) * 1000) / batch);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { name, samples, p50us: percentile(times, 50), p99us: percentile(times, 99), meanus: mean };
}

/** Print a result table and one JSON line (for RESULTS.md and scripts). */
export function report(title: string, rows: readonly Stats[], extra: Record<string, unknown> = {}): void {
  console.log(`\n## ${title}\n`);
  console.log('| case | p50 µs | p99 µs | mean µs |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.name} | ${r.p50us.toFixed(2)} | ${r.p99us.toFixed(2)} | ${r.meanus.toFixed(2)} |`);
  for (const [k, v] of Object.entries(extra)) console.log(`\n${k}: ${typeof v === 'number' ? v.toFixed(2) : String(v)}`);
  console.log(`\nJSON ${JSON.stringify({ title, rows, ...extra })}`);
}

/** Stats of already-measured times (µs), for benchmarks that time each sample by hand. */
export function summarize(name: string, timesUs: readonly number[]): Stats {
  const times = [...timesUs].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { name, samples: times.length, p50us: percentile(times, 50), p99us: percentile(times, 99), meanus: mean };
}
