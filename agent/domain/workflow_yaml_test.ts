import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import { didYouMean, parseWorkflow } from "./workflow_yaml.ts";

const ML = `jobs:
  data-extraction:
    command: "python3"
    args: ["extract.py", 3]
    uploads:
      files: ["extract.py"]
    resources:
      max_cpu: 50
      max_memory: 512
      max_io_bps: 10MB
    environment:
      STAGE: 1
  data-validation:
    command: "python3"
    args: ["validate.py"]
    retries: 2
    retry_delay: 5s
    requires:
      - data-extraction: "COMPLETED"
  cleanup:
    command: "sh"
    requires:
      - data-validation: FAILED
`;

Deno.test("parseWorkflow() reads the seed's ml-pipeline shape in file order", () => {
  const w = parseWorkflow(ML, "dir/ml-pipeline.yaml");
  assertEquals(w.name, "ml-pipeline");
  assertEquals(w.jobs.map((j) => j.name), ["data-extraction", "data-validation", "cleanup"]);
  const [a, b, c] = w.jobs;
  assertEquals(a.spec.args, ["extract.py", "3"]);
  assertEquals(a.spec.env, { STAGE: "1" });
  assertEquals(a.spec.limits, { cpuPercent: 50, memoryBytes: 512 * 1024 ** 2, ioBps: 10 * 1024 ** 2 });
  assertEquals(a.uploads, ["extract.py"]);
  assertEquals(b.requires, [{ job: "data-extraction", status: "COMPLETED" }]);
  assertEquals(b.spec.retry, { retries: 2, delayMs: 5000, noRetryOn: [] });
  assertEquals(c.requires, [{ job: "data-validation", status: "FAILED" }]);
});

