/**
 * Job resource limits: the neutral values every layer passes around, the parsers for the `rnx job run` flags,
 * and the server-side defaults and bounds. Pure. Errors name the flag, quote the value and give the rule, so
 * rnx can show them as they are:
 *
 *   --max-cpu "abc" is not a percentage (use a whole number: 100 = one core, 50 = half a core, 0 = unlimited)
 *
 * Units: sizes are 1024-based (512MB = 512 MiB); a bare --max-memory number is MB, a bare --max-iobps number is
 * bytes per second. See docs/limits.md for the user's view and docs/adr/0004-limits.md for the kernel's.
 */
import { invalidArgument, type JobletError } from "./errors.ts";
import { formatDuration, formatSize, parseDuration } from "./units.ts";

export interface JobLimits {
  /** Percent of one core: 100 = one core, 250 = two and a half. 0 = unlimited. */
  cpuPercent: number;
  /** CPUs the job may run on, sorted, no duplicates. [] = all of them. */
  cpuCores: number[];
  /** Memory (RAM, swap disabled) in bytes. 0 = unlimited. */
  memoryBytes: number;
  /** Bytes per second, for reads and for writes, on every block device. 0 = unlimited. */
  ioBps: number;
  /** Processes and threads the job may have at once. 0 = unlimited. */
  pids: number;
  /** Wall-clock limit in milliseconds (enforced by the job service, not the cgroup). 0 = none. */
  timeoutMs: number;
}

export const NO_LIMITS: JobLimits = {
  cpuPercent: 0,
  cpuCores: [],
  memoryBytes: 0,
  ioBps: 0,
  pids: 0,
  timeoutMs: 0,
};

/** The flag of each limit, as rnx spells it. */
export const LIMIT_FLAGS: Record<keyof JobLimits, string> = {
  cpuPercent: "--max-cpu",
  cpuCores: "--cpu-cores",
  memoryBytes: "--max-memory",
  ioBps: "--max-iobps",
  pids: "--max-pids",
  timeoutMs: "--timeout",
};

/** Below this a job cannot even start its shell: tini + sh + the command's own libraries. */
export const MIN_MEMORY_BYTES = 4 * 1024 ** 2;
/** Below one page a second every direct I/O would stall for minutes (and hold the task in D state). */
export const MIN_IO_BPS = 4096;

// ------------------------------------------------------------------------------------------------ parsers

const CPU_RULE = "use a whole number: 100 = one core, 50 = half a core, 200 = two cores, 0 = unlimited";

/** "50" or "50%" → 50. A whole number ≥ 0; bounds are checked by resolveLimits(). */
export function parseCpuPercent(text: string): number {
  const m = /^(\d+)%?$/.exec(text.trim());
  if (!m) throw bad("cpuPercent", text, `is not a percentage (${CPU_RULE})`);
  return safeInt("cpuPercent", text, m[1], CPU_RULE);
}

const CORES_RULE = 'use core numbers and ranges, e.g. "0-3", "0,2,4,6" or "0-2,5"';

/** "0-3" | "0,2,4,6" | "0-2,5" → sorted core numbers; duplicates merge. "" → [] (all cores). */
export function parseCpuCores(text: string): number[] {
  const s = text.trim();
  if (s === "") return [];
  const cores = new Set<number>();
  for (const part of s.split(",")) {
    const m = /^\s*(\d+)(?:\s*-\s*(\d+))?\s*$/.exec(part);
    if (!m) throw bad("cpuCores", text, `is not a list of cores (${CORES_RULE})`);
    const first = safeInt("cpuCores", text, m[1], CORES_RULE);
    const last = m[2] === undefined ? first : safeInt("cpuCores", text, m[2], CORES_RULE);
    if (last < first) {
      throw bad(
        "cpuCores",
        text,
        `has the reversed range "${part.trim()}" (write the lower core first, e.g. "1-3")`,
      );
    }
    if (last - first > 65_535) {
      throw bad("cpuCores", text, `has a range too large to be cores (${CORES_RULE})`);
    }
    for (let c = first; c <= last; c++) cores.add(c);
  }
  return [...cores].sort((a, b) => a - b);
}

