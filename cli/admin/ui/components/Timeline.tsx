/** A workflow's jobs on a time axis: one bar per job from its start to its end (or now), coloured by state. */
import { linearScale } from "../lib/chart_scale.ts";
import { humanDuration } from "../lib/format.ts";
import type { Job } from "../types.ts";

const W = 720, ROW = 22, LEFT = 150, RIGHT = 10;

export function Timeline({ jobs, now }: { jobs: Job[]; now: number }) {
  const started = jobs.filter((j) => j.start_time);
  if (started.length === 0) return <p className="muted">No job has started yet.</p>;
  const t = (iso: string | null) => (iso ? Date.parse(iso) : now);
  const t0 = Math.min(...started.map((j) => t(j.start_time)));
  const t1 = Math.max(t0 + 1000, ...started.map((j) => t(j.end_time)));
  const x = linearScale([t0, t1], [LEFT, W - RIGHT]);
  const height = started.length * ROW + 20;
  return (
    <svg viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-label="Timeline" className="timeline">
      {started.map((j, i) => {
        const a = x(t(j.start_time));
        const b = Math.max(a + 2, x(t(j.end_time)));
        const name = j.workflow_job || j.name;
        return (
          <g key={j.id} transform={`translate(0,${i * ROW})`}>
            <text x={LEFT - 6} y={15} textAnchor="end" className="tick">{name}</text>
            <rect x={a} y={4} width={b - a} height={ROW - 8} rx={3} className={`bar state-${j.status}`}>
              <title>{`${name}: ${j.status}, ${humanDuration(j.duration_ms)}`}</title>
            </rect>
          </g>
        );
      })}
      <text x={LEFT} y={height - 4} className="tick">0s</text>
      <text x={W - RIGHT} y={height - 4} textAnchor="end" className="tick">{humanDuration(t1 - t0)}</text>
    </svg>
  );
}
