/**
 * One job: its state and actions, the live log (SSE `logs`), metrics charts (SSE `metrics`) and every detail the
 * agent keeps — command, limits, env (secrets masked), network, volumes, runtime, exit code and why it ended,
 * totals.
 */
import { type ReactNode, useEffect, useRef, useState } from "react";
import { nodePath } from "../api.ts";
import { JobActions } from "../components/JobActions.tsx";
import { LineChart } from "../components/LineChart.tsx";
import { Link } from "../components/Link.tsx";
import { LogView } from "../components/LogView.tsx";
import { ErrorNote, Loading } from "../components/Notice.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { navigate, useEvents, useGet } from "../hooks.ts";
import type { Point } from "../lib/chart_scale.ts";
import {
  commandLine,
  humanBytes,
  humanDuration,
  humanRate,
  limit,
  localTime,
  percent,
} from "../lib/format.ts";
import { LogBuffer } from "../lib/log_buffer.ts";
import { hrefFor } from "../lib/route.ts";
import { appendPoint, rates } from "../lib/series.ts";
import type { Job, LogEvent, MetricsSample } from "../types.ts";

const FINISHED = new Set(["COMPLETED", "FAILED", "STOPPED", "TIMEOUT", "CANCELED"]);

export function JobDetail({ node, id }: { node: string; id: string }) {
  const base = nodePath(node, `jobs/${encodeURIComponent(id)}`);
  const [ended, setEnded] = useState(false);
  const { data: job, error, reload } = useGet<Job>(base, ended ? 0 : 2000);
  const finished = job ? FINISHED.has(job.status) : false;
  return (
    <>
      <header className="page-head">
        <h1>
          Job {job?.name || id.slice(0, 8)}
        </h1>
        {job ? <StateBadge status={job.status} /> : null}
        <span className="muted mono">{id}</span>
        <span className="spacer" />
        {job
          ? (
            <JobActions
              job={{ ...job, node }}
              onDone={(a) => (a === "Delete" ? navigate("/jobs") : reload())}
            />
          )
          : null}
      </header>
      <ErrorNote error={error} />
      <JobLog
        base={base}
        onEnd={() => {
          setEnded(true);
          reload();
        }}
      />
      <JobCharts base={base} finished={finished} />
      {job ? <JobDetails job={job} node={node} /> : error ? null : <Loading what="the job" />}
    </>
  );
}

function JobLog({ base, onEnd }: { base: string; onEnd: () => void }) {
  const buffer = useRef(new LogBuffer()).current;
  const [version, setVersion] = useState(0);
  const [ended, setEnded] = useState(false);
  const [trouble, setTrouble] = useState("");
  const [failed, setFailed] = useState(false);
  const frame = useRef(0);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  const redraw = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      setVersion(buffer.version);
    });
  };
  useEvents(ended || failed ? null : `${base}/logs`, {
    // Every (re)connect replays the history from the first line.
    open: () => {
      setTrouble("");
      if (buffer.length) {
        buffer.clear();
        redraw();
      }
    },
    log: (d) => {
      const e = d as LogEvent;
      buffer.push(e.stream === "stderr" ? "stderr" : "stdout", e.line);
      redraw();
    },
    end: () => {
      setEnded(true);
      setVersion(buffer.version);
      onEnd();
    },
  }, (message) => {
    if (message) setFailed(true);
    setTrouble(
      message ? `The log stream failed: ${message}` : "The log stream was interrupted; reconnecting…",
    );
  });
  return (
    <>
      {trouble && !ended
        ? (
          <p role="alert" className="error">
            {trouble} {failed
              ? (
                <button type="button" onClick={() => (setFailed(false), setTrouble(""))}>
                  Reconnect
                </button>
              )
              : null}
          </p>
        )
        : null}
      <LogView buffer={buffer} version={version} ended={ended} />
    </>
  );
}

interface Charts {
  cpu: Point[];
  mem: Point[];
  read: Point[];
  write: Point[];
  last: number;
}

function JobCharts({ base, finished }: { base: string; finished: boolean }) {
  const [c, setC] = useState<Charts>({ cpu: [], mem: [], read: [], write: [], last: 0 });
  const [closed, setClosed] = useState(false);
  useEvents(closed ? null : `${base}/metrics`, {
    sample: (d) => {
      const s = d as MetricsSample;
      const t = Date.parse(s.time);
      setC((old) => {
        // EventSource reconnects replay the history: keep only samples newer than the last one.
        if (!(t > old.last)) return old;
        return {
          cpu: appendPoint(old.cpu, { t, v: s.cpu_percent }),
          mem: appendPoint(old.mem, { t, v: s.memory_bytes }),
          read: appendPoint(old.read, { t, v: s.io_read_bytes }),
          write: appendPoint(old.write, { t, v: s.io_write_bytes }),
          last: t,
        };
      });
    },
    end: () => setClosed(true),
  }, (message) => {
    if (message || finished) setClosed(true);
  });
  return (
    <section aria-labelledby="metrics-h">
      <h2 id="metrics-h">Metrics</h2>
      {c.cpu.length === 0 ? <p className="muted">No samples yet.</p> : null}
      <div className="charts">
        <LineChart
          title="CPU"
          series={[{ label: "CPU", points: c.cpu, color: "#2f7ed8" }]}
          format={percent}
        />
        <LineChart
          title="Memory"
          series={[{ label: "Memory", points: c.mem, color: "#8e44ad" }]}
          format={humanBytes}
          yFloor={1024}
        />
        <LineChart
          title="I/O"
          series={[
            { label: "Read", points: rates(c.read), color: "#27ae60" },
            { label: "Write", points: rates(c.write), color: "#e67e22" },
          ]}
          format={humanRate}
          yFloor={1024}
        />
      </div>
    </section>
  );
}

