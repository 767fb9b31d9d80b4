/** Human output for jobs: the `job list` table and the `job status` key: value block. */
import type { Job } from "../../proto/gen/joblet.ts";
import { shortId } from "../../agent/domain/job.ts";
import { jobToJson } from "./json.ts";
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
      j.name || "-",
      j.status,
      j.exit_code === null ? "-" : String(j.exit_code),
      localTime(job.startUnixMs),
      humanDuration(j.duration_ms),
      commandLine(j.command, j.args),
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
  return renderPairs(pairs);
}

/** What `job run` prints once the agent accepted the job. */
export function jobStarted(job: Job, now: number, color: boolean): string {
  const j = jobToJson(job, now);
  const c = statusColor(j.status);
  const lines = [`Job started: ${j.id}`];
  if (j.name) lines.push(`Name: ${j.name}`);
  lines.push(`Status: ${c ? paint(j.status, c, color) : j.status}`);
  if (j.upload_count > 0) lines.push(`Uploads: ${j.upload_count} (${humanBytes(j.upload_bytes)})`);
  return lines.join("\n") + "\n";
}
