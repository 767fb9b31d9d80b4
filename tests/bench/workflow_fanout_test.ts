import { assertEquals } from "../assert.ts";
import { parseWorkflow } from "../../agent/domain/workflow_yaml.ts";
import { chainHandoffs, chainYaml, fanOutHandoffs, fanOutYaml } from "./workflow_fanout.ts";

Deno.test("fanOutYaml() is a valid workflow: one job, 198 that require it, one that requires all 198", () => {
  const wf = parseWorkflow(fanOutYaml(200), "fanout.yaml");
  assertEquals(wf.jobs.length, 200);
  const by = new Map(wf.jobs.map((j) => [j.name, j]));
  assertEquals(by.get("src")!.requires, []);
  assertEquals(by.get("w198")!.requires, [{ job: "src", status: "COMPLETED" }]);
  assertEquals(by.get("sink")!.requires.length, 198);
});

Deno.test("chainYaml() is a valid chain where each job requires the one before", () => {
  const wf = parseWorkflow(chainYaml(10), "chain.yaml");
  assertEquals(wf.jobs.map((j) => j.requires.map((r) => r.job).join()), [
    "",
    ...Array.from({ length: 9 }, (_, i) => `c0${i + 1}`),
  ]);
});

const t = (ms: number) => new Date(ms).toISOString();
const job = (name: string, start: number, end: number) => ({
  workflow_job: name,
  status: "COMPLETED",
  start_time: t(start),
  end_time: t(end),
});

Deno.test("hand-offs are the dependant's start minus its dependency's end (the last one, for fan-in)", () => {
  const wf = { id: "w", status: "COMPLETED", start_time: t(0), end_time: t(900) };
  const fan = fanOutHandoffs({
    ...wf,
    jobs: [job("src", 0, 100), job("w001", 110, 300), job("w002", 150, 500), job("sink", 520, 900)],
  });
  assertEquals(fan, { fanOut: [10, 50], fanIn: 20 });
  assertEquals(chainHandoffs({ ...wf, jobs: [job("c02", 105, 200), job("c01", 0, 100)] }), [5]);
});