/** [0, 1, 2, 5] → "0-2,5": the kernel's cpuset list format, and how rnx shows the cores. */
export function formatCpuCores(cores: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < cores.length; i++) {
    let j = i;
    while (j + 1 < cores.length && cores[j + 1] === cores[j] + 1) j++;
    out.push(j === i ? `${cores[i]}` : `${cores[i]}-${cores[j]}`);
    i = j;
  }
  return out.join(",");
}

const SIZE_UNITS: Record<string, number> = {
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

const MEMORY_RULE =
  "use a number of MB, or a number with MB or GB (1024-based), e.g. 512, 512MB, 2GB, 1.5GiB; " +
  "0 = unlimited";

/** "512" (MB) | "512MB" | "2GB" | "1.5GiB" → bytes (1024-based, rounded down to whole bytes). "0" → 0. */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  const unit = !m ? undefined : m[2] === "" ? 1024 ** 2 : SIZE_UNITS[m[2].toLowerCase()];
  if (!m || unit === undefined) throw bad("memoryBytes", text, `is not a size (${MEMORY_RULE})`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw bad("memoryBytes", text, `is too large (${MEMORY_RULE})`);
  if (bytes !== 0 && bytes < MIN_MEMORY_BYTES) {
    throw bad(
      "memoryBytes",
      text,
      `is below the ${formatSize(MIN_MEMORY_BYTES)} a job needs to start (or use 0 for unlimited)`,
    );
  }
  return bytes;
}

const IOBPS_RULE =
  "use a whole number of bytes per second, or a whole number with KB, MB or GB (1024-based) " +
  "and an optional /s, e.g. 10MB/s, 100M, 1536MB/s; 0 = unlimited";

/**
 * "10MB" | "10MB/s" | "100M" | "10485760" (bytes) → bytes per second. Only whole numbers: the kernel takes whole
 * bytes per second, and one exact spelling per rate keeps `rnx job status` and the flag the same — "1.5GB/s" is
 * refused with a hint to write 1536MB/s.
 */
export function parseIoBps(text: string): number {
  const s = text.trim();
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)(\/s)?$/i.exec(s);
  const unit = !m
    ? undefined
    : m[2] === "" || m[2].toLowerCase() === "b"
    ? 1
    : SIZE_UNITS[m[2].toLowerCase()];
  if (!m || unit === undefined) throw bad("ioBps", text, `is not a rate (${IOBPS_RULE})`);
  if (m[1].includes(".")) {
    const hint = unit > 1 ? ` (write ${Math.round(Number(m[1]) * 1024)}${smallerUnit(m[2])}/s instead)` : "";
    throw bad("ioBps", text, `is not a whole number${hint}; ${IOBPS_RULE}`);
  }
  const bps = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bps)) throw bad("ioBps", text, `is too large (${IOBPS_RULE})`);
  if (bps !== 0 && bps < MIN_IO_BPS) {
    throw bad(
      "ioBps",
      text,
      `is below ${MIN_IO_BPS} bytes/s, which would stall every I/O (or use 0 for unlimited)`,
    );
  }
  return bps;
}

const PIDS_RULE = "use a whole number of processes and threads, e.g. 100; 0 = unlimited";

export function parsePids(text: string): number {
  const m = /^(\d+)$/.exec(text.trim());
  if (!m) throw bad("pids", text, `is not a number (${PIDS_RULE})`);
  return safeInt("pids", text, m[1], PIDS_RULE);
}

/** "30s" | "5m" | "2h" | "1h30m" → milliseconds; "0" = none. */
export function parseTimeout(text: string): number {
  try {
    return parseDuration(text);
  } catch (e) {
    throw invalidArgument(`${LIMIT_FLAGS.timeoutMs} ${(e as Error).message}`, e);
  }
}

