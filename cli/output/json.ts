/**
 * The JSON rnx prints (`--json`). Keys are snake_case and stable, because scripts read them:
 *
 *   id, name, status ("RUNNING", "COMPLETED", … without the JOB_STATUS_ prefix), exit_code (null if none), reason,
 *   command, args, env, secret_env ({NAME: "***"}), created_time, start_time, end_time (RFC 3339 UTC or null),
 *   duration_ms (null before start; grows while running), submitted_by, pid, log_bytes, upload_count, upload_bytes,
 *   limits {max_cpu_percent, cpu_cores, max_memory_bytes, max_io_bps, max_pids, timeout_ms} (0 / "" = unlimited),
 *   usage {cpu_seconds, peak_memory_bytes, io_read_bytes, io_write_bytes, oom_killed, cpu_throttled_us},
 *   scheduled_time (RFC 3339 or null), late_ms, cron ({expr, timezone, allow_overlap, missed} or null),
 *   schedule_id, retry {retries, delay_ms, no_retry_on}, attempts [{attempt, start_time, end_time, status,
 *   exit_code, reason}], history [{time, text, job_id}], workflow_id, workflow_job, requires [{job, status}]
 *
 * Workflows: id, name, file, status (PENDING, RUNNING, COMPLETED, FAILED, CANCELED), selected_job,
 *   submitted_by, created_time, start_time, end_time, duration_ms, total_jobs, completed_jobs, failed_jobs,
 *   canceled_jobs, running_jobs, stopped_by, yaml (with status), jobs (JobJson[], with status)
 */
import {
  type Job,
  JobStatus as ProtoStatus,
  type VersionInfo,
  type Workflow,
  WorkflowStatus as ProtoWorkflowStatus,
} from "../../proto/gen/joblet.ts";
import { JOB_STATUSES, type JobStatus } from "../../agent/domain/job.ts";
import { durationMs, rfc3339 } from "./format.ts";

export interface JobJson {
  /** Only for jobs with a runtime. */
  runtime?: string;
  /** The job's network ("" before the agent knew networks). */
  network: string;
  /** Only for jobs with --max-net-bw: the traffic limit each way, bytes per second. */
  max_net_bw_bytes?: number;
  /** Volumes mounted at /volumes/NAME. */
  volumes: { name: string; read_only: boolean }[];
  id: string;
  name: string;
  status: JobStatus | "UNKNOWN";
  exit_code: number | null;
  reason: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  secret_env: Record<string, "***">;
  created_time: string | null;
  start_time: string | null;
  end_time: string | null;
  duration_ms: number | null;
  submitted_by: string;
  pid: number;
  log_bytes: number;
  upload_count: number;
  upload_bytes: number;
  limits: {
    max_cpu_percent: number;
    cpu_cores: string;
    max_memory_bytes: number;
    max_io_bps: number;
    max_pids: number;
    timeout_ms: number;
  };
  usage: {
    cpu_seconds: number;
    peak_memory_bytes: number;
    io_read_bytes: number;
    io_write_bytes: number;
    oom_killed: boolean;
    cpu_throttled_us: number;
  };
  scheduled_time: string | null;
  late_ms: number;
  cron: { expr: string; timezone: string; allow_overlap: boolean; missed: string } | null;
  schedule_id: string;
  retry: { retries: number; delay_ms: number; no_retry_on: number[] };
  attempts: {
    attempt: number;
    start_time: string | null;
    end_time: string | null;
    status: string;
    exit_code: number | null;
    reason: string;
  }[];
  history: { time: string | null; text: string; job_id: string }[];
  workflow_id: string;
  workflow_job: string;
  requires: { job: string; status: string }[];
}

const PREFIX = "JOB_STATUS_";

/** The proto enum as the domain's status name; UNSPECIFIED or a value newer than this client → "UNKNOWN". */
export function statusName(status: ProtoStatus): JobStatus | "UNKNOWN" {
  const name = ProtoStatus[status] as string | undefined;
  const short = name?.startsWith(PREFIX) ? name.slice(PREFIX.length) : "";
  return (JOB_STATUSES as readonly string[]).includes(short) ? short as JobStatus : "UNKNOWN";
}

/** A domain status name as the proto enum. */
export function protoStatus(status: JobStatus): ProtoStatus {
  return ProtoStatus[`${PREFIX}${status}` as keyof typeof ProtoStatus];
}

