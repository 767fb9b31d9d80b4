/** Limits as a user sees them through rnx: effective limits in status, OOM kills, timeouts, bad flags. */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

Deno.test({
  name: "e2e: limits",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    try {
      await t.step("status shows the effective limits, the default pids limit included", async () => {
        const { id } = await agent.runJob(["--max-cpu=50", "--max-memory=64MB", "--timeout=5m", "true"]);
        const job = await agent.waitFinished(id);
        assertEquals(job.limits, {
          max_cpu_percent: 50,
          cpu_cores: "",
          max_memory_bytes: 64 * 1024 ** 2,
          max_io_bps: 0,
          max_pids: 4096,
          timeout_ms: 300_000,
        });
        const human = await agent.rnx(["job", "status", id]);
        assertStringIncludes(human.stdout, "cpu 50%");
        assertStringIncludes(human.stdout, "memory 64");
      });

      await t.step(
        "a job over --max-memory ends FAILED with 'OOM killed'; a small one completes",
        async () => {
          const hog = await agent.runToEnd([
            "--max-memory=64",
            "perl",
            "-e",
            '$x = "a" x 200_000_000; print "survived\n"',
          ]);
          assertEquals(hog.job.status, "FAILED", JSON.stringify(hog.job));
          assertEquals(hog.job.reason, "OOM killed");
          assertEquals((hog.job.usage as { oom_killed: boolean }).oom_killed, true);
          const small = await agent.runToEnd([
            "--max-memory=64",
            "perl",
            "-e",
            '$x = "a" x 20_000_000; print length($x)',
          ]);
          assertEquals(small.job.status, "COMPLETED");
          assertEquals(small.stdout.trim(), "20000000");
        },
      );

      await t.step("--timeout ends a job as TIMEOUT with exit code 124", async () => {
        const { job } = await agent.runToEnd(["--timeout=1s", "sleep", "30"]);
        assertEquals([job.status, job.exit_code], ["TIMEOUT", 124]);
      });

      await t.step("bad limit flags name the flag and create nothing", async () => {
        const before = (await agent.rnxJson<unknown[]>(["job", "list"])).length;
        for (
          const flag of [
            "--max-cpu=abc",
            "--max-memory=-1",
            "--cpu-cores=3-1",
            "--cpu-cores=999",
            "--max-iobps=1.5GB/s",
          ]
        ) {
          const r = await agent.rnx(["job", "run", flag, "true"]);
          assert(r.code !== 0, `${flag} was accepted`);
          assertStringIncludes(r.stderr, flag.split("=")[0]);
        }
        assertEquals((await agent.rnxJson<unknown[]>(["job", "list"])).length, before);
      });

      await t.step("job metrics: history then live samples until the job ends", async () => {
        const { id } = await agent.runJob(["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"]);
        await agent.waitFinished(id);
        const r = await agent.rnx(["job", "metrics", id, "--json"]);
        assertEquals(r.code, 0, r.stderr);
        const samples = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
        assert(samples.length >= 2, `expected a start and an end sample, got ${samples.length}`);
        const job = await agent.rnxJson(["job", "status", id]);
        assert((job.usage as { cpu_seconds: number }).cpu_seconds > 0, JSON.stringify(job.usage));
      });
    } finally {
      await agent.stop();
    }
  },
});
