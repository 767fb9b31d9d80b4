/**
 * Summaries of timing samples and the sampling loop every latency figure uses: warm-ups first (discarded), then
 * the timed runs. A run measures its own interval and returns it in ms, so setup and cleanup stay outside it.
 */

export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** The q-quantile (0…1) of sorted values, interpolated linearly between the two nearest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile() of no samples");
  if (q < 0 || q > 1) throw new RangeError(`quantile q ${q} is outside 0…1`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

export interface SampleOptions {
  warmups: number;
  runs: number;
}

/** Calls `run` warmups + runs times, one after another, and summarizes the last `runs` results. */
export async function sample(opts: SampleOptions, run: () => Promise<number>): Promise<Summary> {
  for (let i = 0; i < opts.warmups; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < opts.runs; i++) ms.push(await run());
  return summarize(ms);
}

/** Like `sample`, for a run that measures several intervals at once (e.g. "launched" and "exited"). */
export async function sampleMany<K extends string>(
  opts: SampleOptions,
  run: () => Promise<Record<K, number>>,
): Promise<Record<K, Summary>> {
  for (let i = 0; i < opts.warmups; i++) await run();
  const all = new Map<K, number[]>();
  for (let i = 0; i < opts.runs; i++) {
    for (const [k, v] of Object.entries(await run()) as [K, number][]) {
      if (!all.has(k)) all.set(k, []);
      all.get(k)!.push(v);
    }
  }
  return Object.fromEntries([...all].map(([k, v]) => [k, summarize(v)])) as Record<K, Summary>;
}

/** Milliseconds `fn` took. */
export async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
