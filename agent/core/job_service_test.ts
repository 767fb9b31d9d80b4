/** JobService with real stores and a launcher that spawns nothing: the rules, without the kernel. */
import { assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import { fakeWorld, finished, none, spec } from "./_fake_world.ts";

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