function JobDetails({ job, node }: { job: Job; node: string }) {
  const ended = job.usage.oom_killed
    ? "Killed: out of memory (OOM)"
    : job.status === "TIMEOUT"
    ? `Timed out after ${humanDuration(job.limits.timeout_ms)}`
    : job.reason;
  const rows: [string, ReactNode][] = [
    ["Command", <code key="c">{commandLine(job.command, job.args)}</code>],
    ["Node", node],
    ["Submitted by", job.submitted_by || "-"],
    ["Created", localTime(job.created_time)],
    [
      "Scheduled",
      job.scheduled_time ? localTime(job.scheduled_time) : job.cron ? `cron ${job.cron.expr}` : "-",
    ],
    ["Started", localTime(job.start_time)],
    ["Ended", localTime(job.end_time)],
    ["Duration", humanDuration(job.duration_ms)],
    ["Exit code", job.exit_code ?? "-"],
    ["Reason", ended || "-"],
    ["Runtime", job.runtime || "host"],
    ["Network", job.network || "default"],
    [
      "Volumes",
      job.volumes.length
        ? job.volumes.map((v) => `${v.name}${v.read_only ? " (read-only)" : ""}`).join(", ")
        : "none",
    ],
    ["Uploads", `${job.upload_count} files, ${humanBytes(job.upload_bytes)}`],
    [
      "Workflow",
      job.workflow_id
        ? (
          <Link key="w" href={hrefFor({ page: "workflow", node, id: job.workflow_id })}>
            {job.workflow_job || job.workflow_id}
          </Link>
        )
        : "-",
    ],
  ];
  const limits: [string, string][] = [
    ["Max CPU", limit(job.limits.max_cpu_percent, (v: number) => `${v}%`)],
    ["CPU cores", limit(job.limits.cpu_cores)],
    ["Max memory", limit(job.limits.max_memory_bytes, humanBytes)],
    ["Max I/O", limit(job.limits.max_io_bps, humanRate)],
    ["Max processes", limit(job.limits.max_pids)],
    ["Timeout", limit(job.limits.timeout_ms, humanDuration)],
    ["Max network", limit(job.max_net_bw_bytes ?? 0, humanRate)],
  ];
  const totals: [string, string][] = [
    ["CPU time", `${job.usage.cpu_seconds.toFixed(2)} s`],
    ["Peak memory", humanBytes(job.usage.peak_memory_bytes)],
    ["Read", humanBytes(job.usage.io_read_bytes)],
    ["Written", humanBytes(job.usage.io_write_bytes)],
    ["CPU throttled", humanDuration(Math.round(job.usage.cpu_throttled_us / 1000))],
    ["Log", humanBytes(job.log_bytes)],
  ];
  const env = [
    ...Object.entries(job.env).map(([k, v]) => [k, v, false] as const),
    ...Object.keys(job.secret_env).map((k) => [k, "***", true] as const),
  ];
  return (
    <section className="details" aria-labelledby="details-h">
      <h2 id="details-h">Details</h2>
      <div className="cards">
        <dl className="card">{rows.map(([k, v]) => <Pair key={k} k={k} v={v} />)}</dl>
        <div className="card">
          <h3>Limits</h3>
          <dl>{limits.map(([k, v]) => <Pair key={k} k={k} v={v} />)}</dl>
          <h3>Totals</h3>
          <dl>{totals.map(([k, v]) => <Pair key={k} k={k} v={v} />)}</dl>
        </div>
        <div className="card">
          <h3>Environment</h3>
          {env.length === 0 ? <p className="muted">None.</p> : (
            <table className="table compact">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {env.map(([k, v, secret]) => (
                  <tr key={k}>
                    <td className="mono">{k}</td>
                    <td className="mono">
                      {secret
                        ? <span title="secret: the value never leaves the agent">*** (secret)</span>
                        : v}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {job.history.length
            ? (
              <>
                <h3>History</h3>
                <ul className="history">
                  {job.history.map((h, i) => <li key={i}>{localTime(h.time)} {h.text}</li>)}
                </ul>
              </>
            )
            : null}
        </div>
      </div>
    </section>
  );
}

function Pair({ k, v }: { k: string; v: ReactNode }) {
  return (
    <div className="pair">
      <dt>{k}</dt>
      <dd>{v}</dd>
    </div>
  );
}
