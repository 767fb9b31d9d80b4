/** Workflows: the node's workflows with their progress, polled; "Run workflow" opens the YAML upload. */
import { useState } from "react";
import { nodePath } from "../api.ts";
import { Link } from "../components/Link.tsx";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { useGet } from "../hooks.ts";
import { humanDuration, localTime, shortId } from "../lib/format.ts";
import { hrefFor } from "../lib/route.ts";
import { useCanMutate, useNode } from "../session.ts";
import type { Workflow } from "../types.ts";
import { RunWorkflowDialog } from "./RunWorkflowDialog.tsx";

export function Workflows() {
  const node = useNode();
  const canMutate = useCanMutate();
  const [running, setRunning] = useState(false);
  const { data, error } = useGet<{ workflows: Workflow[] }>(nodePath(node.name, "workflows"), 3000);
  return (
    <>
      <header className="page-head">
        <h1>Workflows</h1>
        <span className="muted">Node {node.name}</span>
        <span className="spacer" />
        {canMutate
          ? <button type="button" className="primary" onClick={() => setRunning(true)}>Run workflow</button>
          : null}
      </header>
      <ErrorNote error={error} />
      {data
        ? (
          <table className="table">
            <caption className="sr-only">Workflows</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Name</th>
                <th scope="col">ID</th>
                <th scope="col">Progress</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
              </tr>
            </thead>
            <tbody>
              {data.workflows.length === 0
                ? (
                  <tr>
                    <td colSpan={6} className="muted">No workflows.</td>
                  </tr>
                )
                : null}
              {data.workflows.map((w) => {
                const done = w.completed_jobs + w.failed_jobs + w.canceled_jobs;
                const name = w.name || w.file || shortId(w.id);
                return (
                  <tr key={w.id}>
                    <td>
                      <StateBadge status={w.status} />
                    </td>
                    <td>
                      <Link href={hrefFor({ page: "workflow", node: node.name, id: w.id })}>{name}</Link>
                    </td>
                    <td className="mono">{shortId(w.id)}</td>
                    <td>
                      <progress max={w.total_jobs || 1} value={done} aria-label={`Progress of ${name}`} />
                      {" "}
                      {done}/{w.total_jobs}
                      {w.failed_jobs
                        ? <span className="error-text">{` · ${w.failed_jobs} failed`}</span>
                        : null}
                      {w.running_jobs ? ` · ${w.running_jobs} running` : ""}
                    </td>
                    <td>{localTime(w.created_time)}</td>
                    <td>{humanDuration(w.duration_ms)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )
        : error
        ? null
        : <Loading what="workflows" />}
      {running ? <RunWorkflowDialog node={node.name} onClose={() => setRunning(false)} /> : null}
    </>
  );
}