export function jobToJson(job: Job, now: number): JobJson {
  return {
    id: job.id,
    name: job.name,
    status: statusName(job.status),
    exit_code: job.exitCode ?? null,
    reason: job.reason,
    command: job.command,
    args: [...job.args],
    env: { ...job.env },
    secret_env: Object.fromEntries(job.secretEnvNames.map((n) => [n, "***" as const])),
    created_time: rfc3339(job.createdUnixMs),
    start_time: rfc3339(job.startUnixMs),
    end_time: rfc3339(job.endUnixMs),
    duration_ms: durationMs(job.startUnixMs, job.endUnixMs, now),
    submitted_by: job.submittedBy,
    pid: job.pid,
    log_bytes: job.logBytes,
    upload_count: job.uploadCount,
    upload_bytes: job.uploadBytes,
    limits: {
      max_cpu_percent: job.limits?.maxCpuPercent ?? 0,
      cpu_cores: job.limits?.cpuCores ?? "",
      max_memory_bytes: job.limits?.maxMemoryBytes ?? 0,
      max_io_bps: job.limits?.maxIoBps ?? 0,
      max_pids: job.limits?.maxPids ?? 0,
      timeout_ms: job.limits?.timeoutMs ?? 0,
    },
    usage: {
      cpu_seconds: job.usage?.cpuSeconds ?? 0,
      peak_memory_bytes: job.usage?.peakMemoryBytes ?? 0,
      io_read_bytes: job.usage?.ioReadBytes ?? 0,
      io_write_bytes: job.usage?.ioWriteBytes ?? 0,
      oom_killed: job.usage?.oomKilled ?? false,
      cpu_throttled_us: job.usage?.cpuThrottledUs ?? 0,
    },
    scheduled_time: rfc3339(job.scheduledUnixMs),
    late_ms: job.lateMs,
    cron: job.cron
      ? {
        expr: job.cron,
        timezone: job.timezone || "UTC",
        allow_overlap: job.allowOverlap,
        missed: job.missed,
      }
      : null,
    schedule_id: job.scheduleId,
    retry: {
      retries: job.retry?.retries ?? 0,
      delay_ms: job.retry?.delayMs ?? 0,
      no_retry_on: [...(job.retry?.noRetryOn ?? [])],
    },
    attempts: job.attempts.map((a) => ({
      attempt: a.attempt,
      start_time: rfc3339(a.startUnixMs),
      end_time: rfc3339(a.endUnixMs),
      status: statusName(a.status),
      exit_code: a.exitCode ?? null,
      reason: a.reason,
    })),
    history: job.history.map((h) => ({ time: rfc3339(h.timeUnixMs), text: h.text, job_id: h.jobId })),
    workflow_id: job.workflowId,
    workflow_job: job.workflowJob,
    requires: job.requires.map((r) => ({ job: r.job, status: statusName(r.status) })),
    ...(job.runtime ? { runtime: job.runtime } : {}),
    network: job.network ?? "",
    ...(job.maxNetBwBytes ? { max_net_bw_bytes: job.maxNetBwBytes } : {}),
    volumes: (job.volumes ?? []).map((v) => ({ name: v.name, read_only: v.readOnly })),
  };
}

export type WorkflowStatusName = "PENDING" | "RUNNING" | "COMPLETED" | "FAILED" | "CANCELED" | "UNKNOWN";

export function workflowStatusName(s: ProtoWorkflowStatus): WorkflowStatusName {
  const name = ProtoWorkflowStatus[s] as string | undefined;
  const short = name?.replace(/^WORKFLOW_STATUS_/, "") ?? "";
  return (["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELED"].includes(short)
    ? short
    : "UNKNOWN") as WorkflowStatusName;
}

export function workflowToJson(w: Workflow, now: number, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: w.id,
    name: w.name,
    file: w.file,
    status: workflowStatusName(w.status),
    selected_job: w.selectedJob,
    submitted_by: w.submittedBy,
    created_time: rfc3339(w.createdUnixMs),
    start_time: rfc3339(w.startUnixMs),
    end_time: rfc3339(w.endUnixMs),
    duration_ms: durationMs(w.startUnixMs, w.endUnixMs, now),
    total_jobs: w.totalJobs,
    completed_jobs: w.completedJobs,
    failed_jobs: w.failedJobs,
    canceled_jobs: w.canceledJobs,
    running_jobs: w.runningJobs,
    stopped_by: w.stoppedBy,
  };
  if (full) {
    out.yaml = w.yaml;
    out.jobs = w.jobs.map((j) => jobToJson(j, now));
  }
  return out;
}

export function versionToJson(v: VersionInfo): Record<string, string> {
  return {
    version: v.version,
    api_version: v.apiVersion,
    runtime: v.runtime,
    hostname: v.hostname,
    os: v.os,
    cgroup_version: v.cgroupVersion,
    caller_name: v.callerName,
    caller_role: v.callerRole,
  };
}

/** Pretty JSON with a trailing newline. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}
