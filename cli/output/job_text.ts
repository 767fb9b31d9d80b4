/** Human output for jobs: the `job list` table and the `job status` key: value block. */
import type { Job, Workflow } from "../../proto/gen/joblet.ts";
import { shortId } from "../../agent/domain/job.ts";
import { formatNetRate } from "../../agent/domain/network.ts";
import { jobToJson, workflowStatusName } from "./json.ts";
import { commandLine, humanBytes, humanDuration, localTime } from "./format.ts";
import { renderPairs, renderTable } from "./table.ts";
import { paint, statusColor } from "./color.ts";

/** Widest COMMAND column in `job list`. */
export const COMMAND_WIDTH = 48;
const NAME_WIDTH = 24;

export function jobTable(jobs: Job[], now: number, color: boolean): string {
  const rows = jobs.map((job) => {
    const j = jobToJson(job, now);
    return [
      shortId(j.id),
      j.workflow_job ? `${j.workflow_job} (wf ${shortId(j.workflow_id)})` : j.name || "-",
      j.status,
      j.exit_code === null ? "-" : String(j.exit_code),
      j.status === "SCHEDULED" ? `${localTime(job.scheduledUnixMs)} (next)` : localTime(job.startUnixMs),
      humanDuration(j.duration_ms),
      (job.cron ? `[cron ${job.cron}] ` : "") + commandLine(j.command, j.args),
    ];
  });
  const STATUS = 2;
  return renderTable(["ID", "NAME", "STATUS", "EXIT", "START", "DURATION", "COMMAND"], rows, {
    maxWidths: { 1: NAME_WIDTH, 6: COMMAND_WIDTH },
    paint: (col, padded, raw) => {
      const c = col === STATUS ? statusColor(raw) : undefined;
      return c ? paint(padded, c, color) : padded;
    },
  });
}

export function jobDetails(job: Job, now: number, color: boolean): string {
  const j = jobToJson(job, now);
  const c = statusColor(j.status);
  const pairs: [string, string][] = [
    ["ID", j.id],
    ["Name", j.name || "-"],
    ["Status", c ? paint(j.status, c, color) : j.status],
    ["Exit code", j.exit_code === null ? "-" : String(j.exit_code)],
  ];
  if (j.reason) pairs.push(["Reason", j.reason]);
  if (j.workflow_id) {
    const reqs = j.requires.map((r) => `${r.job}: ${r.status}`).join(", ");
    pairs.push(["Workflow", `${j.workflow_id} (job ${j.workflow_job}${reqs ? `; requires ${reqs}` : ""})`]);
  }
  if (j.cron) {
    pairs.push([
      "Schedule",
      `cron "${j.cron.expr}" (${j.cron.timezone}), missed ticks: ${j.cron.missed || "once"}` +
      (j.cron.allow_overlap ? ", runs may overlap" : ""),
    ]);
  }
  if (job.scheduledUnixMs > 0 && j.status === "SCHEDULED") {
    pairs.push([
      j.cron ? "Next run" : "Scheduled",
      `${localTime(job.scheduledUnixMs)} (${untilText(job.scheduledUnixMs, now)})`,
    ]);
  } else if (job.scheduledUnixMs > 0) pairs.push(["Scheduled", localTime(job.scheduledUnixMs)]);
  if (j.late_ms > 0) {
    pairs.push(["Ran late", `${humanDuration(j.late_ms)} after its time (the agent was not running)`]);
  }
  if (j.schedule_id) pairs.push(["Schedule ID", j.schedule_id]);
  pairs.push(["Command", commandLine(j.command, j.args)]);
  const env = Object.entries(j.env).map(([k, v]) => `${k}=${v}`);
  const secret = Object.keys(j.secret_env).map((k) => `${k}=***`);
  pairs.push(["Env", env.length ? env.join(" ") : "-"]);
  if (secret.length) pairs.push(["Secret env", secret.join(" ")]);
  pairs.push(
    ["Created", localTime(job.createdUnixMs)],
    ["Started", localTime(job.startUnixMs)],
    ["Ended", localTime(job.endUnixMs)],
    ["Duration", humanDuration(j.duration_ms)],
    ["Submitted by", j.submitted_by || "-"],
  );
  if (j.pid > 0) pairs.push(["PID", String(j.pid)]);
  if (j.network) pairs.push(["Network", j.network]);
  if (j.max_net_bw_bytes) pairs.push(["Max net bw", `${formatNetRate(j.max_net_bw_bytes)} each way`]);
  if (j.volumes.length) {
    pairs.push(["Volumes", j.volumes.map((v) => `${v.name}${v.read_only ? " (read-only)" : ""}`).join(", ")]);
  }
  if (j.runtime) pairs.push(["Runtime", j.runtime]);
  pairs.push(["Log", humanBytes(j.log_bytes)]);
  const l = j.limits;
  const or = (n: number, f: (n: number) => string) => n === 0 ? "unlimited" : f(n);
  pairs.push([
    "Limits",
    [
      `cpu ${or(l.max_cpu_percent, (n) => `${n}%`)}`,
      `cores ${l.cpu_cores || "all"}`,
      `memory ${or(l.max_memory_bytes, humanBytes)}`,
      `io ${or(l.max_io_bps, (n) => `${humanBytes(n)}/s`)}`,
      `pids ${or(l.max_pids, String)}`,
      `timeout ${or(l.timeout_ms, (n) => humanDuration(n))}`,
    ].join(", "),
  ]);
  const u = j.usage;
  pairs.push([
    "Usage",
    `cpu ${u.cpu_seconds.toFixed(2)} s, peak memory ${humanBytes(u.peak_memory_bytes)}, io read ` +
    `${humanBytes(u.io_read_bytes)} / written ${humanBytes(u.io_write_bytes)}${
      u.oom_killed ? ", OOM killed" : ""
    }`,
  ]);
  if (j.upload_count > 0) {
    pairs.push(["Uploads", `${j.upload_count} (${humanBytes(j.upload_bytes)})`]);
  }
  if (j.retry.retries > 0) {
    pairs.push([
      "Retries",
      `${j.retry.retries}, first after ${humanDuration(j.retry.delay_ms)} (doubling)` +
      (j.retry.no_retry_on.length ? `, never on exit ${j.retry.no_retry_on.join(",")}` : ""),
    ]);
    pairs.push(["Attempt", `${j.attempts.length + 1} of ${j.retry.retries + 1}`]);
  }
  for (const a of j.attempts) {
    pairs.push([
      `Attempt ${a.attempt}`,
      `${a.status}${a.exit_code === null ? "" : ` (exit ${a.exit_code})`}: ${a.reason || "-"}, ` +
      `${localTime(Date.parse(a.start_time ?? "") || 0)} → ${localTime(Date.parse(a.end_time ?? "") || 0)}`,
    ]);
  }
  for (const h of j.history.slice(-10)) {
    pairs.push(["History", `${h.time ?? "-"} ${h.text}${h.job_id ? ` (job ${shortId(h.job_id)})` : ""}`]);
  }
  return renderPairs(pairs);
}

