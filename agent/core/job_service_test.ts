/** JobService with real stores and a launcher that spawns nothing: the rules, without the kernel. */
import { assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import { JobService } from "./job_service.ts";
import type { CgroupDriver, CgroupStats, JobCgroup, LaunchedJob, Launcher, LaunchRequest } from "./ports.ts";
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
function fakeWorld(
  behaviour: { output?: string; code?: number | "wait"; oom?: boolean; ids?: string[] } = {},
) {
  const cgroups: FakeCgroup[] = [];
  const exits = new Map<string, (code: number) => void>();
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
        if (behaviour.code !== "wait") setTimeout(() => exit(behaviour.code as number ?? 0), 5);
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
  const dir = Deno.makeTempDirSync();
  const store = SqliteJobStore.open(":memory:");
  const jobs = new JobService({
    store,
    logs: new FileLogStore(`${dir}/logs`, { maxBytesPerJob: 1 << 20 }),
    cgroups: driver,
    launcher,
    workspaces: new Workspaces(dir),
    clock: { now: () => Date.now() },
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
  return { jobs, store, cgroups, cleanup: () => Deno.removeSync(dir, { recursive: true }) };
}

const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
  name: "",
  command: "echo",
  args: [],
  env: {},
  secretEnv: {},
  limits: {},
  ...over,
});

async function* none() {}

async function finished(jobs: JobService, id: string) {
  for (let i = 0; i < 200; i++) {
    const j = jobs.get(id);
    if (["COMPLETED", "FAILED", "STOPPED", "TIMEOUT"].includes(j.status)) return j;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("job did not finish");
}

Deno.test("a job that exits 0 is COMPLETED and its output is in its log", async () => {
  const w = fakeWorld({ output: "hi\n", code: 0 });
  const job = await w.jobs.run(spec(), none(), "alice");
  assertEquals([job.status, job.submittedBy], ["RUNNING", "alice"]);
  const done = await finished(w.jobs, job.id);
  assertEquals([done.status, done.exitCode], ["COMPLETED", 0]);
  const text: string[] = [];
  for await (const r of w.jobs.logs(job.id, false)) text.push(new TextDecoder().decode(r.data));
  assertEquals(text.join(""), "hi\n");
  w.cleanup();
});

Deno.test("an OOM kill is reported as FAILED with the reason 'OOM killed'", async () => {
  const w = fakeWorld({ code: 137, oom: true });
  const job = await w.jobs.run(spec(), none(), "alice");
  const done = await finished(w.jobs, job.id);
  assertEquals([done.status, done.reason, done.usage.oomKilled], ["FAILED", "OOM killed", true]);
  w.cleanup();
});

Deno.test("stop sends SIGTERM to the cgroup and the job ends STOPPED", async () => {
  const w = fakeWorld({ code: "wait" });
  const job = await w.jobs.run(spec(), none(), "alice");
  const stopped = await w.jobs.stop(job.id, undefined, "bob");
  assertEquals([stopped.status, stopped.reason], ["STOPPED", "stopped by bob"]);
  assertEquals(w.cgroups[0].signals[0], "SIGTERM");
  w.cleanup();
});

Deno.test("a timeout ends the job as TIMEOUT with exit code 124", async () => {
  const w = fakeWorld({ code: "wait" });
  const job = await w.jobs.run(spec({ limits: { timeoutMs: 20 } }), none(), "alice");
  const done = await finished(w.jobs, job.id);
  assertEquals([done.status, done.exitCode], ["TIMEOUT", 124]);
  w.cleanup();
});

Deno.test("ids: a unique prefix resolves, an ambiguous one lists the candidates, an unknown one is not found", async () => {
  const ids = ["abcd0000-0000-4000-8000-000000000001", "abcd0000-0000-4000-8000-000000000002"];
  const w = fakeWorld({ code: 0, ids: [...ids] });
  const a = await w.jobs.run(spec(), none(), "x");
  const b = await w.jobs.run(spec(), none(), "x");
  await finished(w.jobs, a.id);
  await finished(w.jobs, b.id);
  assertEquals(w.jobs.resolve("abcd0000-0000-4000-8000-000000000002").id, b.id);
  assertEquals(w.jobs.resolve("ABCD0000-0000-4000-8000-000000000001").id, a.id);
  assertThrows(
    () => w.jobs.resolve("abcd"),
    /ambiguous: it matches abcd0000-0000-4000-8000-000000000001, abcd/,
  );
  assertThrows(() => w.jobs.resolve("ffffffff-ffff-ffff"), /not found/);
  assertThrows(() => w.jobs.resolve("xyz"), /not valid/);
  w.cleanup();
});

Deno.test("delete refuses a running job and removes a finished one", async () => {
  const w = fakeWorld({ code: "wait" });
  const job = await w.jobs.run(spec(), none(), "x");
  assertThrows(() => w.jobs.delete(job.id), /RUNNING; stop it/);
  await w.jobs.stop(job.id, 10, "x");
  w.jobs.delete(job.id);
  assertThrows(() => w.jobs.get(job.id), /not found/);
  w.cleanup();
});

Deno.test("an upload that breaks the rules creates no job", async () => {
  const w = fakeWorld({ code: 0 });
  async function* bad() {
    yield { path: "../escape", mode: 0o644, kind: "file" as const, data: new Uint8Array(1), last: true };
  }
  await assertRejects(() => w.jobs.run(spec(), bad(), "x"), /'\.\.'/);
  assertEquals(w.store.list().length, 0);
  w.cleanup();
});
