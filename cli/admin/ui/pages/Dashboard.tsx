/** Dashboard: the node's health (CPU, memory, disk, load), job counts by state, recent jobs, and "Run job". */
import { useState } from "react";
import { nodePath } from "../api.ts";
import { Meter } from "../components/Meter.tsx";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { Link } from "../components/Link.tsx";
import { useGet } from "../hooks.ts";
import { humanBytes, share } from "../lib/format.ts";
import { DEFAULT_QUERY, jobsSearch } from "../lib/jobs_query.ts";
import { ALL_NODES, useCanMutate, useNode, useSession } from "../session.ts";
import type { Host, Job } from "../types.ts";
import { JobsTable } from "./JobsTable.tsx";
import { RunJobDialog } from "./RunJobDialog.tsx";

export function Dashboard() {
  const { selected } = useSession();
  const node = useNode();
  const canMutate = useCanMutate();
  const [running, setRunning] = useState(false);
  const host = useGet<Host>(nodePath(node.name, "host"), 3000);
  const recentQuery = jobsSearch({ ...DEFAULT_QUERY, limit: 10 }, selected === ALL_NODES);
  const recent = useGet<{ jobs: Job[] }>(
    selected === ALL_NODES ? `/api/jobs?${recentQuery}` : `${nodePath(node.name, "jobs")}?${recentQuery}`,
    3000,
  );
  return (
    <>
      <header className="page-head">
        <h1>Dashboard</h1>
        <span className="muted">Node {node.name}</span>
        <span className="spacer" />
        {canMutate
          ? <button type="button" className="primary" onClick={() => setRunning(true)}>Run job</button>
          : null}
      </header>
      <div className="cards">
        <section className="card" aria-labelledby="health-h">
          <h2 id="health-h">Host health</h2>
          <ErrorNote error={host.error} />
          {host.data ? <Health host={host.data} /> : host.error ? null : <Loading what="host status" />}
        </section>
        <section className="card" aria-labelledby="counts-h">
          <h2 id="counts-h">Jobs by state</h2>
          {host.data
            ? (
              <ul className="counts">
                {Object.entries(host.data.jobs).filter(([, n]) => n > 0).map(([s, n]) => (
                  <li key={s}>
                    <StateBadge status={s} /> <strong>{n}</strong>
                  </li>
                ))}
                {Object.values(host.data.jobs).every((n) => !n)
                  ? <li className="muted">No jobs yet.</li>
                  : null}
              </ul>
            )
            : null}
        </section>
      </div>
      <section aria-labelledby="recent-h">
        <h2 id="recent-h">
          Recent jobs <Link href="/jobs" className="small">all jobs</Link>
        </h2>
        <ErrorNote error={recent.error} />
        {recent.data ? <JobsTable jobs={recent.data.jobs} caption="Recent jobs" /> : <Loading what="jobs" />}
      </section>
      {running ? <RunJobDialog node={node.name} onClose={() => setRunning(false)} /> : null}
    </>
  );
}

function Health({ host }: { host: Host }) {
  const root = host.disks.find((d) => d.mount_point === "/") ?? host.disks[0];
  return (
    <>
      <p className="muted">
        {host.hostname} · {host.os} · {host.cores.length} cores
      </p>
      <Meter label="CPU" value={host.cpu_percent} />
      <Meter
        label="Memory"
        value={share(host.memory_used_bytes, host.memory_total_bytes)}
        text={`${humanBytes(host.memory_used_bytes)} of ${humanBytes(host.memory_total_bytes)}`}
      />
      {root
        ? (
          <Meter
            label={`Disk ${root.mount_point}`}
            value={share(root.used_bytes, root.total_bytes)}
            text={`${humanBytes(root.used_bytes)} of ${humanBytes(root.total_bytes)}`}
          />
        )
        : null}
      <p>
        Load <strong>{host.load1.toFixed(2)}</strong> {host.load5.toFixed(2)} {host.load15.toFixed(2)}
        <span className="muted">(1, 5, 15 min)</span>
      </p>
    </>
  );
}