function errorsOf(yaml: string): string {
  try {
    parseWorkflow(yaml, "wf.yaml");
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the workflow to be rejected");
}

Deno.test("parseWorkflow() reports every problem at once with file:line:col", () => {
  const msg = errorsOf(`jobs:
  a:
    comand: echo
  b:
    command: echo
    requires:
      - c: COMPLETED
  d:
    command: echo
    environment: { 1BAD: x, SAME: y }
    secret_environment: { SAME: z }
  e:
    command: echo
    network: bad;net
`);
  assert(msg.includes("(6 problems)"), msg);
  assert(msg.includes("wf.yaml:3:5: jobs.a.command: command is required"), msg);
  assert(msg.includes('wf.yaml:3:5: unknown key "comand" (did you mean "command"?)'), msg);
  assert(msg.includes('wf.yaml:7:9: b requires "c", which is not a job in this workflow'), msg);
  assert(
    msg.includes("wf.yaml:14:14: jobs.e.network: network must be 1-32 letters, digits, '-' or '_'"),
    msg,
  );
  assert(msg.includes('d: environment name "1BAD" is not valid'), msg);
  assert(msg.includes('"SAME" is in both environment and secret_environment'), msg);
});

Deno.test("parseWorkflow() names a dependency cycle", () => {
  const msg = errorsOf(`jobs:
  a:
    command: echo
    requires: [{ c: COMPLETED }]
  b:
    command: echo
    requires: [{ a: COMPLETED }]
  c:
    command: echo
    requires: [{ b: COMPLETED }]
`);
  assert(msg.includes("wf.yaml:4:5: dependency cycle: a → c → b → a"), msg);
});

Deno.test("parseWorkflow() reports YAML syntax errors and a missing command with positions", () => {
  assert(/wf\.yaml:\d+:\d+: Flow sequence/.test(errorsOf("jobs:\n  a: [unclosed\n")));
  const msg = errorsOf("jobs:\n  a:\n    args: [x]\n");
  assert(msg.includes("wf.yaml:3:5: jobs.a.command: command is required"), msg);
  assertThrows(
    () => parseWorkflow("jobs:\n  a:\n    command: x\n    resources: { max_memory: 12XB }\n", "w"),
    /12XB/,
  );
});

Deno.test("didYouMean() suggests only close words", () => {
  assertEquals(didYouMean("requries", ["requires", "retries"]), "requires");
  assertEquals(didYouMean("zzz", ["requires"]), undefined);
});

Deno.test("parseWorkflow() reads volumes as NAME or NAME:ro and reports a bad one at its line", () => {
  const wf = parseWorkflow(
    "jobs:\n  a:\n    command: cat\n    volumes: [results, 'models:ro']\n  b:\n    command: ls\n",
    "v.yaml",
  );
  assertEquals(wf.jobs[0].spec.volumes, [
    { name: "results", readOnly: false },
    { name: "models", readOnly: true },
  ]);
  assertEquals(wf.jobs[1].spec.volumes, undefined);
  const msg = errorsOf(
    "jobs:\n  a:\n    command: cat\n    volumes:\n      - x/../y\n      - ok\n      - ok:ro\n",
  );
  assert(msg.includes('wf.yaml:5:9: a: volume "x/../y" must be NAME or NAME:ro'), msg);
  assert(msg.includes('wf.yaml:7:9: a: volume "ok" is listed twice'), msg);
});

Deno.test("parseWorkflow() gives each job the network it names, and none to jobs that name none", () => {
  const wf = parseWorkflow(
    "jobs:\n  api:\n    command: srv\n    network: backend\n  cli:\n    command: c\n",
    "w.yaml",
  );
  assertEquals(wf.jobs.map((j) => j.spec.network), ["backend", undefined]);
});

Deno.test("parseWorkflow() gives a job its runtime and its /work size from resources.max_disk", () => {
  const wf = parseWorkflow(
    "jobs:\n  a:\n    command: python3\n    runtime: python-3.11\n    resources: { max_disk: 64MB }\n" +
      "  b:\n    command: ls\n",
    "w.yaml",
  );
  assertEquals([wf.jobs[0].spec.runtime, wf.jobs[0].spec.maxDiskBytes], ["python-3.11", 64 * 1024 ** 2]);
  assertEquals([wf.jobs[1].spec.runtime, wf.jobs[1].spec.maxDiskBytes], [undefined, undefined]);
});

Deno.test("parseWorkflow() gives a job its network rate from resources.max_net_bw and reports a bad one at its line", () => {
  const wf = parseWorkflow(
    "jobs:\n  a:\n    command: x\n    network: bridge\n    resources: { max_net_bw: 8mbit }\n",
    "w.yaml",
  );
  assertEquals(wf.jobs[0].spec.maxNetBwBytes, 1_000_000);
  const msg = errorsOf("jobs:\n  a:\n    command: x\n    resources:\n      max_net_bw: fast\n");
  assert(msg.includes("wf.yaml:5:19: a:") && msg.includes("max_net_bw"), msg);
});

Deno.test("parseWorkflow() reports a bad max_disk and a malformed runtime name at their lines", () => {
  const msg = errorsOf(
    "jobs:\n  a:\n    command: x\n    resources:\n      max_disk: 10XB\n" +
      "  b:\n    command: x\n    runtime: Python 3\n  c:\n    command: x\n    resources: { max_disk: 1MB }\n",
  );
  assert(msg.includes('wf.yaml:5:17: a: max_disk "10XB" is not a size'), msg);
  assert(msg.includes('wf.yaml:8:14: b: runtime "Python 3" is not a runtime name'), msg);
  assert(msg.includes('c: max_disk "1MB" is too small (at least 8MB)'), msg);
});

const NODE = {
  runtime: (r: string) => {
    if (r !== "python-3.11") throw new Error(`runtime "${r}" is not installed (installed: python-3.11)`);
  },
  volume: (m: { name: string }) => {
    if (m.name !== "data") throw new Error(`volume "${m.name}" does not exist`);
  },
  network: (n: string) => {
    if (n !== "bridge") throw new Error(`network "${n}" does not exist`);
  },
};

Deno.test("parseWorkflow() with the node's checks reports unknown runtimes, volumes and networks at once", () => {
  const yaml = "jobs:\n  a:\n    command: x\n    runtime: python-3.12\n    volumes: [data, nope]\n" +
    "  b:\n    command: x\n    network: mesh\n    runtime: python-3.11\n";
  const msg = (() => {
    try {
      parseWorkflow(yaml, "wf.yaml", { node: NODE });
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error("expected the workflow to be rejected");
  })();
  assert(msg.includes("(3 problems)"), msg);
  assert(
    msg.includes('wf.yaml:4:14: a: runtime "python-3.12" is not installed (installed: python-3.11)'),
    msg,
  );
  assert(msg.includes('wf.yaml:5:21: a: volume "nope" does not exist'), msg);
  assert(msg.includes('wf.yaml:8:14: b: network "mesh" does not exist'), msg);
  // Without the node's checks (rnx) the same file is valid; with `only`, only that job is checked.
  assertEquals(parseWorkflow(yaml, "wf.yaml").jobs.length, 2);
  assertThrows(() => parseWorkflow(yaml, "wf.yaml", { node: NODE, only: "b" }), /network "mesh"/);
  assertEquals(
    parseWorkflow(yaml.replace("mesh", "bridge"), "wf.yaml", { node: NODE, only: "b" }).jobs.length,
    2,
  );
});
