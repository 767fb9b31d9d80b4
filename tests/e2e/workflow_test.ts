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

/**
 * Where an installed python-3.11 runtime is kept between runs (a copy of <state>/runtimes/python-3.11), so that
 * this test downloads it from the distribution's mirror only once per machine. tests/e2e/runtime_test.ts tests
 * the install itself.
 */
const RUNTIME_CACHE = Deno.env.get("JOBLET_E2E_RUNTIME_CACHE") ?? "/var/tmp/joblet-e2e-cache/runtimes";

function hasApt(): boolean {
  try {
    Deno.statSync("/usr/bin/apt-get");
    Deno.statSync("/usr/bin/dpkg-deb");
    return true;
  } catch {
    return false;
  }
}

async function cp(from: string, to: string): Promise<void> {
  const out = await new Deno.Command("cp", { args: ["-a", from, to], stderr: "piped" }).output();
  if (!out.success) throw new Error(`cp -a ${from} ${to}: ${new TextDecoder().decode(out.stderr)}`);
}

/** Gives the agent's state python-3.11: from the cache when there, else installed by rnx (and then cached). */
async function withPython(stateDir: string): Promise<TestAgent> {
  const cached = `${RUNTIME_CACHE}/python-3.11`;
  let fromCache = false;
  try {
    Deno.statSync(`${cached}/runtime.json`);
    Deno.mkdirSync(`${stateDir}/runtimes`, { recursive: true });
    await cp(cached, `${stateDir}/runtimes/python-3.11`);
    fromCache = true;
  } catch { /* not cached yet */ }
  const agent = await TestAgent.start({ stateDir });
  const [rt] = await agent.rnxJson<Array<{ name: string; installed: boolean }>>(["runtime", "list"])
    .then((l) => l.filter((r) => r.name === "python-3.11"));
  if (rt?.installed) return agent;
  if (fromCache) console.warn(`ignoring ${cached}: the agent did not take it`);
  const inst = await agent.rnx(["runtime", "install", "python-3.11"]);
  if (inst.code !== 0) throw new Error(`rnx runtime install python-3.11: ${inst.stderr}`);
  const tmp = `${RUNTIME_CACHE}/.new-${crypto.randomUUID().slice(0, 8)}`;
  Deno.mkdirSync(RUNTIME_CACHE, { recursive: true });
  await cp(`${stateDir}/runtimes/python-3.11`, tmp);
  try {
    Deno.removeSync(cached, { recursive: true });
  } catch { /* not cached */ }
  Deno.renameSync(tmp, cached);
  return agent;
}

Deno.test({
  name: "e2e: workflow jobs with runtime: and resources.max_disk:",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const stateDir = Deno.makeTempDirSync({ prefix: "joblet-e2e-" });
    const dir = Deno.makeTempDirSync({ prefix: "joblet-wf-" });
    const marker = `/usr/local/joblet-wf-marker-${crypto.randomUUID().slice(0, 8)}`;
    let agent: TestAgent | undefined;
    try {
      const apt = hasApt();
      agent = apt ? await withPython(stateDir) : await TestAgent.start({ stateDir });
      const a = agent;

      await t.step(
        "an unknown runtime is a validation error at its line, listing the installed ones",
        async () => {
          Deno.writeTextFileSync(
            `${dir}/bad.yaml`,
            "jobs:\n  ok:\n    command: 'true'\n  x:\n    command: python3\n    runtime: python-3.99\n",
          );
          const r = await a.rnx(["job", "run", `--workflow=${dir}/bad.yaml`]);
          assertEquals(r.code, 1, r.stderr);
          assertStringIncludes(
            r.stderr,
            `bad.yaml:6:14: x: runtime "python-3.99" is not installed (${
              apt ? "installed: python-3.11" : "none is installed"
            }`,
          );
          assertEquals(await a.rnxJson(["job", "list"]), [], "a job was created for an invalid workflow");
        },
      );

      await t.step("max_disk: sizes the job's /work; writing past it fails with ENOSPC", async () => {
        Deno.writeTextFileSync(
          `${dir}/disk.yaml`,
          "jobs:\n  fill:\n    command: sh\n" +
            "    args: ['-c', 'head -c 33554432 /dev/zero > /work/big; echo rc=$?']\n" +
            "    resources: { max_disk: 16MB }\n" +
            "  roomy:\n    command: sh\n    args: ['-c', 'head -c 33554432 /dev/zero > /work/big; echo rc=$?']\n",
        );
        const wf = await a.rnxJson<{ id: string }>(["job", "run", `--workflow=${dir}/disk.yaml`]);
        const jobs = byName(await settled(a, wf.id));
        const fill = await a.rnx(["job", "log", String(jobs.fill.id)]);
        assertEquals(fill.stdout, "rc=1\n");
        assertStringIncludes(fill.stderr, "No space left on device");
        assertEquals((await a.rnx(["job", "log", String(jobs.roomy.id)])).stdout, "rc=0\n");
      });

      await t.step({
        name: "runtime: python-3.11 runs the runtime's python3, not the host's /usr",
        ignore: !apt,
        fn: async () => {
          Deno.writeTextFileSync(marker, "");
          Deno.writeTextFileSync(
            `${dir}/py.yaml`,
            "jobs:\n  py:\n    command: sh\n" +
              `    args: ['-c', 'test ! -e ${marker} && python3 -c "import sys; print(sys.version_info[:2])"']\n` +
              "    runtime: python-3.11\n",
          );
          const wf = await a.rnxJson<{ id: string }>(["job", "run", `--workflow=${dir}/py.yaml`]);
          const py = byName(await settled(a, wf.id)).py;
          assertEquals(py.status, "COMPLETED");
          assertEquals((await a.rnx(["job", "log", String(py.id)])).stdout, "(3, 11)\n");
          assertEquals((await a.rnxJson(["job", "status", String(py.id)])).runtime, "python-3.11");
        },
      });
    } finally {
      await agent?.stop();
      Deno.removeSync(dir, { recursive: true });
      try {
        Deno.removeSync(marker);
      } catch { /* not made */ }
    }
  },
});
