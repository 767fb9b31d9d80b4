/** `--max-disk` sizes one job's /work even where the agent's default is no limit; bad sizes are usage errors. */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

Deno.test({
  name: "e2e: --max-disk=16MB gives a 16 MB /work (ENOSPC past it); bad sizes exit 2 and create nothing",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    try {
      const full = await agent.runToEnd([
        "--max-disk=16MB",
        "sh",
        "-c",
        "head -c 33554432 /dev/zero > /work/big; echo rc=$?; df -k /work | tail -1",
      ]);
      assertStringIncludes(full.stdout, "rc=1");
      assertStringIncludes(full.stderr, "No space left on device");
      const free = await agent.runToEnd(["sh", "-c", "head -c 33554432 /dev/zero > /work/big; echo rc=$?"]);
      assertEquals(free.stdout, "rc=0\n");
      const bad = await agent.rnx(["job", "run", "--max-disk=10XB", "true"]);
      assertEquals(bad.code, 2);
      assertStringIncludes(bad.stderr, "--max-disk");
      assert((await agent.rnxJson<unknown[]>(["job", "list"])).length === 2);
    } finally {
      await agent.stop();
    }
  },
});
