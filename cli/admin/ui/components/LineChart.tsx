/**
 * A small SVG line chart of one or more series over time, with a y axis of round ticks and a legend. Named by
 * `title` (role="img" with an aria-label that also states the latest values).
 */
import { linearScale, linePath, niceMax, niceTicks, type Point } from "../lib/chart_scale.ts";
import { humanDuration } from "../lib/format.ts";
import { maxOf } from "../lib/series.ts";

export interface Series {
  label: string;
  points: readonly Point[];
  color: string;
}

/** The longest stretch of time a chart shows. */
const MAX_WINDOW = 10 * 60_000;
const W = 420, H = 140, LEFT = 56, RIGHT = 8, TOP = 8, BOTTOM = 18;

export function LineChart(
  { title, series, format, yMax, yFloor = 1, windowMs }: {
    title: string;
    series: Series[];
    format: (v: number) => string;
    /** Fixed top of the y axis (e.g. 100 for percentages); otherwise from the data. */
    yMax?: number;
    /** Smallest top of a data-driven y axis (e.g. 1024 for bytes). */
    yFloor?: number;
    /** Time shown; by default the data's own span, from 30 s up to MAX_WINDOW. */
    windowMs?: number;
  },
) {
  const last = Math.max(0, ...series.map((s) => s.points.at(-1)?.t ?? 0));
  const first = Math.min(...series.map((s) => s.points[0]?.t ?? last));
  const t1 = last || Date.now();
  const span = windowMs ?? Math.min(MAX_WINDOW, Math.max(30_000, t1 - first));
  const t0 = t1 - span;
  const top = yMax ?? niceMax(maxOf(...series.map((s) => s.points)), yFloor);
  const x = linearScale([t0, t1], [LEFT, W - RIGHT]);
  const y = linearScale([0, top], [H - BOTTOM, TOP]);
  const latest = series.map((s) => `${s.label} ${s.points.length ? format(s.points.at(-1)!.v) : "no data"}`);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title}: ${latest.join(", ")}`}>
        {niceTicks(0, top, 3).map((v) => (
          <g key={v}>
            <line x1={LEFT} x2={W - RIGHT} y1={y(v)} y2={y(v)} className="grid" />
            <text x={LEFT - 4} y={y(v) + 4} textAnchor="end" className="tick">{format(v)}</text>
          </g>
        ))}
        <text x={LEFT} y={H - 4} className="tick">-{humanDuration(Math.round(span / 1000) * 1000)}</text>
        <text x={W - RIGHT} y={H - 4} textAnchor="end" className="tick">now</text>
        {series.map((s) => (
          <path
            key={s.label}
            d={linePath(s.points.filter((p) => p.t >= t0), x, y)}
            fill="none"
            stroke={s.color}
            strokeWidth={1.5}
          />
        ))}
      </svg>
      <ul className="legend">
        {series.map((s, i) => (
          <li key={s.label}>
            <span className="swatch" style={{ background: s.color }} />
            {latest[i]}
          </li>
        ))}
      </ul>
    </figure>
  );
}
