/** Scheduled jobs, retries and cron schedules in JobService, driven by a fake clock: no test sleeps for them. */
import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { fakeTime, fakeWorld, finished, none, spec, until } from "./_fake_world.ts";
import { SqliteJobStore } from "../os/store/sqlite_store.ts";

const T0 = Date.parse("2025-01-01T00:01:00Z");
const at = (s: string) => Date.parse(s);

Deno.test("a job scheduled in 30s waits SCHEDULED with its env and limits, and starts at its time", async () => {
  const t = fakeTime(T0);
  const w = fakeWorld({ code: 0, clock: t.clock, timers: t.timers });
  const job = await w.jobs.run(
    spec({
      env: { A: "1" },
      limits: { memoryBytes: 64 << 20 },
      schedule: { spec: "30s", timezone: "", allowOverlap: false, missed: "once" },
    }),
    none(),
    "alice",
  );
  assertEquals([job.status, job.scheduledAt, job.env, job.limits.memoryBytes], [
    "SCHEDULED",
    T0 + 30_000,
    { A: "1" },
    64 << 20,
  ]);
  t.advance(29_999);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(w.launches.length, 0);
  t.advance(1);
  await until(() => w.launches.length === 1, "launch");
  assertEquals(w.launches[0].env.A, "1");
  const done = await finished(w.jobs, job.id);
  assertEquals([done.status, done.lateMs], ["COMPLETED", 0]);
  w.cleanup();
});

Deno.test("stop makes a scheduled job STOPPED and cancel makes one CANCELED; neither ever runs", async () => {
  const t = fakeTime(T0);
  const w = fakeWorld({ code: 0, clock: t.clock, timers: t.timers });
  const sched = { spec: "1m", timezone: "", allowOverlap: false, missed: "once" as const };
  const a = await w.jobs.run(spec({ schedule: sched }), none(), "alice");
  const b = await w.jobs.run(spec({ schedule: sched }), none(), "alice");
  assertEquals((await w.jobs.stop(a.id, undefined, "bob")).status, "STOPPED");
  assertEquals(w.jobs.cancel(b.id, "bob").status, "CANCELED");
  assertEquals(w.jobs.get(b.id).reason, "canceled by bob");
  t.advance(120_000);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(w.launches.length, 0);
  assertThrows(() => w.jobs.cancel(b.id, "bob"), /only SCHEDULED or PENDING jobs can be canceled/);
  w.cleanup();
});

Deno.test("after a restart a scheduled job still runs at its time, and one whose time passed runs late", async () => {
  const dir = Deno.makeTempDirSync();
  const store = SqliteJobStore.open(`${dir}/jobs.db`);
  const t1 = fakeTime(T0);
  const w1 = fakeWorld({ code: 0, clock: t1.clock, timers: t1.timers, store, dir });
  const sched = (s: string) => ({ spec: s, timezone: "", allowOverlap: false, missed: "once" as const });
  const missed = await w1.jobs.run(spec({ schedule: sched("1m") }), none(), "alice");
  const future = await w1.jobs.run(spec({ schedule: sched("1h") }), none(), "alice");
  w1.jobs.shutdown();

  const t2 = fakeTime(T0 + 5 * 60_000);
  const w2 = fakeWorld({ code: 0, clock: t2.clock, timers: t2.timers, store, dir });
  await w2.jobs.recover();
  t2.advance(0);
  const late = await finished(w2.jobs, missed.id);
  assertEquals([late.status, late.lateMs], ["COMPLETED", 4 * 60_000]);
  assertEquals(w2.jobs.get(future.id).status, "SCHEDULED");
  t2.set(T0 + 3_600_000);
  assertEquals((await finished(w2.jobs, future.id)).status, "COMPLETED");
  const log: string[] = [];
  for await (const r of w2.jobs.logs(missed.id, false)) log.push(new TextDecoder().decode(r.data));
  assert(log.join("").includes("started 240 s after its scheduled time"), log.join(""));
  w2.cleanup();
});

