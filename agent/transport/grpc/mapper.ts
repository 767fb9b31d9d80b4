/** proto ⇄ domain. Requests are validated here (zod, via domain/spec.ts); secrets never reach a response. */
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobRecord, JobSpec, JobStatus } from "../../domain/job.ts";
import { parseJobSpec } from "../../domain/spec.ts";
import { invalidArgument } from "../../domain/errors.ts";
import type { LogRecord, LogStreamName, UploadItem } from "../../core/ports.ts";

const STATUS_TO_PB: Record<JobStatus, pb.JobStatus> = {
  INITIALIZING: pb.JobStatus.JOB_STATUS_INITIALIZING,
  RUNNING: pb.JobStatus.JOB_STATUS_RUNNING,
  COMPLETED: pb.JobStatus.JOB_STATUS_COMPLETED,
  FAILED: pb.JobStatus.JOB_STATUS_FAILED,
  STOPPED: pb.JobStatus.JOB_STATUS_STOPPED,
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
  };
}

export function specFromPb(spec: pb.JobSpec): JobSpec {
  return parseJobSpec({
    name: spec.name,
    command: spec.command,
    args: spec.args,
    env: spec.env,
    secretEnv: spec.secretEnv,
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
