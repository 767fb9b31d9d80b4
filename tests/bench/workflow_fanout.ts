/**
 * Workflow hand-off: how long after a dependency ended its dependant starts, read from the jobs' own start and
 * end times (`rnx job status --workflow ID --json`), through a real agent and rnx as a user runs them.
 *
 *   fan-out/fan-in   one job → N-2 jobs that each require it → one job that requires all of them (N = 200)
 *   baseline chain   10 jobs, each requiring the one before: one hand-off at a time, nothing else running
 *
 * Fan-out samples: the first job's end → each middle job's start. Fan-in: the last middle job's end → the
 * final job's start (one sample per run). The ratio to the chain shows what starting ~200 jobs at once adds.
 */
import { join } from "node:path";
import { TestAgent } from "../e2e/_agent.ts";
import { type Figure, fromSummary } from "./report.ts";
import { summarize } from "./stats.ts";

const SECTION = "5. workflow hand-off (dependency ended → dependant started)";
const CHAIN = 10;

interface WfJob {
  workflow_job: string;
  status: string;
  start_time: string | null;
  end_time: string | null;
}
interface Wf {
  id: string;
  status: string;
  start_time: string | null;
  end_time: string | null;
  jobs: WfJob[];
}

const middle = (i: number) => `w${String(i).padStart(3, "0")}`;

/** The YAML of a fan-out/fan-in workflow of `jobs` jobs: src → w001…wNNN → sink. */
export function fanOutYaml(jobs: number): string {
  const lines = ["jobs:", "  src:", '    command: "true"'];
  const mids = Array.from({ length: jobs - 2 }, (_, i) => middle(i + 1));
  for (const m of mids) {
    lines.push(`  ${m}:`, '    command: "true"', "    requires:", '      - src: "COMPLETED"');
  }
  lines.push("  sink:", '    command: "true"', "    requires:");
  for (const m of mids) lines.push(`      - ${m}: "COMPLETED"`);
  return lines.join("\n") + "\n";
}

/** The YAML of a chain c01 → c02 → … of `jobs` jobs. */
export function chainYaml(jobs: number): string {
  const lines = ["jobs:"];
  for (let i = 1; i <= jobs; i++) {
    lines.push(`  c${String(i).padStart(2, "0")}:`, '    command: "true"');
    if (i > 1) lines.push("    requires:", `      - c${String(i - 1).padStart(2, "0")}: "COMPLETED"`);
  }
  return lines.join("\n") + "\n";
}

const ms = (t: string | null): number => {
  if (!t) throw new Error("a job of the workflow has no start or end time");
  return Date.parse(t);
};

/** Runs the workflow file and waits (polling once a second, to stay out of the agent's way) until it ends. */
async function runWorkflow(agent: TestAgent, file: string, timeoutMs: number): Promise<Wf> {
  const { id } = await agent.rnxJson<Wf>(["job", "run", `--workflow=${file}`]);
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 1000));
    const wf = await agent.rnxJson<Wf>(["job", "status", "--workflow", id]);
    if (["COMPLETED", "FAILED", "CANCELED"].includes(wf.status)) {
      if (wf.status !== "COMPLETED") {
        const bad = wf.jobs.filter((j) => j.status !== "COMPLETED").map((j) =>
          `${j.workflow_job}=${j.status}`
        );
        throw new Error(`workflow ${id} ended ${wf.status}: ${bad.slice(0, 5).join(", ")}`);
      }
      return wf;
    }
  }
  throw new Error(`workflow ${id} did not finish in ${timeoutMs / 1000} s`);
}

/** Hand-off samples of a fan-out/fan-in run: [fan-out samples, fan-in sample]. */
export function fanOutHandoffs(wf: Wf): { fanOut: number[]; fanIn: number } {
  const byName = new Map(wf.jobs.map((j) => [j.workflow_job, j]));
  const src = byName.get("src")!;
  const sink = byName.get("sink")!;
  const mids = wf.jobs.filter((j) => j !== src && j !== sink);
  const fanOut = mids.map((j) => ms(j.start_time) - ms(src.end_time));
  const lastMidEnd = Math.max(...mids.map((j) => ms(j.end_time)));
  return { fanOut, fanIn: ms(sink.start_time) - lastMidEnd };
}

export function chainHandoffs(wf: Wf): number[] {
  const jobs = [...wf.jobs].sort((a, b) => a.workflow_job.localeCompare(b.workflow_job));
  return jobs.slice(1).map((j, i) => ms(j.start_time) - ms(jobs[i].end_time));
}

export async function benchWorkflowFanOut(jobs: number): Promise<Figure[]> {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-bench-workflow-" });
  const agent = await TestAgent.start();
  try {
    Deno.writeTextFileSync(join(dir, "chain.yaml"), chainYaml(CHAIN));
    Deno.writeTextFileSync(join(dir, "fanout.yaml"), fanOutYaml(jobs));
    const chain = chainHandoffs(await runWorkflow(agent, join(dir, "chain.yaml"), 30_000));
    const t0 = performance.now();
    const wf = await runWorkflow(agent, join(dir, "fanout.yaml"), 50_000);
    const wallS = (performance.now() - t0) / 1000;
    const { fanOut, fanIn } = fanOutHandoffs(wf);
    const chainS = summarize(chain);
    const fanOutS = summarize(fanOut);
    const spanS = (ms(wf.end_time) - ms(wf.start_time)) / 1000;
    return [
      fromSummary(SECTION, `baseline: ${CHAIN}-job chain, one hand-off at a time`, chainS),
      fromSummary(SECTION, `fan-out: first job ended → each of ${jobs - 2} started`, fanOutS, {
        ratio: fanOutS.median / chainS.median,
        ratioTo: "chain",
        note: `workflow of ${jobs} jobs took ${spanS.toFixed(1)} s (start → end; ${
          wallS.toFixed(1)
        } s as rnx saw it)`,
      }),
      {
        section: SECTION,
        name: `fan-in: last of ${jobs - 2} ended → final job started`,
        unit: "ms",
        n: 1,
        median: fanIn,
        ratio: fanIn / chainS.median,
        ratioTo: "chain",
      },
    ];
  } finally {
    await agent.stop();
    Deno.removeSync(dir, { recursive: true });
  }
}