/** "in 29 s" / "due now". */
export function untilText(at: number, now: number): string {
  const ms = at - now;
  return ms > 0 ? `in ${humanDuration(ms)}` : "due now";
}

/** The seeds' workflow table with progress and timing (`rnx job status --workflow`). */
export function workflowDetails(w: Workflow, now: number, color: boolean, detail: boolean): string {
  const status = workflowStatusName(w.status);
  const c = statusColor(status);
  const done = w.completedJobs + w.failedJobs + w.canceledJobs;
  const lines = [
    `Workflow: ${w.id}`,
    `Name: ${w.name} (${w.file}${w.selectedJob ? `, job ${w.selectedJob} only` : ""})`,
    `Status: ${c ? paint(status, c, color) : status}`,
    `Progress: ${done}/${w.totalJobs} jobs finished (${w.completedJobs} completed, ${w.failedJobs} failed, ` +
    `${w.canceledJobs} canceled, ${w.runningJobs} running)`,
    `Created: ${localTime(w.createdUnixMs)}   Started: ${localTime(w.startUnixMs)}   Ended: ${
      localTime(w.endUnixMs)
    }   Duration: ${humanDuration(w.startUnixMs ? (w.endUnixMs || now) - w.startUnixMs : null)}`,
  ];
  if (w.stoppedBy) lines.push(`Stopped by: ${w.stoppedBy}`);
  const rows = w.jobs.map((job) => {
    const j = jobToJson(job, now);
    return [
      j.id,
      j.workflow_job,
      j.status,
      j.exit_code === null ? "-" : String(j.exit_code),
      j.requires.length ? j.requires.map((r) => `${r.job}(${r.status})`).join(", ") : "-",
    ];
  });
  let out = lines.join("\n") + "\n\n" +
    renderTable(["JOB UUID", "JOB NAME", "STATUS", "EXIT CODE", "DEPENDENCIES"], rows, {
      paint: (col, padded, raw) => {
        const sc = col === 2 ? statusColor(raw) : undefined;
        return sc ? paint(padded, sc, color) : padded;
      },
    });
  if (detail) out += `\nYAML (${w.file}):\n${w.yaml}${w.yaml.endsWith("\n") ? "" : "\n"}`;
  return out;
}

/** `rnx job list --workflow`. */
export function workflowTable(list: Workflow[], now: number, color: boolean): string {
  const rows = list.map((w) => [
    shortId(w.id),
    w.name,
    workflowStatusName(w.status),
    `${w.completedJobs + w.failedJobs + w.canceledJobs}/${w.totalJobs}`,
    localTime(w.createdUnixMs),
    humanDuration(w.startUnixMs ? (w.endUnixMs || now) - w.startUnixMs : null),
  ]);
  return renderTable(["ID", "NAME", "STATUS", "PROGRESS", "CREATED", "DURATION"], rows, {
    paint: (col, padded, raw) => {
      const sc = col === 2 ? statusColor(raw) : undefined;
      return sc ? paint(padded, sc, color) : padded;
    },
  });
}

/** What `job run` prints once the agent accepted the job. */
export function jobStarted(job: Job, now: number, color: boolean): string {
  const j = jobToJson(job, now);
  const c = statusColor(j.status);
  const lines = [`Job ${j.status === "SCHEDULED" ? "scheduled" : "started"}: ${j.id}`];
  if (j.name) lines.push(`Name: ${j.name}`);
  lines.push(`Status: ${c ? paint(j.status, c, color) : j.status}`);
  if (j.status === "SCHEDULED") {
    lines.push(
      `${j.cron ? `Schedule: cron "${j.cron.expr}" (${j.cron.timezone}); next run` : "Scheduled for"}: ` +
        `${localTime(job.scheduledUnixMs)} (${untilText(job.scheduledUnixMs, now)})`,
    );
  }
  if (j.upload_count > 0) lines.push(`Uploads: ${j.upload_count} (${humanBytes(j.upload_bytes)})`);
  return lines.join("\n") + "\n";
}
