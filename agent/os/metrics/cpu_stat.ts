/**
 * /proc/stat CPU lines → CPU times, and the busy share between two readings.
 * Format: proc(5), "/proc/stat": `cpu  user nice system idle iowait irq softirq steal guest guest_nice` in
 * USER_HZ ticks (100 per second on every Linux architecture we run on). guest and guest_nice are already
 * counted in user and nice, so they are not added again.
 */
import type { CpuTimes } from "../../domain/host.ts";

/** Ticks per second of the /proc/stat and /proc/<pid>/stat counters (sysconf(_SC_CLK_TCK)). */
export const USER_HZ = 100;

export interface CpuStat {
  total: CpuTimes;
  cores: Array<{ id: number; times: CpuTimes }>;
}

/** Parses the `cpu` and `cpuN` lines of /proc/stat into seconds. */
export function parseCpuStat(text: string): CpuStat {
  let total: CpuTimes | undefined;
  const cores: CpuStat["cores"] = [];
  for (const line of text.split("\n")) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    const times = toTimes(m[2].trim().split(/\s+/).map(Number));
    if (m[1] === "") total = times;
    else cores.push({ id: Number(m[1]), times });
  }
  if (!total) throw new Error(`/proc/stat has no "cpu" line (starts ${JSON.stringify(text.slice(0, 40))})`);
  return { total, cores };
}

function toTimes(v: number[]): CpuTimes {
  const s = (i: number) => (Number.isFinite(v[i]) ? v[i] : 0) / USER_HZ;
  return {
    user: s(0),
    nice: s(1),
    system: s(2),
    idle: s(3),
    iowait: s(4),
    irq: s(5),
    softirq: s(6),
    steal: s(7),
  };
}

function sum(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

/** Busy share (not idle, not waiting for I/O) between two readings of one CPU, 0–100; 0 when no time passed. */
export function busyPercent(prev: CpuTimes, cur: CpuTimes): number {
  const total = sum(cur) - sum(prev);
  if (total <= 0) return 0;
  const idle = (cur.idle + cur.iowait) - (prev.idle + prev.iowait);
  return clamp(100 * (total - idle) / total, 0, 100);
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
