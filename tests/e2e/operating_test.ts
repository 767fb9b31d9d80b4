/**
 * Operating the agent: structured JSON logs for job transitions and denied calls (and no secrets in them), the
 * grpc.health.v1 service, /healthz, SIGHUP reloading the log level, and SIGTERM with a running job finishing
 * within 10 s with the job STOPPED.
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { skip } from "../_requires.ts";
import { AGENT_MAIN, TestAgent } from "./_agent.ts";
import { HealthCheckResponse_ServingStatus, HealthClient } from "../../proto/gen/health.ts";

function logEvents(output: string): Record<string, unknown>[] {
  return output.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test({
  name: "e2e: JSON logs, health, /healthz, SIGHUP and SIGTERM with a running job",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const dir = Deno.makeTempDirSync({ prefix: "joblet-op-" });
    const configFile = join(dir, "joblet.yml");
    Deno.writeTextFileSync(
      configFile,
      "metrics:\n  listen: 127.0.0.1:0\nnetwork:\n  default: none\nlog:\n  format: json\n  level: info\n",
    );
    const agent = await TestAgent.start({ extraArgs: ["--config", configFile] });
    try {
      const events = () => logEvents(agent.output);
      const pki = (f: string) => Buffer.from(Deno.readTextFileSync(join(agent.stateDir, "pki", f)));

      await t.step("every job transition is a JSON log line, without the secret", async () => {
        const { job } = await agent.runToEnd(["--secret-env", "API_TOKEN=hunter2", "--env", "A=1", "true"]);
        assertEquals(job.status, "COMPLETED");
        await waitFor(
          () => events().some((e) => e.id === job.id && e.status === "COMPLETED"),
          "COMPLETED event",
        );
        const mine = events().filter((e) => e.id === job.id).map((e) => `${e.msg}:${e.status}`);
        assertEquals(mine, ["job created:INITIALIZING", "job status:RUNNING", "job status:COMPLETED"]);
        assertEquals(agent.output.includes("hunter2"), false);
      });

      await t.step("a denied call is logged with who and what", async () => {
        const out = join(agent.stateDir, "rita.yml");
        const issued = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", AGENT_MAIN, "certs", "issue", "--name", "rita", "--role", "readonly"]
            .concat(["--state-dir", agent.stateDir, "--address", `localhost:${agent.port}`, "--out", out]),
          stdout: "null",
          stderr: "piped",
        }).output();
        assertEquals(issued.code, 0, new TextDecoder().decode(issued.stderr));
        assertEquals((await agent.rnx(["job", "run", "true"], { env: { RNX_CONFIG: out } })).code, 1);
        await waitFor(() => events().some((e) => e.msg === "call denied"), "call denied");
        const denied = events().find((e) => e.msg === "call denied")!;
        assertEquals([denied.level, denied.who, denied.role, denied.method], [
          "warn",
          "rita",
          "readonly",
          "/joblet.v1.JobService/RunJob",
        ]);
      });

      await t.step(
        "grpc.health.v1 says SERVING, for the agent and for JobService; /healthz says ok",
        async () => {
          const client = new HealthClient(
            `localhost:${agent.port}`,
            grpc.credentials.createSsl(pki("ca.crt"), pki("admin.key"), pki("admin.crt")),
          );
          const check = (service: string) =>
            new Promise<number>((resolve, reject) =>
              client.check({ service }, (err, res) => err ? reject(err) : resolve(res!.status))
            );
          try {
            assertEquals(await check(""), HealthCheckResponse_ServingStatus.SERVING);
            assertEquals(await check("joblet.v1.JobService"), HealthCheckResponse_ServingStatus.SERVING);
            const unknown = await check("nope").then(() => 0, (e) => (e as grpc.ServiceError).code);
            assertEquals(unknown, grpc.status.NOT_FOUND);
          } finally {
            client.close();
          }
          const addr = agent.output.match(/metrics on http:\/\/(\S+)\/metrics/)![1];
          const res = await fetch(`http://${addr}/healthz`);
          assertEquals([res.status, await res.text()], [200, "ok\n"]);
        },
      );

      await t.step(
        "SIGHUP reloads the log level; a bad file is refused and the old settings stay",
        async () => {
          Deno.writeTextFileSync(
            configFile,
            "metrics:\n  listen: 127.0.0.1:0\nnetwork:\n  default: none\nlog:\n  format: json\n  level: warn\n",
          );
          Deno.kill(agent.pid, "SIGHUP");
          await waitFor(() => events().some((e) => e.msg === "SIGHUP: config reloaded"), "reload");
          const reloaded = events().find((e) => e.msg === "SIGHUP: config reloaded")!;
          assertEquals(reloaded.applied, "log");
          const before = events().length;
          await agent.runToEnd(["true"]);
          assertEquals(events().slice(before).filter((e) => e.level === "info"), []);
          Deno.writeTextFileSync(configFile, "log:\n  level: loud\n");
          Deno.kill(agent.pid, "SIGHUP");
          await waitFor(
            () => events().some((e) => e.msg === "SIGHUP: config not reloaded, the old settings stay"),
            "refusal",
          );
        },
      );

      await t.step("SIGTERM with a running job: exit 0 within 10 s, the job STOPPED", async () => {
        const { id } = await agent.runJob(["sleep", "300"]);
        const t0 = performance.now();
        await agent.stop({ keepState: true });
        const ms = Math.round(performance.now() - t0);
        console.log(`SIGTERM with a running job → exit: ${ms} ms`);
        assert(ms < 10_000, `${ms} ms`);
        const after = await TestAgent.start({ stateDir: agent.stateDir });
        try {
          const job = await after.rnxJson(["job", "status", id]);
          assertEquals(job.status, "STOPPED");
          assertMatch(String(job.reason ?? ""), /agent shutdown/);
        } finally {
          await after.stop({ keepState: true });
        }
      });
    } finally {
      await agent.stop().catch(() => {});
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
