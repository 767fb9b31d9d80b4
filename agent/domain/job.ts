/** Jobs: states, the record the agent keeps, and the rules for moving between states. */
import type { JobLimits } from "./limits.ts";
import type { JobUsage } from "./metrics.ts";
import type { VolumeMount } from "./volume.ts";

export const JOB_STATUSES = [
  "INITIALIZING",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "STOPPED",
  "TIMEOUT",
  /** Waiting for its time (--schedule, a cron schedule, or the back-off before a retry). */
  "SCHEDULED",
  /** Ended before it ever ran: `rnx job cancel`, or a workflow requirement that can no longer hold. */
  "CANCELED",
  /** A workflow job waiting for its requirements. */
  "PENDING",
] as const;
export type JobStatus = typeof JOB_STATUSES[number];

export const FINISHED: ReadonlySet<JobStatus> = new Set([
  "COMPLETED",
  "FAILED",
  "STOPPED",
  "TIMEOUT",
  "CANCELED",
]);

/** States of a job that has not started yet and may still be stopped or canceled without a process. */
export const WAITING: ReadonlySet<JobStatus> = new Set(["SCHEDULED", "PENDING"]);

/** Exit code of a job that ran past its timeout, as timeout(1) reports it. */
export const TIMEOUT_EXIT_CODE = 124;

export function isFinished(status: JobStatus): boolean {
  return FINISHED.has(status);
}

/** What a user asked for, already validated (see domain/spec.ts). */
export interface JobSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  secretEnv: Record<string, string>;
  /** Requested limits; absent fields take the agent's defaults. */
  limits: Partial<JobLimits>;
  /** `--schedule`: when to run (see domain/schedule.ts); absent = at once. */
  schedule?: ScheduleRequest;
  /** `--retries` and friends; absent = never retried. */
  retry?: RetryPolicy;
  /** `--volume NAME[:ro]`: volumes mounted at /volumes/NAME; absent = none. */
  volumes?: VolumeMount[];
  /** `--network`: "bridge", "isolated", "none" or a custom network; absent = the agent's default. */
  network?: string;
  /** `--runtime`: the installed runtime's name (domain/runtime.ts); absent = the host's system dirs. */
  runtime?: string;
  /** `--max-disk`: size of /work in bytes, uploads included; absent = the agent's jobs.max_disk. */
  maxDiskBytes?: number;
  /** `--max-net-bw`: the job's traffic limit each way, bytes per second; absent = unlimited. */
  maxNetBwBytes?: number;
}

/** What `--schedule` and its companion flags asked for, before it is resolved against the agent's clock. */
export interface ScheduleRequest {
  /** "30s", "1h30m", "2025-08-03T15:00:00Z" or "cron:*\/5 * * * *". */
  spec: string;
  /** IANA zone for cron schedules ("" = UTC). */
  timezone: string;
  /** Cron: start a run even when the previous one still runs. */
  allowOverlap: boolean;
  /** Cron: what to do with ticks missed while the agent was down. */
  missed: MissedPolicy;
}

export type MissedPolicy = "skip" | "once";

export interface RetryPolicy {
  /** Extra attempts after the first (0 = none). */
  retries: number;
  /** Wait before the first retry; doubled for each further one. */
  delayMs: number;
  /** Exit codes that are never retried. */
  noRetryOn: number[];
}

export const NO_RETRY: RetryPolicy = { retries: 0, delayMs: 0, noRetryOn: [] };

/** A cron schedule: the job record that holds it stays SCHEDULED and spawns a normal job at each tick. */
export interface CronPlan {
  /** The five fields as given, e.g. "*\/5 * * * *". */
  expr: string;
  timezone: string;
  allowOverlap: boolean;
  missed: MissedPolicy;
}

/** An attempt that ended and was retried. */
export interface JobAttempt {
  attempt: number;
  startedAt: number;
  endedAt: number;
  status: JobStatus;
  exitCode: number | null;
  reason: string;
}

/** Something that happened to a schedule (a run started, a tick skipped, ticks missed). */
export interface ScheduleEvent {
  time: number;
  text: string;
  /** The job a tick started, if any. */
  jobId: string;
}