// --------------------------------------------------------------------------------------- server bounds

/** Server-side defaults (for what a job leaves out) and bounds, from the agent config's `limits:` section. */
export interface LimitBounds {
  /** Applied when a job does not set the limit. 0 = unlimited (or the bound, when one is set). */
  defaults: Omit<JobLimits, "cpuCores">;
  /** Lowest non-zero --max-cpu (default 1). */
  minCpuPercent: number;
  /** Highest --max-cpu. 0 = 100 × the host's cores. */
  maxCpuPercent: number;
  /** Highest accepted value of each; 0 = no bound (then 0 = unlimited is accepted). */
  maxMemoryBytes: number;
  maxIoBps: number;
  maxPids: number;
  maxTimeoutMs: number;
}

export const DEFAULT_LIMIT_BOUNDS: LimitBounds = {
  defaults: { cpuPercent: 0, memoryBytes: 0, ioBps: 0, pids: 4096, timeoutMs: 0 },
  minCpuPercent: 1,
  maxCpuPercent: 0,
  maxMemoryBytes: 0,
  maxIoBps: 0,
  maxPids: 65_536,
  maxTimeoutMs: 0,
};

export interface HostCpus {
  /** Number of CPUs; cores 0 … cpus-1 exist. */
  cpus: number;
}

/**
 * The limits a job runs with: what it asked for, else the server default; then every bound checked.
 *
 * - A limit left out takes the default; a default of 0 (unlimited) under a configured bound takes the bound.
 * - An explicit 0 (unlimited) is refused where the server sets a bound.
 * - --max-cpu: min..max (max defaults to 100 × cores); with --cpu-cores it must fit the pinned cores
 *   (≤ 100 × their number). A *default* quota larger than the pinned cores is lowered to fit them.
 * - --cpu-cores: every core must exist on the host.
 *
 * Throws InvalidArgument naming the flag, the value and the allowed range.
 */
export function resolveLimits(requested: Partial<JobLimits>, bounds: LimitBounds, host: HostCpus): JobLimits {
  const cpuCores = [...new Set(requested.cpuCores ?? [])].sort((a, b) => a - b);
  for (const c of cpuCores) {
    if (!Number.isInteger(c) || c < 0 || c >= host.cpus) {
      throw invalidArgument(
        `${LIMIT_FLAGS.cpuCores} "${formatCpuCores(cpuCores)}": core ${c} does not exist on this host ` +
          `(it has ${host.cpus} core${host.cpus === 1 ? "" : "s"}: ${formatCpuCores(range(host.cpus))})`,
      );
    }
  }

  const maxCpu = bounds.maxCpuPercent || 100 * host.cpus;
  const pinnedMax = cpuCores.length > 0 ? Math.min(maxCpu, 100 * cpuCores.length) : maxCpu;
  let cpuPercent: number;
  if (requested.cpuPercent !== undefined) {
    cpuPercent = requested.cpuPercent;
    const unlimitedOk = bounds.maxCpuPercent === 0;
    if (!Number.isInteger(cpuPercent) || cpuPercent < 0 || (cpuPercent === 0 && !unlimitedOk)) {
      throw outOfRange("cpuPercent", String(cpuPercent), `${bounds.minCpuPercent}..${maxCpu}`, unlimitedOk);
    }
    if (cpuPercent !== 0 && (cpuPercent < bounds.minCpuPercent || cpuPercent > maxCpu)) {
      throw outOfRange("cpuPercent", String(cpuPercent), `${bounds.minCpuPercent}..${maxCpu}`, unlimitedOk);
    }
    if (cpuPercent > pinnedMax) {
      throw invalidArgument(
        `${LIMIT_FLAGS.cpuPercent} ${cpuPercent} does not fit ${LIMIT_FLAGS.cpuCores} ` +
          `"${formatCpuCores(cpuCores)}": ${cpuCores.length} core${
            cpuCores.length === 1 ? "" : "s"
          } give at most ` +
          `${100 * cpuCores.length} (100 per core)`,
      );
    }
  } else {
    cpuPercent = bounds.defaults.cpuPercent || bounds.maxCpuPercent;
    if (cpuCores.length > 0 && cpuPercent > pinnedMax) cpuPercent = pinnedMax;
  }

  return {
    cpuPercent,
    cpuCores,
    memoryBytes: bounded(
      "memoryBytes",
      requested.memoryBytes,
      bounds.defaults.memoryBytes,
      bounds.maxMemoryBytes,
      formatSize,
    ),
    ioBps: bounded(
      "ioBps",
      requested.ioBps,
      bounds.defaults.ioBps,
      bounds.maxIoBps,
      (n) => `${formatSize(n)}/s`,
    ),
    pids: bounded("pids", requested.pids, bounds.defaults.pids, bounds.maxPids, String),
    timeoutMs: bounded(
      "timeoutMs",
      requested.timeoutMs,
      bounds.defaults.timeoutMs,
      bounds.maxTimeoutMs,
      formatDuration,
    ),
  };
}

