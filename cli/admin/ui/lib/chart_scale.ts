/** Scales, ticks and SVG paths for the small line charts (metrics, monitoring, timeline). Pure. */

export type Scale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps everything to r0. */
export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const span = d1 - d0;
  return (v) => span === 0 ? r0 : r0 + ((v - d0) / span) * (r1 - r0);
}

/** About `count` round tick values (1, 2 or 5 × 10^n apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number((Math.round(v / step) * step).toPrecision(12)));
  }
  return out;
}

/** The top of a y axis for values up to `max`: the next nice number, never below `floor`. */
export function niceMax(max: number, floor = 1): number {
  if (!(max > floor)) return floor;
  const mag = 10 ** Math.floor(Math.log10(max));
  return [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((m) => m * mag).find((v) => v >= max)!;
}

export interface Point {
  t: number;
  v: number;
}

/** SVG path data through the points (M then L); empty for no points. */
export function linePath(points: readonly Point[], x: Scale, y: Scale): string {
  return points.map((p, i) => `${i ? "L" : "M"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" ");
}
