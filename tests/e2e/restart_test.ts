/** Nothing is lost across restarts: kill -9 the agent, start it again, and every job is still there. */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

Deno.test({
  name: "e2e: after kill -9 and a restart, every job, its output and exit code are still there",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    try {
      const done = await agent.runJob(["sh", "-c", "seq 1 5000; echo bye >&2; exit 7"]);
      await agent.waitFinished(done.id);
      const running = await agent.runJob(["sleep", "1000"]);
      await waitRunning(agent, running.id);
      const pid = Number((await agent.rnxJson(["job", "status", running.id])).pid);
      assert(pid > 0);

      await agent.crash();
      await agent.restart();

      const after = await agent.rnxJson(["job", "status", done.id]);
      assertEquals([after.status, after.exit_code], ["FAILED", 7]);
      const log = await agent.rnx(["job", "log", done.id]);
      assertEquals(log.stdout.trim().split("\n").length, 5000);
      assertEquals(log.stderr, "bye\n");

      const orphan = await agent.rnxJson(["job", "status", running.id]);
      assertEquals(orphan.status, "FAILED");
      assertStringIncludes(String(orphan.reason), "agent restarted");
      assert(!isRunning(pid), "the job that ran during the crash was left running unsupervised");

      const list = await agent.rnxJson<unknown[]>(["job", "list"]);
      assertEquals(list.length, 2);
    } finally {
      await agent.stop();
    }
  },
});

async function waitRunning(agent: TestAgent, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await agent.rnxJson(["job", "status", id])).status === "RUNNING") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} never ran`);
}

/** True while `pid` exists and is not a zombie (an orphan may wait a while for its new parent to reap it). */
export function isRunning(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
