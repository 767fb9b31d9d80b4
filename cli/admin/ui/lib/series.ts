/**
 * Time series for the live charts: a bounded list of points per metric, and per-second rates from cumulative
 * counters (a job's I/O bytes, an interface's received bytes). Pure; the pages keep the arrays in state.
 */
import type { Point } from "./chart_scale.ts";

/** Points kept per series: ten minutes at one sample per second. */
export const MAX_POINTS = 600;

/** A new array with `p` appended, the oldest points dropped past `max`. */
export function appendPoint(series: readonly Point[], p: Point, max = MAX_POINTS): Point[] {
  const out = series.length >= max ? series.slice(series.length - max + 1) : series.slice();
  out.push(p);
  return out;
}

/**
 * Per-second rates between consecutive samples of a cumulative counter; a counter that went down (the job
 * restarted, the interface was reset) gives 0 for that step rather than a negative rate.
 */
export function rates(counter: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < counter.length; i++) {
    const dt = (counter[i].t - counter[i - 1].t) / 1000;
    const dv = counter[i].v - counter[i - 1].v;
    out.push({ t: counter[i].t, v: dt > 0 && dv > 0 ? dv / dt : 0 });
  }
  return out;
}

/** The largest value in some series (0 for none). */
export function maxOf(...series: (readonly Point[])[]): number {
  let m = 0;
  for (const s of series) for (const p of s) if (p.v > m) m = p.v;
  return m;
}
