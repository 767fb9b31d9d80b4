/** proto ⇄ domain. Requests are validated here (zod, via domain/spec.ts); secrets never reach a response. */
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobRecord, JobSpec, JobStatus } from "../../domain/job.ts";
import { parseJobSpec } from "../../domain/spec.ts";
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
};

export function statusFromPb(s: pb.JobStatus): JobStatus {
  const found = (Object.keys(STATUS_TO_PB) as JobStatus[]).find((k) => STATUS_TO_PB[k] === s);
  if (!found) throw invalidArgument(`statuses: ${s} is not a job status`);
  return found;
}

export function jobToPb(job: JobRecord, logBytes: number): pb.Job {
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
  return parseJobSpec({
    name: spec.name,
    command: spec.command,
    args: spec.args,
    env: spec.env,
    secretEnv: spec.secretEnv,
    limits: limitsFromPb(spec.limits),
  });
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
