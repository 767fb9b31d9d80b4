/**
 * One workflow: state and progress, the DAG of its jobs coloured by state (polled while it runs), a timeline, the
 * jobs table, and the YAML it was submitted with. "Stop" stops it (behind a confirm dialog).
 */
import { useState } from "react";
import { errorText, nodePath, post } from "../api.ts";
import { DagGraph } from "../components/DagGraph.tsx";
import { ConfirmDialog } from "../components/Dialog.tsx";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { Timeline } from "../components/Timeline.tsx";
import { YamlView } from "../components/YamlView.tsx";
import { navigate, useGet, useNow } from "../hooks.ts";
import { humanDuration, localTime } from "../lib/format.ts";
import { hrefFor } from "../lib/route.ts";
import { useCanMutate } from "../session.ts";
import type { Workflow } from "../types.ts";
import { JobsTable } from "./JobsTable.tsx";

const FINISHED = new Set(["COMPLETED", "FAILED", "CANCELED"]);

export function WorkflowDetail({ node, id }: { node: string; id: string }) {
  const base = nodePath(node, `workflows/${encodeURIComponent(id)}`);
  const [done, setDone] = useState(false);
  const { data: w, error, reload } = useGet<Workflow>(base, done ? 0 : 1500);
  const now = useNow(done ? 60_000 : 1000);
  const canMutate = useCanMutate(node);
  const [stopping, setStopping] = useState(false);
  const [stopError, setStopError] = useState("");
  if (w && FINISHED.has(w.status) && !done) setDone(true);
  const jobs = (w?.jobs ?? []).map((j) => ({ ...j, node }));
  const finished = w ? w.completed_jobs + w.failed_jobs + w.canceled_jobs : 0;

  const stop = async () => {
    try {
      await post(`${base}/stop`);
      setStopping(false);
      reload();
    } catch (e) {
      setStopError(errorText(e));
    }
  };

  return (
    <>
      <header className="page-head">
        <h1>Workflow {w?.name || w?.file || id.slice(0, 8)}</h1>
        {w ? <StateBadge status={w.status} /> : null}
        <span className="muted mono">{id}</span>
        <span className="spacer" />
        {w && canMutate && !FINISHED.has(w.status)
          ? <button type="button" onClick={() => setStopping(true)}>Stop</button>
          : null}
      </header>
      <ErrorNote error={error} />
      {!w ? (error ? null : <Loading what="the workflow" />) : (
        <>
          <p>
            <progress max={w.total_jobs || 1} value={finished} aria-label="Progress" /> {finished} of{" "}
            {w.total_jobs} jobs finished · {w.running_jobs} running · {w.failed_jobs} failed · started{" "}
            {localTime(w.start_time)} · {humanDuration(w.duration_ms)}
            {w.stopped_by ? ` · stopped by ${w.stopped_by}` : ""}
          </p>
          <section aria-labelledby="graph-h">
            <h2 id="graph-h">Graph</h2>
            <DagGraph jobs={jobs} onOpen={(j) => navigate(hrefFor({ page: "job", node, id: j.id }))} />
          </section>
          <section aria-labelledby="timeline-h">
            <h2 id="timeline-h">Timeline</h2>
            <Timeline jobs={jobs} now={now} />
          </section>
          <section aria-labelledby="wjobs-h">
            <h2 id="wjobs-h">Jobs</h2>
            <JobsTable jobs={jobs} caption="Jobs of the workflow" />
          </section>
          <section aria-labelledby="yaml-h">
            <h2 id="yaml-h">YAML</h2>
            <YamlView yaml={w.yaml ?? ""} label="Workflow YAML" />
          </section>
        </>
      )}
      {stopping
        ? (
          <ConfirmDialog
            title="Stop workflow"
            message="Stop the workflow? Its running jobs are stopped and the jobs still waiting are canceled."
            error={stopError}
            onConfirm={stop}
            onClose={() => {
              setStopping(false);
              setStopError("");
            }}
          />
        )
        : null}
    </>
  );
}