/** A workflow job's requirement: `job` must end with `status`. */
export interface Requirement {
  job: string;
  status: JobStatus;
}

/** The persisted record of one job. Times are Unix milliseconds; 0 = not yet. */
export interface JobRecord {
  id: string;
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Kept only so the job can be started; never sent to clients. */
  secretEnv: Record<string, string>;
  status: JobStatus;
  exitCode: number | null;
  reason: string;
  createdAt: number;
  startedAt: number;
  endedAt: number;
  submittedBy: string;
  pid: number;
  uploadCount: number;
  uploadBytes: number;
  /** Effective limits (0 / [] = unlimited). */
  limits: JobLimits;
  /** Totals so far; final once the job has ended. */
  usage: JobUsage;
  /** When a SCHEDULED job (or the next tick of a cron schedule) is due; 0 = not scheduled. */
  scheduledAt: number;
  /** How much later than scheduledAt it started because the agent was down (0 = on time). */
  lateMs: number;
  /** Set on a cron schedule's own record. */
  cron: CronPlan | null;
  /** The cron schedule that started this job ("" = none). */
  scheduleId: string;
  retry: RetryPolicy;
  /** Earlier attempts that failed and were retried (the current attempt is the record itself). */
  attempts: JobAttempt[];
  /** A cron schedule's events, newest last, bounded. */
  history: ScheduleEvent[];
  /** The workflow this job belongs to ("" = none), and its name in the workflow's YAML. */
  workflowId: string;
  workflowJob: string;
  requires: Requirement[];
  /** Volumes mounted at /volumes/NAME (absent on records from before volumes = none). */
  volumes?: VolumeMount[];
  /** The runtime whose root replaces the host's system dirs ("" or absent = none). */
  runtime?: string;
}

/** The fields a job has before anything about scheduling, retries or workflows is known. */
export const PLAIN_JOB: Pick<
  JobRecord,
  | "scheduledAt"
  | "lateMs"
  | "cron"
  | "scheduleId"
  | "retry"
  | "attempts"
  | "history"
  | "workflowId"
  | "workflowJob"
  | "requires"
  | "volumes"
  | "runtime"
> = {
  scheduledAt: 0,
  lateMs: 0,
  cron: null,
  scheduleId: "",
  retry: NO_RETRY,
  attempts: [],
  history: [],
  workflowId: "",
  workflowJob: "",
  requires: [],
  volumes: [],
  runtime: "",
};

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  SCHEDULED: ["INITIALIZING", "STOPPED", "CANCELED"],
  PENDING: ["INITIALIZING", "STOPPED", "CANCELED"],
  INITIALIZING: ["RUNNING", "FAILED", "STOPPED", "SCHEDULED"],
  // SCHEDULED: an attempt failed and will be retried after its back-off.
  RUNNING: ["COMPLETED", "FAILED", "STOPPED", "TIMEOUT", "SCHEDULED"],
  COMPLETED: [],
  FAILED: [],
  STOPPED: [],
  TIMEOUT: [],
  CANCELED: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Final status and reason for a job whose process exited on its own (not stopped by a user). */
export function outcomeOf(exit: { code: number; signal: string | null }): {
  status: JobStatus;
  reason: string;
} {
  if (exit.code === 0) return { status: "COMPLETED", reason: "" };
  if (exit.code === 127) return { status: "FAILED", reason: "command not found" };
  if (exit.code === 126) return { status: "FAILED", reason: "command not executable" };
  if (exit.signal) return { status: "FAILED", reason: `killed by ${exit.signal}` };
  if (exit.code > 128 && exit.code < 160) {
    return { status: "FAILED", reason: `exited on signal ${exit.code - 128}` };
  }
  return { status: "FAILED", reason: `exited with code ${exit.code}` };
}

/** Job ids are lower-case UUIDs; clients may give any unique prefix. */
export const JOB_ID_PREFIX = /^[0-9a-f-]{1,36}$/;

export function shortId(id: string): string {
  return id.slice(0, 8);
}