/** How `rnx job status` can show effective limits: "50%", "0-2,5", "64MiB", "10MiB/s", "4096", "30s"; 0 → "unlimited". */
export function describeLimits(l: JobLimits): Record<keyof JobLimits, string> {
  const or = (n: number, f: (n: number) => string) => n === 0 ? "unlimited" : f(n);
  return {
    cpuPercent: or(l.cpuPercent, (n) => `${n}%`),
    cpuCores: l.cpuCores.length === 0 ? "all" : formatCpuCores(l.cpuCores),
    memoryBytes: or(l.memoryBytes, formatSize),
    ioBps: or(l.ioBps, (n) => `${formatSize(n)}/s`),
    pids: or(l.pids, String),
    timeoutMs: l.timeoutMs === 0 ? "none" : formatDuration(l.timeoutMs),
  };
}

// ------------------------------------------------------------------------------------------- helpers

type Numeric = Exclude<keyof JobLimits, "cpuCores">;

function bounded(
  key: Numeric,
  requested: number | undefined,
  fallback: number,
  max: number,
  show: (n: number) => string,
): number {
  if (requested === undefined) return fallback === 0 ? max : Math.min(fallback, max || fallback);
  const min = key === "memoryBytes" ? MIN_MEMORY_BYTES : key === "ioBps" ? MIN_IO_BPS : 1;
  const ok = Number.isSafeInteger(requested) && requested >= 0 &&
    (requested === 0 ? max === 0 : requested >= min && (max === 0 || requested <= max));
  if (!ok) {
    const allowed = max === 0 ? `at least ${show(min)}` : `${show(min)}..${show(max)}`;
    throw outOfRange(key, requested === 0 ? "0" : show(requested), allowed, max === 0);
  }
  return requested;
}

function outOfRange(key: keyof JobLimits, value: string, allowed: string, unlimitedOk: boolean): JobletError {
  const zero = unlimitedOk ? ", or 0 for unlimited" : "; this server does not allow 0 (unlimited)";
  return invalidArgument(`${LIMIT_FLAGS[key]} ${value} is out of range (allowed: ${allowed}${zero})`);
}

function bad(key: keyof JobLimits, text: string, why: string): JobletError {
  return invalidArgument(`${LIMIT_FLAGS[key]} ${JSON.stringify(text)} ${why}`);
}

function safeInt(key: keyof JobLimits, text: string, digits: string, rule: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw bad(key, text, `is too large (${rule})`);
  return n;
}

function smallerUnit(unit: string): string {
  const u = unit.toLowerCase();
  if (u.startsWith("k")) return "B";
  if (u.startsWith("m")) return "KB";
  if (u.startsWith("g")) return "MB";
  return "GB";
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
