/**
 * A workflow's jobs as an SVG DAG: boxes coloured by state (each named "<job>: <STATE>"), arrows for
 * `requires`. Clicking a box (or Enter on it) opens the job.
 */
import { useMemo } from "react";
import { DEFAULT_SIZE, layoutDag } from "../lib/dag_layout.ts";
import type { Job } from "../types.ts";

export function DagGraph({ jobs, onOpen }: { jobs: Job[]; onOpen: (job: Job) => void }) {
  const key = jobs.map((j) => `${j.workflow_job}<${j.requires.map((r) => r.job).join(",")}`).join(";");
  const layout = useMemo(
    () =>
      layoutDag(jobs.map((j) => ({ id: j.workflow_job || j.name, requires: j.requires.map((r) => r.job) }))),
    // The layout depends only on names and requirements, not on states.
    [key],
  );
  const byName = new Map(jobs.map((j) => [j.workflow_job || j.name, j]));
  const { nodeWidth: w, nodeHeight: h } = DEFAULT_SIZE;
  return (
    <div className="dag-scroll">
      <svg
        role="group"
        aria-label="Workflow graph"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        className="dag"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="edge-head" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path key={`${e.from}>${e.to}`} d={e.path} className="edge" markerEnd="url(#arrow)">
            <title>{`${e.to} requires ${e.from}`}</title>
          </path>
        ))}
        {layout.nodes.map((n) => {
          const job = byName.get(n.id)!;
          return (
            <g
              key={n.id}
              transform={`translate(${n.x},${n.y})`}
              className={`dag-node state-${job.status}`}
              role="link"
              tabIndex={0}
              aria-label={`${n.id}: ${job.status}`}
              onClick={() => onOpen(job)}
              onKeyDown={(e) => e.key === "Enter" && onOpen(job)}
            >
              <rect width={w} height={h} rx={6} />
              <text x={8} y={16} className="dag-name">
                {n.id.length > 20 ? n.id.slice(0, 19) + "…" : n.id}
              </text>
              <text x={8} y={32} className="dag-state">{job.status}</text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}
