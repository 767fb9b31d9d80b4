/** proto ⇄ domain. Requests are validated here (zod, via domain/spec.ts); secrets never reach a response. */
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobRecord, JobSpec, JobStatus, MissedPolicy, RetryPolicy } from "../../domain/job.ts";
import type { WorkflowStatus } from "../../domain/workflow.ts";
import type { WorkflowView } from "../../core/workflow_service.ts";
import { checkScheduleSyntax } from "../../domain/schedule.ts";
import { checkTimeZone } from "../../domain/cron.ts";
import { parseJobSpec } from "../../domain/spec.ts";
import { runtimeName } from "../../domain/runtime.ts";
import { invalidArgument } from "../../domain/errors.ts";
import { formatCpuCores, type JobLimits, parseCpuCores } from "../../domain/limits.ts";
import type { JobSample } from "../../domain/metrics.ts";
import type { LogRecord, LogStreamName, UploadItem } from "../../core/ports.ts";

const STATUS_TO_PB: Record<JobStatus, pb.JobStatus> = {
  INITIALIZING: pb.JobStatus.JOB_STATUS_INITIALIZING,
  RUNNING: pb.JobStatus.JOB_STATUS_RUNNING,
  COMPLETED: pb.JobStatus.JOB_STATUS_COMPLETED,
  FAILED: pb.JobStatus.JOB_STATUS_FAILED,
  STOPPED: pb.JobStatus.JOB_STATUS_STOPPED,
  TIMEOUT: pb.JobStatus.JOB_STATUS_TIMEOUT,
  SCHEDULED: pb.JobStatus.JOB_STATUS_SCHEDULED,
  CANCELED: pb.JobStatus.JOB_STATUS_CANCELED,
  PENDING: pb.JobStatus.JOB_STATUS_PENDING,
};

const WORKFLOW_STATUS_TO_PB: Record<WorkflowStatus, pb.WorkflowStatus> = {
  PENDING: pb.WorkflowStatus.WORKFLOW_STATUS_PENDING,
  RUNNING: pb.WorkflowStatus.WORKFLOW_STATUS_RUNNING,
  COMPLETED: pb.WorkflowStatus.WORKFLOW_STATUS_COMPLETED,
  FAILED: pb.WorkflowStatus.WORKFLOW_STATUS_FAILED,
  CANCELED: pb.WorkflowStatus.WORKFLOW_STATUS_CANCELED,
};

function retryToPb(r: RetryPolicy): pb.RetryPolicy {
  return { retries: r.retries, delayMs: r.delayMs, noRetryOn: r.noRetryOn };
}

/**
 * A workflow with (full) or without (list) its jobs and YAML. `withNetwork` adds what the network store keeps
 * of a job (its network and traffic limit), as JobService.get() does.
 */
export function workflowToPb(
  v: WorkflowView,
  full: boolean,
  logBytes: (id: string) => number,
  withNetwork: (j: JobRecord) => JobRecord & { network?: string; maxNetBwBytes?: number } = (j) => j,
): pb.Workflow {
  const count = (...s: JobStatus[]) => v.jobs.filter((j) => s.includes(j.status)).length;
  return {
    id: v.workflow.id,
    name: v.workflow.name,
    file: v.workflow.file,
    status: WORKFLOW_STATUS_TO_PB[v.status],
    yaml: full ? v.workflow.yaml : "",
    selectedJob: v.workflow.selectedJob,
    submittedBy: v.workflow.submittedBy,
    createdUnixMs: v.workflow.createdAt,
    startUnixMs: v.startedAt,
    endUnixMs: v.endedAt,
    totalJobs: v.jobs.length,
    completedJobs: count("COMPLETED"),
    failedJobs: count("FAILED", "TIMEOUT", "STOPPED"),
    canceledJobs: count("CANCELED"),
    runningJobs: count("RUNNING", "INITIALIZING"),
    jobs: full ? v.jobs.map((j) => jobToPb(withNetwork(j), logBytes(j.id))) : [],
    stoppedBy: v.workflow.stoppedBy,
  };
}

export function statusFromPb(s: pb.JobStatus): JobStatus {
  const found = (Object.keys(STATUS_TO_PB) as JobStatus[]).find((k) => STATUS_TO_PB[k] === s);
  if (!found) throw invalidArgument(`statuses: ${s} is not a job status`);
  return found;
}

export function jobToPb(
  job: JobRecord & { network?: string; maxNetBwBytes?: number },
  logBytes: number,
): pb.Job {
  return {
    id: job.id,
    name: job.name,
    command: job.command,
    args: job.args,
    status: STATUS_TO_PB[job.status],
    exitCode: job.exitCode ?? undefined,
    reason: job.reason,
    createdUnixMs: job.createdAt,
    startUnixMs: job.startedAt,
    endUnixMs: job.endedAt,
    env: job.env,
    secretEnvNames: Object.keys(job.secretEnv),
    submittedBy: job.submittedBy,
    pid: job.pid,
    logBytes,
    uploadCount: job.uploadCount,
    uploadBytes: job.uploadBytes,
    limits: limitsToPb(job.limits),
    usage: {
      cpuSeconds: job.usage.cpuSeconds,
      peakMemoryBytes: job.usage.peakMemoryBytes,
      ioReadBytes: job.usage.ioReadBytes,
      ioWriteBytes: job.usage.ioWriteBytes,
      oomKilled: job.usage.oomKilled,
      cpuThrottledUs: job.usage.cpuThrottledUs,
    },
    scheduledUnixMs: job.scheduledAt,
    lateMs: job.lateMs,
    cron: job.cron?.expr ?? "",
    timezone: job.cron?.timezone ?? "",
    allowOverlap: job.cron?.allowOverlap ?? false,
    missed: job.cron?.missed ?? "",
    scheduleId: job.scheduleId,
    retry: retryToPb(job.retry),
    attempts: job.attempts.map((a) => ({
      attempt: a.attempt,
      startUnixMs: a.startedAt,
      endUnixMs: a.endedAt,
      status: STATUS_TO_PB[a.status],
      exitCode: a.exitCode ?? undefined,
      reason: a.reason,
    })),
    history: job.history.map((h) => ({ timeUnixMs: h.time, text: h.text, jobId: h.jobId })),
    workflowId: job.workflowId,
    workflowJob: job.workflowJob,
    requires: job.requires.map((r) => ({ job: r.job, status: STATUS_TO_PB[r.status] })),
    volumes: (job.volumes ?? []).map((v) => ({ name: v.name, readOnly: v.readOnly })),
    network: job.network ?? "",
    maxNetBwBytes: job.maxNetBwBytes ?? 0,
    runtime: job.runtime ?? "",
  };
}