Deno.test("--retries: failed attempts are retried with doubling delays and listed as attempts", async () => {
  const t = fakeTime(T0);
  let n = 0;
  const w = fakeWorld({ code: () => ++n < 3 ? 1 : 0, clock: t.clock, timers: t.timers });
  const job = await w.jobs.run(
    spec({ retry: { retries: 3, delayMs: 10_000, noRetryOn: [] } }),
    none(),
    "alice",
  );
  await until(() => w.jobs.get(job.id).status === "SCHEDULED", "first retry planned");
  const first = w.jobs.get(job.id);
  assertEquals(first.scheduledAt, T0 + 10_000);
  assertEquals(first.attempts.map((a) => [a.attempt, a.status, a.exitCode]), [[1, "FAILED", 1]]);
  t.advance(10_000);
  await until(() => w.jobs.get(job.id).attempts.length === 2, "second attempt");
  assertEquals(w.jobs.get(job.id).scheduledAt, T0 + 10_000 + 20_000);
  t.advance(20_000);
  const done = await finished(w.jobs, job.id);
  assertEquals([done.status, done.attempts.length, w.launches.length], ["COMPLETED", 2, 3]);
  w.cleanup();
});

Deno.test("--retries never retries an OOM kill or an exit code in --no-retry-on", async () => {
  const oom = fakeWorld({ code: 137, oom: true });
  const a = await oom.jobs.run(spec({ retry: { retries: 3, delayMs: 0, noRetryOn: [] } }), none(), "x");
  const doneA = await finished(oom.jobs, a.id);
  assertEquals([doneA.status, doneA.reason, doneA.attempts.length], ["FAILED", "OOM killed", 0]);
  oom.cleanup();
  const w = fakeWorld({ code: 3 });
  const b = await w.jobs.run(spec({ retry: { retries: 3, delayMs: 0, noRetryOn: [2, 3] } }), none(), "x");
  const doneB = await finished(w.jobs, b.id);
  assertEquals([doneB.status, doneB.exitCode, doneB.attempts.length], ["FAILED", 3, 0]);
  w.cleanup();
});

Deno.test("a cron schedule spawns a job at each tick and skips a tick while its last run still runs", async () => {
  const t = fakeTime(T0);
  const w = fakeWorld({ code: "wait", clock: t.clock, timers: t.timers });
  const cron = await w.jobs.run(
    spec({ schedule: { spec: "cron:*/5 * * * *", timezone: "", allowOverlap: false, missed: "once" } }),
    none(),
    "alice",
  );
  assertEquals([cron.status, cron.scheduledAt], ["SCHEDULED", at("2025-01-01T00:05:00Z")]);
  t.set(at("2025-01-01T00:05:00Z"));
  await until(() => w.launches.length === 1, "first run");
  const s1 = w.jobs.get(cron.id);
  assertEquals(s1.scheduledAt, at("2025-01-01T00:10:00Z"));
  const run1 = w.jobs.get(s1.history[0].jobId);
  assertEquals([run1.scheduleId, run1.command], [cron.id, "echo"]);
  t.set(at("2025-01-01T00:10:00Z"));
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(w.launches.length, 1);
  assertEquals(w.jobs.get(cron.id).history.map((h) => h.text), [
    "started",
    "tick skipped: the previous run is still running",
  ]);
  w.exit(run1.id, 0);
  await finished(w.jobs, run1.id);
  t.set(at("2025-01-01T00:15:00Z"));
  await until(() => w.launches.length === 2, "second run");
  assertEquals(w.jobs.cancel(cron.id, "bob").status, "CANCELED");
  await w.jobs.stopAll("test");
  w.cleanup();
});

Deno.test("cron ticks missed while the agent was down: --missed=once runs one job, skip runs none", async () => {
  for (const missed of ["once", "skip"] as const) {
    const dir = Deno.makeTempDirSync();
    const store = SqliteJobStore.open(`${dir}/jobs.db`);
    const t1 = fakeTime(T0);
    const w1 = fakeWorld({ code: 0, clock: t1.clock, timers: t1.timers, store, dir });
    const cron = await w1.jobs.run(
      spec({ schedule: { spec: "cron:*/5 * * * *", timezone: "", allowOverlap: false, missed } }),
      none(),
      "alice",
    );
    w1.jobs.shutdown();
    const t2 = fakeTime(at("2025-01-01T00:31:00Z"));
    const w2 = fakeWorld({ code: 0, clock: t2.clock, timers: t2.timers, store, dir });
    await w2.jobs.recover();
    t2.advance(0);
    await new Promise((r) => setTimeout(r, 30));
    const s = w2.jobs.get(cron.id);
    assertEquals(s.scheduledAt, at("2025-01-01T00:35:00Z"));
    assertEquals(w2.launches.length, missed === "once" ? 1 : 0);
    assert(s.history[0].text.startsWith("missed 6 tick(s) while the agent was down"), s.history[0].text);
    await w2.jobs.stopAll("test");
    w2.cleanup();
  }
});

