/** A JobService with real stores and a launcher that spawns nothing, for core's unit tests. */
import { JobService } from "./job_service.ts";
import type {
  CgroupDriver,
  CgroupStats,
  Clock,
  JobCgroup,
  LaunchedJob,
  Launcher,
  LaunchRequest,
} from "./ports.ts";
import type { Timers } from "./scheduler.ts";
import { SqliteJobStore } from "../os/store/sqlite_store.ts";
import { FileLogStore } from "../os/logs/file_log_store.ts";
import { Workspaces } from "../os/workspace/workspaces.ts";
import { type JobLimits, NO_LIMITS } from "../domain/limits.ts";
import type { JobSpec } from "../domain/job.ts";

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

class FakeCgroup implements JobCgroup {
  signals: string[] = [];
  stats_: CgroupStats = { ...ZERO };
  constructor(readonly jobId: string, readonly onSignal: (s: string) => void) {}
  addProcess() {}
  pids() {
    return [];
  }
  signal(s: Deno.Signal) {
    this.signals.push(s);
    this.onSignal(s);
  }
  stats() {
    return this.stats_;
  }
  killAll() {
    this.onSignal("SIGKILL");
    return Promise.resolve();
  }
  destroy() {
    return Promise.resolve();
  }
}

/** A job that prints `output` and exits with `code`, or waits for a signal when `code` is "wait". */
export interface WorldOptions {
  output?: string;
  /** Exit code of every job, "wait" (until signalled) or a function of the launch request. */
  code?: number | "wait" | ((req: LaunchRequest) => number | "wait");
  oom?: boolean;
  ids?: string[];
  clock?: Clock;
  timers?: Timers;
  /** Reuse a store and state dir (an agent restart). */
  store?: SqliteJobStore;
  dir?: string;
}

export function fakeWorld(behaviour: WorldOptions = {}) {
  const cgroups: FakeCgroup[] = [];
  const exits = new Map<string, (code: number) => void>();
  const launches: LaunchRequest[] = [];
  const driver: CgroupDriver = {
    version: "v2",
    create(jobId: string, _l: JobLimits) {
      const cg = new FakeCgroup(jobId, (s) => {
        if (s === "SIGTERM" || s === "SIGKILL") exits.get(jobId)?.(s === "SIGTERM" ? 143 : 137);
      });
      if (behaviour.oom) cg.stats_ = { ...ZERO, oomKills: 1 };
      cgroups.push(cg);
      return cg;
    },
    open: () => undefined,
    list: () => [],
  };
  const launcher: Launcher = {
    launch(req: LaunchRequest): Promise<LaunchedJob> {
      const status = new Promise<{ code: number; signal: null }>((resolve) => {
        const exit = (code: number) => resolve({ code, signal: null });
        exits.set(req.jobId, exit);
        launches.push(req);
        const code = typeof behaviour.code === "function" ? behaviour.code(req) : behaviour.code;
        if (code !== "wait") setTimeout(() => exit(code ?? 0), 5);
      });
      const bytes = new TextEncoder().encode(behaviour.output ?? "");
      return Promise.resolve({
        pid: 4242,
        stdout: ReadableStream.from(bytes.length ? [bytes] : []),
        stderr: ReadableStream.from([]),
        status,
      });
    },
  };
  const dir = behaviour.dir ?? Deno.makeTempDirSync();
  const store = behaviour.store ?? SqliteJobStore.open(":memory:");
  const jobs = new JobService({
    store,
    logs: new FileLogStore(`${dir}/logs`, { maxBytesPerJob: 1 << 20 }),
    cgroups: driver,
    launcher,
    workspaces: new Workspaces(dir),
    clock: behaviour.clock ?? { now: () => Date.now() },
    timers: behaviour.timers,
    resolveLimits: (r) => ({ ...NO_LIMITS, ...r }),
    newId: behaviour.ids ? () => behaviour.ids!.shift()! : undefined,
  }, {
    stopGraceMs: 50,
    retentionMs: 0,
    maxUploadFiles: 10,
    maxUploadBytes: 1 << 20,
    sampleIntervalMs: 0,
    samplesKept: 10,
  });
  return {
    jobs,
    store,
    cgroups,
    launches,
    dir,
    exit: (id: string, code: number) => exits.get(id)?.(code),
    cleanup: () => {
      jobs.shutdown();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}

export const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
  name: "",
  command: "echo",
  args: [],
  env: {},
  secretEnv: {},
  limits: {},
  ...over,
});

export async function* none() {}

export async function finished(jobs: JobService, id: string) {
  for (let i = 0; i < 200; i++) {
    const j = jobs.get(id);
    if (["COMPLETED", "FAILED", "STOPPED", "TIMEOUT", "CANCELED"].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("job did not finish");
}

/** A clock the test moves and timers that fire only when the test moves it. */
export function fakeTime(start: number) {
  let now = start;
  const armed = new Map<number, { fn: () => void; at: number }>();
  let next = 1;
  const timers: Timers = {
    set(fn, ms) {
      armed.set(next, { fn, at: now + ms });
      return next++;
    },
    clear(h) {
      armed.delete(h as number);
    },
  };
  return {
    clock: { now: () => now },
    timers,
    /** Moves the clock and fires the timers that are due. */
    advance(ms: number) {
      now += ms;
      for (const [h, t] of [...armed]) {
        if (t.at <= now) {
          armed.delete(h);
          t.fn();
        }
      }
    },
    set(ms: number) {
      this.advance(ms - now);
    },
  };
}

/** Waits (really, briefly) until `check` holds. */
export async function until(check: () => boolean, what = "condition"): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${what} did not happen`);
}