export function limitsToPb(l: JobLimits): pb.JobLimits {
  return {
    maxCpuPercent: l.cpuPercent,
    cpuCores: formatCpuCores(l.cpuCores),
    maxMemoryBytes: l.memoryBytes,
    maxIoBps: l.ioBps,
    maxPids: l.pids,
    timeoutMs: l.timeoutMs,
  };
}

/** Requested limits: 0 / "" in the request means "the agent's default", so those are left out. */
export function limitsFromPb(l: pb.JobLimits | undefined): Partial<JobLimits> {
  if (!l) return {};
  const out: Partial<JobLimits> = {};
  if (l.maxCpuPercent) out.cpuPercent = l.maxCpuPercent;
  if (l.cpuCores) out.cpuCores = parseCpuCores(l.cpuCores);
  if (l.maxMemoryBytes) out.memoryBytes = l.maxMemoryBytes;
  if (l.maxIoBps) out.ioBps = l.maxIoBps;
  if (l.maxPids) out.pids = l.maxPids;
  if (l.timeoutMs) out.timeoutMs = l.timeoutMs;
  return out;
}

export function sampleToPb(s: JobSample): pb.JobMetricsSample {
  return {
    timeUnixMs: s.time,
    cpuSeconds: s.cpuSeconds,
    cpuPercent: s.cpuPercent,
    cpuThrottledUs: s.cpuThrottledUs,
    memoryBytes: s.memoryBytes,
    memoryPeakBytes: s.memoryPeakBytes,
    ioReadBytes: s.ioReadBytes,
    ioWriteBytes: s.ioWriteBytes,
    pids: s.pids,
  };
}

export function specFromPb(spec: pb.JobSpec): JobSpec {
  const parsed = parseJobSpec({
    name: spec.name,
    command: spec.command,
    args: spec.args,
    env: spec.env,
    secretEnv: spec.secretEnv,
    limits: limitsFromPb(spec.limits),
    ...(spec.volumes?.length
      ? { volumes: spec.volumes.map((v) => ({ name: v.name, readOnly: v.readOnly })) }
      : {}),
    ...(spec.network ? { network: spec.network } : {}),
    ...(spec.runtime ? { runtime: runtimeName(spec.runtime) } : {}),
    ...(spec.maxDiskBytes ? { maxDiskBytes: spec.maxDiskBytes } : {}),
    ...(spec.maxNetBwBytes ? { maxNetBwBytes: spec.maxNetBwBytes } : {}),
  });
  if (spec.schedule) {
    checkScheduleSyntax(spec.schedule);
    checkTimeZone(spec.timezone);
    const missed = spec.missed || "once";
    if (missed !== "once" && missed !== "skip") {
      throw invalidArgument(`--missed "${spec.missed}" is not a policy (use once or skip)`);
    }
    parsed.schedule = {
      spec: spec.schedule,
      timezone: spec.timezone,
      allowOverlap: spec.allowOverlap,
      missed: missed as MissedPolicy,
    };
  } else if (spec.timezone || spec.allowOverlap || spec.missed) {
    throw invalidArgument("--tz, --allow-overlap and --missed need a cron --schedule");
  }
  if (spec.retry && (spec.retry.retries > 0 || spec.retry.noRetryOn.length > 0 || spec.retry.delayMs > 0)) {
    if (spec.retry.retries > 100) {
      throw invalidArgument(`--retries ${spec.retry.retries} is too many (at most 100)`);
    }
    parsed.retry = {
      retries: spec.retry.retries,
      delayMs: spec.retry.delayMs,
      noRetryOn: spec.retry.noRetryOn,
    };
  }
  return parsed;
}

export function uploadFromPb(c: pb.UploadChunk): UploadItem {
  if (c.kind !== pb.UploadKind.UPLOAD_KIND_FILE && c.kind !== pb.UploadKind.UPLOAD_KIND_DIRECTORY) {
    throw invalidArgument(`upload "${c.path}": kind must be FILE or DIRECTORY`);
  }
  return {
    path: c.path,
    mode: c.mode,
    kind: c.kind === pb.UploadKind.UPLOAD_KIND_FILE ? "file" : "directory",
    data: c.data,
    last: c.last,
  };
}

const STREAM_TO_PB: Record<LogStreamName, pb.LogStream> = {
  stdout: pb.LogStream.LOG_STREAM_STDOUT,
  stderr: pb.LogStream.LOG_STREAM_STDERR,
  system: pb.LogStream.LOG_STREAM_SYSTEM,
};

export function logToPb(r: LogRecord): pb.LogRecord {
  return { seq: r.seq, timeUnixMs: r.time, stream: STREAM_TO_PB[r.stream], data: r.data };
}