Deno.test("each run of a cron schedule gets its own /work with a fresh copy of the schedule's uploads", async () => {
  const t = fakeTime(T0);
  const seen: string[][] = [];
  // Each run lists its /work, then leaves a file behind and deletes the upload.
  const w = fakeWorld({
    clock: t.clock,
    timers: t.timers,
    code: (req) => {
      seen.push([...Deno.readDirSync(req.workDir)].map((e) => e.name).sort());
      assertEquals(Deno.readTextFileSync(`${req.workDir}/seed.txt`), "seed\n");
      Deno.writeTextFileSync(`${req.workDir}/out.txt`, "run\n");
      Deno.removeSync(`${req.workDir}/seed.txt`);
      return 0;
    },
  });
  async function* uploads() {
    yield {
      path: "seed.txt",
      mode: 0o644,
      kind: "file" as const,
      data: new TextEncoder().encode("seed\n"),
      last: true,
    };
  }
  const cron = await w.jobs.run(
    spec({ schedule: { spec: "cron:*/5 * * * *", timezone: "", allowOverlap: false, missed: "once" } }),
    uploads(),
    "alice",
  );
  for (const [n, tick] of [[1, "00:05"], [2, "00:10"]] as const) {
    t.set(at(`2025-01-01T${tick}:00Z`));
    await until(() => w.launches.length === n, `run ${n}`);
    await finished(w.jobs, w.launches[n - 1].jobId);
  }
  assertEquals(seen, [["seed.txt"], ["seed.txt"]]);
  const [run1, run2] = w.launches.map((l) => l.jobId);
  assertEquals(w.launches.map((l) => l.workDir), [
    `${w.dir}/jobs/${run1}/work`,
    `${w.dir}/jobs/${run2}/work`,
  ]);
  assertEquals(w.jobs.get(run2).uploadCount, 1);
  // The schedule's uploads are untouched while it lives, and freed when it ends; each run keeps its own /work.
  assertEquals(Deno.readTextFileSync(`${w.dir}/jobs/${cron.id}/work/seed.txt`), "seed\n");
  w.jobs.cancel(cron.id, "bob");
  assertThrows(() => Deno.statSync(`${w.dir}/jobs/${cron.id}`), /No such file/);
  assertEquals(Deno.readTextFileSync(`${w.dir}/jobs/${run1}/work/out.txt`), "run\n");
  w.cleanup();
});

Deno.test("stopping a cron schedule frees its uploads; a run whose /work cannot be made is FAILED", async () => {
  const t = fakeTime(T0);
  const w = fakeWorld({ code: 0, clock: t.clock, timers: t.timers });
  const sched = { spec: "cron:*/5 * * * *", timezone: "", allowOverlap: false, missed: "once" as const };
  const a = await w.jobs.run(spec({ schedule: sched }), none(), "alice");
  await w.jobs.stop(a.id, undefined, "bob");
  assertThrows(() => Deno.statSync(`${w.dir}/jobs/${a.id}`), /No such file/);
  const b = await w.jobs.run(spec({ schedule: sched }), none(), "alice");
  Deno.removeSync(`${w.dir}/jobs/${b.id}/work`);
  Deno.writeTextFileSync(`${w.dir}/jobs/${b.id}/work`, "not a directory");
  t.set(at("2025-01-01T00:05:00Z"));
  await until(() => w.jobs.get(b.id).history.length === 1, "tick");
  const run = await finished(w.jobs, w.jobs.get(b.id).history[0].jobId);
  assertEquals(run.status, "FAILED");
  assert(run.reason.startsWith("cannot prepare its /work: "), run.reason);
  assertEquals(w.launches.length, 0);
  assertEquals(w.jobs.get(b.id).status, "SCHEDULED");
  w.jobs.cancel(b.id, "bob");
  w.cleanup();
});
