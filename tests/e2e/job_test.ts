/** A user's first steps: run jobs with rnx against a real agent and see their output, status and exit codes. */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

const ignore = skip("root", "cgroup");
let agent: TestAgent;

Deno.test({
  name: "e2e: jobs",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    agent = await TestAgent.start();
    try {
      await t.step("a first job prints its output and completes with exit code 0", async () => {
        const r = await agent.rnx(["job", "run", "echo", "Hello, Joblet!"]);
        assertEquals(r.code, 0, r.stderr);
        const id = r.stdout.match(/[0-9a-f]{8}-[0-9a-f-]{27}/)?.[0];
        assert(id, `no job id in: ${r.stdout}`);
        const job = await agent.waitFinished(id);
        assertEquals([job.status, job.exit_code], ["COMPLETED", 0]);
        const log = await agent.rnx(["job", "log", id]);
        assertEquals(log.stdout, "Hello, Joblet!\n");
      });

      await t.step("everything after the command is passed verbatim", async () => {
        const { stdout } = await agent.runToEnd(["sh", "-c", "echo $1 $2", "--", "a", "b"]);
        assertEquals(stdout, "a b\n");
        const ls = await agent.runToEnd(["ls", "-la", "/work"]);
        assertEquals(ls.job.status, "COMPLETED");
      });

      await t.step("the job sees only itself: PID 1, its own hostname, nobody, loopback only", async () => {
        const { job, stdout } = await agent.runToEnd([
          "sh",
          "-c",
          "ls /proc | grep -c '^[0-9]'; hostname; id -u; id -g; cat /proc/net/dev | tail -n +3 | cut -d: -f1; pwd; " +
          "test -e /etc/shadow && echo shadow; test -e /home && echo home; test -e /root && echo root; " +
          "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status",
        ]);
        const lines = stdout.trim().split("\n").map((l) => l.trim());
        assert(Number(lines[0]) <= 5, `expected only the job's processes, got ${lines[0]}: ${stdout}`);
        assertEquals(lines[1], String(job.id).slice(0, 8));
        assertEquals(lines.slice(2, 4), ["65534", "65534"]);
        assertEquals(lines[4], "lo");
        assertEquals(lines[5], "/work");
        assert(!stdout.includes("shadow") && !/^home$/m.test(stdout) && !/^root$/m.test(stdout), stdout);
        assertMatch(stdout, /CapEff:\s+0+\n/);
        assertMatch(stdout, /NoNewPrivs:\s+1/);
      });

      await t.step(
        "the environment is exactly the base plus the user's variables; secrets show as ***",
        async () => {
          const { id } = await agent.runJob(["-e", "GREETING=hi", "-s", "TOKEN=s3cret", "env"]);
          const job = await agent.waitFinished(id);
          const log = await agent.rnx(["job", "log", id]);
          assertEquals(
            log.stdout.trim().split("\n").sort(),
            [
              "GREETING=hi",
              "HOME=/work",
              "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
              "PWD=/work",
              "TOKEN=s3cret",
              "USER=nobody",
            ],
          );
          assert(!JSON.stringify(job).includes("s3cret"), "secret leaked into status JSON");
          const human = await agent.rnx(["job", "status", id]);
          assert(!human.stdout.includes("s3cret") && human.stdout.includes("***"), human.stdout);
        },
      );

      await t.step("stdout and stderr stay apart", async () => {
        const { stdout, stderr } = await agent.runToEnd(["sh", "-c", "echo out; echo err >&2"]);
        assertEquals(stdout, "out\n");
        assertEquals(stderr, "err\n");
      });

      await t.step("exit codes come back; a missing command fails with 'command not found'", async () => {
        const three = await agent.runToEnd(["sh", "-c", "exit 3"]);
        assertEquals([three.job.status, three.job.exit_code], ["FAILED", 3]);
        const missing = await agent.runToEnd(["no-such-command-xyz"]);
        assertEquals(missing.job.status, "FAILED");
        assertStringIncludes(missing.stderr, "command not found");
        assertStringIncludes(String(missing.job.reason), "command not found");
      });

      await t.step("/usr is read-only and /work is writable", async () => {
        const { stdout } = await agent.runToEnd([
          "sh",
          "-c",
          "touch /usr/x 2>/dev/null && echo usr-writable; echo data > /work/f && cat /work/f",
        ]);
        assertEquals(stdout, "data\n");
      });

      await t.step("stop ends the whole process tree: SIGTERM, then SIGKILL after the grace", async () => {
        const { id } = await agent.runJob(["sh", "-c", "trap '' TERM; sleep 1000 & sleep 1000 & wait"]);
        await waitStatus(id, "RUNNING");
        const pid = Number((await agent.rnxJson(["job", "status", id])).pid);
        const r = await agent.rnx(["job", "stop", id, "--grace", "1"]);
        assertEquals(r.code, 0, r.stderr);
        const job = await agent.waitFinished(id);
        assertEquals(job.status, "STOPPED");
        let alive = true;
        try {
          Deno.statSync(`/proc/${pid}`);
        } catch {
          alive = false;
        }
        assert(!alive, "the job's PID 1 survived stop");
      });

      await t.step(
        "ids: unique prefixes work, unknown ids fail with 'not found', malformed ids are usage errors",
        async () => {
          const { id } = await agent.runJob(["true"]);
          await agent.waitFinished(id);
          const byPrefix = await agent.rnxJson(["job", "status", id.slice(0, 13)]);
          assertEquals(byPrefix.id, id);
          const unknown = await agent.rnx(["job", "status", "ffffffff-ffff"]);
          assertEquals(unknown.code, 1);
          assertStringIncludes(unknown.stderr, "not found");
          const bad = await agent.rnx(["job", "status", "not/an-id"]);
          assertEquals(bad.code, 2);
        },
      );

      await t.step("delete removes a finished job and refuses a running one", async () => {
        const { id } = await agent.runJob(["sleep", "30"]);
        await waitStatus(id, "RUNNING");
        const refused = await agent.rnx(["job", "delete", id]);
        assertEquals(refused.code, 1);
        await agent.rnx(["job", "stop", id, "--grace", "1"]);
        await agent.waitFinished(id);
        assertEquals((await agent.rnx(["job", "delete", id])).code, 0);
        assertEquals((await agent.rnx(["job", "status", id])).code, 1);
      });

      await t.step("usage errors exit 2: unknown flag, missing command, bad env name", async () => {
        assertEquals((await agent.rnx(["job", "run", "--no-such-flag", "true"])).code, 2);
        assertEquals((await agent.rnx(["job", "run"])).code, 2);
        const env = await agent.rnx(["job", "run", "-e", "1BAD=x", "true"]);
        assertEquals(env.code, 2);
        assertStringIncludes(env.stderr, "1BAD");
      });

      await t.step("list shows every job, as a table and as JSON", async () => {
        const list = await agent.rnxJson<Record<string, unknown>[]>(["job", "list"]);
        assert(list.length >= 8, `expected the earlier jobs, got ${list.length}`);
        const table = await agent.rnx(["job", "list"]);
        assertMatch(table.stdout, /ID\s+NAME\s+STATUS/);
      });
    } finally {
      await agent.stop();
    }
  },
});

async function waitStatus(id: string, status: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const job = await agent.rnxJson(["job", "status", id]);
    if (job.status === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never reached ${status}`);
}
