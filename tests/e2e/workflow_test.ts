/** Workflows through rnx against a real agent: order, parallel start, cascade, validation, --detail, restart. */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

type Wf = { id: string; status: string; yaml: string; jobs: Record<string, unknown>[] };

const PIPELINE = `# the seed's ml-pipeline shape, with small real commands
jobs:
  data-extraction:
    command: sh
    args: ["-c", "sleep 0.5; cat extract.txt"]
    uploads:
      files: ["extract.txt"]
  feature-store:
    command: sh
    args: ["-c", "sleep 0.5; echo features"]
  model-training:
    command: sh
    args: ["-c", "echo training"]
    resources:
      max_memory: 64MB
    requires:
      - data-extraction: "COMPLETED"
      - feature-store: "COMPLETED"
  failing-eval:
    command: sh
    args: ["-c", "exit 4"]
    requires:
      - model-training: "COMPLETED"
  deploy:
    command: "true"
    requires:
      - failing-eval: "COMPLETED"
  notify:
    command: "true"
    requires:
      - deploy: "COMPLETED"
  cleanup:
    command: "true"
    requires:
      - failing-eval: "FAILED"
`;

async function settled(agent: TestAgent, id: string): Promise<Wf> {
  for (let i = 0; i < 300; i++) {
    const wf = await agent.rnxJson<Wf>(["job", "status", "--workflow", id]);
    if (["COMPLETED", "FAILED", "CANCELED"].includes(wf.status)) return wf;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workflow ${id} did not finish`);
}

const byName = (wf: Wf) => Object.fromEntries(wf.jobs.map((j) => [String(j.workflow_job), j]));
const ms = (t: unknown) => Date.parse(String(t));

Deno.test({
  name: "e2e: workflows",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    const dir = Deno.makeTempDirSync({ prefix: "joblet-wf-" });
    const file = `${dir}/ml-pipeline.yaml`;
    Deno.writeTextFileSync(file, PIPELINE);
    Deno.writeTextFileSync(`${dir}/extract.txt`, "extracted\n");
    try {
      let wfId = "";
      await t.step(
        "order by timestamps, parallel start, FAILED cascades to CANCELED, clean-up runs",
        async () => {
          const started = await agent.rnxJson<Wf>(["job", "run", `--workflow=${file}`]);
          wfId = started.id;
          const wf = await settled(agent, wfId);
          const j = byName(wf);
          const status = Object.fromEntries(Object.entries(j).map(([k, v]) => [k, v.status]));
          assertEquals(status, {
            "data-extraction": "COMPLETED",
            "feature-store": "COMPLETED",
            "model-training": "COMPLETED",
            "failing-eval": "FAILED",
            deploy: "CANCELED",
            notify: "CANCELED",
            cleanup: "COMPLETED",
          });
          assertEquals(wf.status, "FAILED");
          for (const dep of ["data-extraction", "feature-store"]) {
            assert(
              ms(j["model-training"].start_time) >= ms(j[dep].end_time),
              `training started before ${dep}`,
            );
          }
          const gap = Math.abs(ms(j["data-extraction"].start_time) - ms(j["feature-store"].start_time));
          assert(gap < 400, `independent jobs started ${gap} ms apart`);
          const log = await agent.rnx(["job", "log", String(j["data-extraction"].id)]);
          assertEquals(log.stdout, "extracted\n");
        },
      );

      await t.step(
        "status table, --detail prints the YAML verbatim, list --workflow shows progress",
        async () => {
          const human = await agent.rnx(["job", "status", "--workflow", wfId]);
          assertStringIncludes(human.stdout, "JOB UUID");
          assertStringIncludes(human.stdout, "DEPENDENCIES");
          assertStringIncludes(human.stdout, "model-training");
          const detail = await agent.rnx(["job", "status", "--workflow", wfId, "--detail"]);
          assertStringIncludes(detail.stdout, PIPELINE);
          const list = await agent.rnx(["job", "list", "--workflow"]);
          assertStringIncludes(list.stdout, "ml-pipeline");
          assertStringIncludes(list.stdout, "7/7");
        },
      );

      await t.step(
        "validation errors carry line numbers: cycle, unknown dependency, typo'd key",
        async () => {
          const bad = `${dir}/bad.yaml`;
          Deno.writeTextFileSync(
            bad,
            "jobs:\n  a:\n    command: echo\n    requires: [{ b: COMPLETED }]\n  b:\n    command: echo\n" +
              "    requires: [{ a: COMPLETED }]\n  c:\n    comand: echo\n  d:\n    command: echo\n" +
              "    requires: [{ nope: COMPLETED }]\n",
          );
          const before = (await agent.rnxJson<unknown[]>(["job", "list"])).length;
          const r = await agent.rnx(["job", "run", `--workflow=${bad}`]);
          assert(r.code !== 0);
          assertStringIncludes(r.stderr, "bad.yaml:4:5: dependency cycle: a → b → a");
          assertStringIncludes(r.stderr, 'bad.yaml:9:5: unknown key "comand" (did you mean "command"?)');
          assertStringIncludes(r.stderr, 'bad.yaml:12:18: d requires "nope"');
          assertEquals((await agent.rnxJson<unknown[]>(["job", "list"])).length, before);
        },
      );

      await t.step("agent restart in the middle of a workflow: it carries on", async () => {
        const f = `${dir}/restart.yaml`;
        Deno.writeTextFileSync(
          f,
          "jobs:\n  first:\n    command: sleep\n    args: ['2']\n    retries: 1\n    retry_delay: 0s\n" +
            "  second:\n    command: 'true'\n    requires: [{ first: COMPLETED }]\n",
        );
        const wf = await agent.rnxJson<Wf>(["job", "run", `--workflow=${f}`]);
        await new Promise((r) => setTimeout(r, 500));
        await agent.crash();
        await agent.restart();
        const done = await settled(agent, wf.id);
        const j = byName(done);
        assertEquals([done.status, j.first.status, j.second.status], ["COMPLETED", "COMPLETED", "COMPLETED"]);
        assertEquals((j.first.attempts as unknown[]).length, 1);
      });

      await t.step("stop --workflow stops running jobs and cancels pending ones", async () => {
        const f = `${dir}/stop.yaml`;
        Deno.writeTextFileSync(
          f,
          "jobs:\n  long:\n    command: sleep\n    args: ['30']\n  after:\n" +
            "    command: 'true'\n    requires: [{ long: COMPLETED }]\n",
        );
        const wf = await agent.rnxJson<Wf>(["job", "run", `--workflow=${f}`]);
        const stopped = await agent.rnxJson<Wf>(["job", "stop", "--workflow", wf.id]);
        const j = byName(stopped);
        assertEquals([stopped.status, j.long.status, j.after.status], ["CANCELED", "STOPPED", "CANCELED"]);
      });
    } finally {
      await agent.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
