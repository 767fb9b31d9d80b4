/**
 * For hosts without usable cgroups, where the config says `limits: { disabled: true }`: no limits, no
 * accounting, and a job's processes are found through its PID 1 — killing a PID namespace's init kills every
 * process in it (pid_namespaces(7)), so stop and kill still reach the whole job.
 */
import type { CgroupDriver, CgroupStats, JobCgroup } from "../../core/ports.ts";
import { JobletError } from "../../domain/errors.ts";
import type { JobLimits } from "../../domain/limits.ts";

const ZERO: CgroupStats = {
  cpuUsageUs: 0,
  cpuThrottledUs: 0,
  nrThrottled: 0,
  memoryCurrent: 0,
  memoryPeak: 0,
  ioReadBytes: 0,
  ioWriteBytes: 0,
  pids: 0,
  oomKills: 0,
};

type Kill = (pid: number, sig: Deno.Signal) => void;
type Alive = (pid: number) => boolean;

class Pid1Group implements JobCgroup {
  #pid = 0;
  constructor(readonly jobId: string, private readonly kill: Kill, private readonly alive: Alive) {}

  addProcess(pid: number): void {
    if (this.#pid === 0) this.#pid = pid;
  }

  pids(): number[] {
    return this.#pid > 0 && this.alive(this.#pid) ? [this.#pid] : [];
  }

  signal(signal: Deno.Signal): void {
    for (const pid of this.pids()) this.kill(pid, signal);
  }

  stats(): CgroupStats {
    return ZERO;
  }

  async killAll(): Promise<void> {
    for (let i = 0; i < 100 && this.pids().length > 0; i++) {
      this.signal("SIGKILL");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  destroy(): Promise<void> {
    return Promise.resolve();
  }
}

function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

export class NoCgroupDriver implements CgroupDriver {
  readonly version = "none" as const;
  readonly #kill: Kill;
  readonly #alive: Alive;

  constructor(
    kill: Kill = (pid, sig) => {
      try {
        Deno.kill(pid, sig);
      } catch { /* already gone */ }
    },
    isAlive: Alive = alive,
  ) {
    this.#kill = kill;
    this.#alive = isAlive;
  }

  create(jobId: string, _limits: JobLimits): JobCgroup {
    return new Pid1Group(jobId, this.#kill, this.#alive);
  }

  open(_jobId: string): JobCgroup | undefined {
    return undefined;
  }

  list(): string[] {
    return [];
  }
}

/** What `resolveLimits` becomes when limits are disabled: any explicit limit is refused, none is applied. */
export function refuseLimits(requested: Partial<JobLimits>): never | JobLimits {
  const asked = Object.entries(requested).filter(([k, v]) =>
    k !== "timeoutMs" && (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== 0)
  );
  if (asked.length > 0) {
    throw new JobletError(
      "FailedPrecondition",
      `this agent runs without cgroup limits (limits.disabled in its config), so ${
        asked.map(([k]) => k).join(", ")
      } cannot be applied`,
    );
  }
  return {
    cpuPercent: 0,
    cpuCores: [],
    memoryBytes: 0,
    ioBps: 0,
    pids: 0,
    timeoutMs: requested.timeoutMs ?? 0,
  };
}
