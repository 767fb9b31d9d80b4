/**
 * A host without usable cgroups (simulated: the agent runs in a mount namespace where /sys/fs/cgroup is
 * unmounted): the agent refuses to start, saying how to run without limits; with `limits.disabled` it runs jobs
 * without limits, refuses explicit limits, and still stops jobs.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { AGENT_MAIN, TestAgent } from "./_agent.ts";

const HIDE_CGROUPS = [
  "unshare",
  "--mount",
  "--propagation",
  "private",
  "sh",
  "-c",
  'umount -R /sys/fs/cgroup && exec "$@"',
  "sh",
];

Deno.test({
  name:
    "e2e: without cgroups the agent refuses to start unless limits.disabled, then runs jobs without limits",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "joblet-e2e-" });
    const refused = await new Deno.Command(HIDE_CGROUPS[0], {
      args: [
        ...HIDE_CGROUPS.slice(1),
        Deno.execPath(),
        "run",
        "-A",
        AGENT_MAIN,
        "serve",
        "--state-dir",
        dir,
        "--listen",
        "127.0.0.1:0",
        "--rnx-config",
        "none",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(refused.code, 1);
    assertStringIncludes(new TextDecoder().decode(refused.stderr), "limits: { disabled: true }");

    const config = join(dir, "joblet.yml");
    Deno.writeTextFileSync(config, "limits:\n  disabled: true\nnetwork:\n  default: none\n");
    const agent = await TestAgent.start({
      stateDir: dir,
      extraArgs: ["--config", config],
      wrap: HIDE_CGROUPS,
    });
    try {
      const ok = await agent.runToEnd(["sh", "-c", "echo no limits here"]);
      assertEquals([ok.job.status, ok.stdout], ["COMPLETED", "no limits here\n"]);
      const limited = await agent.rnx(["job", "run", "--max-memory=64", "true"]);
      assert(limited.code !== 0);
      assertStringIncludes(limited.stderr, "limits.disabled");
      const { id } = await agent.runJob(["sh", "-c", "sleep 1000 & sleep 1000"]);
      assertEquals((await agent.rnx(["job", "stop", id, "--grace", "1"])).code, 0);
      assertEquals((await agent.waitFinished(id)).status, "STOPPED");
    } finally {
      await agent.stop();
    }
  },
});
