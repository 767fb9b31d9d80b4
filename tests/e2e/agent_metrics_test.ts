/** The agent serves Prometheus metrics when its config says so, with per-job series for running jobs. */
import { join } from "node:path";
import { assert, assertMatch, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

Deno.test({
  name: "e2e: metrics.listen serves /metrics with host, job-count and running-job series",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "joblet-e2e-" });
    const config = join(dir, "joblet.yml");
    Deno.writeTextFileSync(
      config,
      "metrics:\n  listen: 127.0.0.1:0\n  sample_interval: 1s\nnetwork:\n  default: none\n",
    );
    const agent = await TestAgent.start({ stateDir: dir, extraArgs: ["--config", config] });
    try {
      const address = agent.output.match(/prometheus metrics on http:\/\/(\S+)\/metrics/)?.[1];
      assert(address, `no metrics address in the agent's output:\n${agent.output}`);
      const { id } = await agent.runJob(["--name", "sleeper", "sleep", "30"]);
      await new Promise((r) => setTimeout(r, 1500));
      const text = await (await fetch(`http://${address}/metrics`)).text();
      assertStringIncludes(text, "# TYPE joblet_jobs gauge");
      assertMatch(text, /joblet_jobs\{status="RUNNING"\} 1/);
      assertMatch(text, new RegExp(`job_id="${id}"`));
      assertStringIncludes(text, 'job_name="sleeper"');
      const top = await agent.rnxJson<{ jobs: { id: string; name: string }[] }>(["monitor", "top"]);
      assert(top.jobs.some((j) => j.id === id && j.name === "sleeper"), JSON.stringify(top.jobs));
      const status = await agent.rnx(["monitor", "status"]);
      assertStringIncludes(status.stdout, "1 running");
      await agent.rnx(["job", "stop", id, "--grace", "1"]);
    } finally {
      await agent.stop();
    }
  },
});
