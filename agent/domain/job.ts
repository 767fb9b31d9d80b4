/** Jobs: states, the record the agent keeps, and the rules for moving between states. */
import type { JobLimits } from "./limits.ts";
import type { JobUsage } from "./metrics.ts";

export const JOB_STATUSES = ["INITIALIZING", "RUNNING", "COMPLETED", "FAILED", "STOPPED", "TIMEOUT"] as const;
export type JobStatus = typeof JOB_STATUSES[number];

export const FINISHED: ReadonlySet<JobStatus> = new Set(["COMPLETED", "FAILED", "STOPPED", "TIMEOUT"]);

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
}

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  INITIALIZING: ["RUNNING", "FAILED", "STOPPED"],
  RUNNING: ["COMPLETED", "FAILED", "STOPPED", "TIMEOUT"],
  COMPLETED: [],
  FAILED: [],
  STOPPED: [],
  TIMEOUT: [],
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
