/**
 * Processes: /proc/<pid>/stat → CPU ticks and resident memory, /proc/<pid>/cgroup → the job a process runs in,
 * and the top of the list by CPU and by memory.
 */
import type { ProcessStatus } from "../../domain/host.ts";
import { USER_HZ } from "./cpu_stat.ts";

export interface PidStat {
  pid: number;
  /** The command name (comm), at most 15 characters. */
  comm: string;
  /** utime + stime, in USER_HZ ticks. */
  cpuTicks: number;
  /** Ticks after boot when the process started; tells a reused pid from the process we saw before. */
  startTime: number;
  rssPages: number;
}

/**
 * Parses /proc/<pid>/stat (proc(5)): `pid (comm) state ppid … utime(14) stime(15) … starttime(22) vsize rss(24)`.
 * comm may hold spaces and parentheses, so the fields are counted from the last ")".
 */
export function parsePidStat(text: string): PidStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const f = text.slice(close + 2).trim().split(" ");
  // f[0] is field 3 (state), so field N is f[N - 3].
  const num = (n: number) => Number(f[n - 3]);
  const pid = Number(text.slice(0, open).trim());
  const out = {
    pid,
    comm: text.slice(open + 1, close),
    cpuTicks: num(14) + num(15),
    startTime: num(22),
    rssPages: num(24),
  };
  return [pid, out.cpuTicks, out.startTime, out.rssPages].every(Number.isFinite) ? out : undefined;
}

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The job a process belongs to, from its /proc/<pid>/cgroup: job cgroups are `…/<namespace>/<job id>[/…]` on
 * v1 and v2 alike (agent/os/cgroup). "" when no line has such a path.
 */
export function jobIdFromCgroup(text: string, namespace = "joblet"): string {
  for (const line of text.split("\n")) {
    const path = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1);
    const parts = path.split("/");
    for (let i = parts.length - 2; i >= 0; i--) {
      if (parts[i] === namespace && JOB_ID.test(parts[i + 1])) return parts[i + 1];
    }
  }
  return "";
}

/** Turns /proc/<pid>/cmdline (NUL-separated) into a command line; "" for kernel threads. */
export function parseCmdline(raw: string): string {
  return raw.replace(/\0+$/, "").replaceAll("\0", " ");
}

export interface ProcessDelta {
  pid: number;
  comm: string;
  cpuPercent: number;
  memoryBytes: number;
}

/**
 * CPU use of each process since the previous reading, in percent of one core. A process that is new, or whose
 * pid now belongs to another process (different start time), is measured from its start instead.
 */
export function processDeltas(
  prev: ReadonlyMap<number, PidStat>,
  cur: readonly PidStat[],
  seconds: number,
  pageSize: number,
  bootTicksNow: number,
): ProcessDelta[] {
  return cur.map((p) => {
    const before = prev.get(p.pid);
    const same = before && before.startTime === p.startTime;
    const ticks = same ? p.cpuTicks - before.cpuTicks : p.cpuTicks;
    const window = same ? seconds : Math.min(seconds, Math.max(0, (bootTicksNow - p.startTime) / USER_HZ));
    const cpuPercent = window > 0 ? Math.max(0, 100 * (ticks / USER_HZ) / window) : 0;
    return { pid: p.pid, comm: p.comm, cpuPercent, memoryBytes: p.rssPages * pageSize };
  });
}

/** The union of the `n` busiest by CPU and the `n` largest by memory, busiest CPU first. */
export function topProcesses<T extends Pick<ProcessStatus, "pid" | "cpuPercent" | "memoryBytes">>(
  all: readonly T[],
  n: number,
): T[] {
  if (n <= 0) return [];
  const byCpu = [...all].sort((a, b) => b.cpuPercent - a.cpuPercent || b.memoryBytes - a.memoryBytes);
  const byMem = [...all].sort((a, b) => b.memoryBytes - a.memoryBytes || b.cpuPercent - a.cpuPercent);
  const chosen = new Set([...byCpu.slice(0, n), ...byMem.slice(0, n)]);
  return byCpu.filter((p) => chosen.has(p));
}
