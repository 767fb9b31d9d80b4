/** Scheduling through rnx against a real agent: --schedule, cancel, stop, restart recovery, retries. */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

Deno.test({
  name: "e2e: scheduling",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    try {
      await t.step(
        "--schedule=2s: SCHEDULED with its time, then runs within 1 s of it, env kept",
        async () => {
          const job = await agent.runJob([
            "--schedule=2s",
            "-e",
            "GREETING=hi",
            "sh",
            "-c",
            "echo $GREETING",
          ]);
          assertEquals(job.status, "SCHEDULED");
          const due = Date.parse(String(job.scheduled_time));
          const human = await agent.rnx(["job", "status", job.id]);
          assertStringIncludes(human.stdout, "Scheduled");
          assertStringIncludes(human.stdout, "in ");
          const done = await agent.waitFinished(job.id);
          assertEquals(done.status, "COMPLETED");
          const started = Date.parse(String(done.start_time));
          assert(started >= due && started - due < 1000, `started ${started - due} ms after its time`);
          assertEquals((await agent.rnx(["job", "log", job.id])).stdout, "hi\n");
        },
      );

      await t.step("cancel → CANCELED and stop → STOPPED; neither runs", async () => {
        const a = await agent.runJob(["--schedule=1h", "true"]);
        const b = await agent.runJob(["--schedule=1h", "true"]);
        const canceled = await agent.rnxJson(["job", "cancel", a.id]);
        const stopped = await agent.rnxJson(["job", "stop", b.id]);
        assertEquals([canceled.status, stopped.status], ["CANCELED", "STOPPED"]);
        assertEquals([canceled.start_time, stopped.start_time], [null, null]);
      });

      await t.step("bad schedules are refused before anything is created", async () => {
        for (const s of ["yesterday", "2001-01-01T00:00:00Z", "400d", "cron:* * *"]) {
          const r = await agent.rnx(["job", "run", `--schedule=${s}`, "true"]);
          assert(r.code !== 0, `${s} was accepted`);
          assertStringIncludes(r.stderr, "schedule");
        }
      });

      await t.step("after a restart a job whose time passed runs at once and says it ran late", async () => {
        const job = await agent.runJob(["--schedule=2s", "echo", "late"]);
        await agent.crash();
        await new Promise((r) => setTimeout(r, 3000));
        await agent.restart();
        const done = await agent.waitFinished(job.id);
        assertEquals(done.status, "COMPLETED");
        assert(Number(done.late_ms) > 0, JSON.stringify(done));
        assertStringIncludes((await agent.rnx(["job", "status", job.id])).stdout, "Ran late");
      });

      await t.step("--retries: each attempt is visible; --no-retry-on codes are not retried", async () => {
        const job = await agent.runJob(["--retries=2", "--retry-delay=100ms", "sh", "-c", "exit 3"]);
        let done = await agent.waitFinished(job.id);
        for (let i = 0; i < 50 && (done.attempts as unknown[]).length < 2; i++) {
          await new Promise((r) => setTimeout(r, 100));
          done = await agent.waitFinished(job.id);
        }
        assertEquals([done.status, done.exit_code, (done.attempts as unknown[]).length], ["FAILED", 3, 2]);
        const once = await agent.runJob(["--retries=2", "--no-retry-on=3", "sh", "-c", "exit 3"]);
        const d2 = await agent.waitFinished(once.id);
        assertEquals((d2.attempts as unknown[]).length, 0);
      });

      await t.step("a cron schedule shows its next run in job list and ends with cancel", async () => {
        const cron = await agent.runJob(["--schedule=cron:*/5 * * * *", "true"]);
        assertEquals(cron.status, "SCHEDULED");
        const list = await agent.rnx(["job", "list"]);
        assertStringIncludes(list.stdout, "(next)");
        assertStringIncludes(list.stdout, "[cron */5 * * * *]");
        assertEquals((await agent.rnxJson(["job", "cancel", cron.id])).status, "CANCELED");
      });

      await t.step(
        "each cron run has its own /work: the upload, fresh, and nothing an earlier run left; freed at cancel",
        async () => {
          // No hook makes cron tick faster: this waits for two real minute ticks (60-120 s).
          const dir = Deno.makeTempDirSync({ prefix: "joblet-cron-" });
          Deno.writeTextFileSync(`${dir}/seed.txt`, "seed\n");
          const cron = await agent.runJob([
            "--schedule=cron:* * * * *",
            "--upload",
            `${dir}/seed.txt`,
            "sh",
            "-c",
            "ls /work; echo run >> /work/out.txt; cat /work/out.txt; rm /work/seed.txt",
          ]);
          Deno.removeSync(dir, { recursive: true });
          const runs: string[] = [];
          for (const end = Date.now() + 150_000; Date.now() < end && runs.length < 2;) {
            await new Promise((r) => setTimeout(r, 1000));
            const s = await agent.rnxJson<{ history: Array<{ job_id: string }> }>(["job", "status", cron.id]);
            runs.splice(0, runs.length, ...s.history.map((h) => h.job_id).filter(Boolean));
          }
          assert(runs.length >= 2, `the schedule ran ${runs.length} time(s) in 150 s`);
          for (const id of runs.slice(0, 2)) {
            const done = await agent.waitFinished(id);
            assertEquals(done.status, "COMPLETED");
            assertEquals((await agent.rnx(["job", "log", id])).stdout, "seed.txt\nrun\n", `run ${id}`);
          }
          const schedWork = `${agent.stateDir}/jobs/${cron.id}`;
          // The uploads sit in the schedule's own workspace (a directory, or an image with the quota on) until it ends.
          assert(exists(schedWork), "the schedule's uploads were freed while it still runs");
          assertEquals((await agent.rnxJson(["job", "cancel", cron.id])).status, "CANCELED");
          assert(!exists(schedWork), "the schedule's uploads were kept after it ended");
        },
      );
    } finally {
      await agent.stop();
    }
  },
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
