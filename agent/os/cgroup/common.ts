/**
 * Small helpers shared by the v1 and v2 drivers: names, errno, pid lists, waiting.
 */
import { invalidArgument, JobletError } from "../../domain/errors.ts";

/** v1 hierarchies the driver uses, in the order it creates directories in them. */
export const V1_CONTROLLERS = ["pids", "memory", "cpu", "cpuacct", "cpuset", "blkio", "freezer"] as const;
/** v2 controllers the driver enables for jobs (when the agent's cgroup offers them). */
export const V2_CONTROLLERS = ["cpu", "cpuset", "io", "memory", "pids"] as const;

export const DEFAULT_NAMESPACE = "joblet";
/** Suffix of the v2 leaf the agent's own processes move into: `<agent cgroup>/<namespace>-agent`. */
export const AGENT_LEAF_SUFFIX = "-agent";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A job id or namespace becomes one path component of a cgroup: no "/", no "..", no hidden names. */
export function checkName(what: "job id" | "cgroup namespace", name: string): string {
  if (!NAME.test(name)) {
    throw invalidArgument(
      `Cannot use ${what} ${
        JSON.stringify(name)
      } as a cgroup name: use 1–128 letters, digits, ".", "_" or "-", ` +
        `starting with a letter or digit`,
    );
  }
  if (what === "cgroup namespace" && name.endsWith(AGENT_LEAF_SUFFIX)) {
    throw invalidArgument(
      `Cannot use cgroup namespace ${JSON.stringify(name)}: names ending in "${AGENT_LEAF_SUFFIX}" are ` +
        `reserved for the agent's own leaf cgroup on v2`,
    );
  }
  return name;
}

const ERRNO_NAMES: Record<number, string> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  13: "EACCES",
  16: "EBUSY",
  17: "EEXIST",
  19: "ENODEV",
  20: "ENOTDIR",
  22: "EINVAL",
  28: "ENOSPC",
  39: "ENOTEMPTY",
  95: "EOPNOTSUPP",
};

/**
 * The errno name of a failed file operation or kill. Deno sets `code` on some errors only (a failed write to
 * cgroup.procs with ESRCH has none), so fall back to the "(os error N)" in the message.
 */
export function errnoOf(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("E")) return code;
  const m = /os error (\d+)/.exec(e.message) ?? /^(E[A-Z]+)\b/.exec(e.message);
  if (m) return /^\d+$/.test(m[1]) ? ERRNO_NAMES[Number(m[1])] ?? `errno ${m[1]}` : m[1];
  if (e instanceof Deno.errors.NotFound) return "ENOENT";
  if (e instanceof Deno.errors.AlreadyExists) return "EEXIST";
  if (e instanceof Deno.errors.Busy) return "EBUSY";
  return undefined;
}

/** Parses cgroup.procs: one pid a line; v1 may repeat pids and does not sort them. */
export function parsePids(text: string | undefined): number[] {
  if (!text) return [];
  const seen = new Set<number>();
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t !== "") seen.add(Number(t));
  }
  return [...seen].sort((a, b) => a - b);
}

export type Sleep = (ms: number) => Promise<void>;
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export type Kill = (pid: number, signal: Deno.Signal) => void;

/** Test seams and tunables shared by both drivers. */
export interface DriverTuning {
  /** Sends a signal (default Deno.kill). Unit tests pass a recorder, so they never need --allow-run. */
  kill: Kill;
  sleep: Sleep;
  /** How long killAll() keeps trying before it gives up (default 10 s). */
  killTimeoutMs: number;
  /** How long destroy() retries rmdir while the last task leaves (default 2 s). */
  destroyTimeoutMs: number;
}

export const defaultTuning: DriverTuning = {
  kill: (pid, signal) => Deno.kill(pid, signal),
  sleep,
  killTimeoutMs: 10_000,
  destroyTimeoutMs: 2_000,
};

/** Turns a failed write of a control file into an error that names the file, the value and the errno. */
export function writeFailed(path: string, data: string, e: unknown): JobletError {
  const errno = errnoOf(e) ?? String(e);
  const code = errno === "EACCES" || errno === "EPERM" ? "PermissionDenied" : "Internal";
  return new JobletError(code, `Cannot write ${JSON.stringify(data)} to ${path}: ${errno}`, { cause: e });
}

/** Joins a cgroup directory and a child name ("/" stays "/"-rooted). */
export function child(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

export function parent(dir: string): string {
  const i = dir.lastIndexOf("/");
  return i <= 0 ? "/" : dir.slice(0, i);
}
