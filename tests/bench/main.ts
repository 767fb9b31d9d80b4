/**
 * `deno task bench`: speed figures of joblet, each beside a baseline measured in the same run (see
 * docs/benchmarks.md). Prints a table, or JSON with --json. Needs root, a cgroup hierarchy and /usr/bin/tini.
 *
 *   deno run -A tests/bench/main.ts [--json] [--runs N] [--log-runs N] [--log-mib N]
 *                                   [--only start,quota,rtt,logs,store,sampling,workflow,network,runtime,ui]
 *   (runtime, which installs the built-in runtimes, and ui, which needs chromium, run only when named in --only)
 *                                   [--net-jobs N]
 */
import { parseArgs } from "node:util";
import { TestAgent } from "../e2e/_agent.ts";
import { benchLogThroughput } from "./log_throughput.ts";
import { benchStore } from "./log_store.ts";
import { type Figure, renderJson, renderText, type Report } from "./report.ts";
import { benchRoundTrip } from "./round_trip.ts";
import { benchStartLatency } from "./start_latency.ts";
import { benchSampling } from "./sampling.ts";
import { benchWorkflowFanOut } from "./workflow_fanout.ts";
import { benchWorkspaceQuota } from "./workspace_quota.ts";
import { benchNetwork } from "./network.ts";
import { benchRuntimes } from "./runtime.ts";
import { benchAdminUi } from "./admin_ui.ts";

const SECTIONS = [
  "start",
  "quota",
  "rtt",
  "logs",
  "store",
  "sampling",
  "workflow",
  "network",
  "runtime",
  "ui",
] as const;
type Section = typeof SECTIONS[number];
/**
 * Sections run without --only: all but "runtime", which downloads and unpacks ~1.4 GB of packages, and "ui",
 * which needs Debian's chromium.
 */
const DEFAULT_SECTIONS = SECTIONS.filter((s) => s !== "runtime" && s !== "ui");
const MiB = 1024 * 1024;

interface Options {
  json: boolean;
  runs: number;
  logRuns: number;
  logMiB: number;
  netJobs: number;
  only: Section[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      json: { type: "boolean", default: false },
      runs: { type: "string", default: "30" },
      "log-runs": { type: "string", default: "3" },
      "log-mib": { type: "string", default: "256" },
      "net-jobs": { type: "string", default: "500" },
      only: { type: "string", default: DEFAULT_SECTIONS.join(",") },
    },
  });
  const count = (flag: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} "${v}" must be a whole number ≥ ${min}`);
    return n;
  };
  const only = values.only!.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const s of only) {
    if (!(SECTIONS as readonly string[]).includes(s)) {
      throw new Error(`--only "${s}" is not a section (use ${SECTIONS.join(", ")})`);
    }
  }
  return {
    json: values.json!,
    runs: count("runs", values.runs!, 1),
    logRuns: count("log-runs", values["log-runs"]!, 1),
    logMiB: count("log-mib", values["log-mib"]!, 1),
    netJobs: count("net-jobs", values["net-jobs"]!, 1),
    only: only as Section[],
  };
}

function machine(): Report["machine"] {
  const osRelease = readText("/etc/os-release");
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? Deno.build.os;
  return {
    os: pretty,
    cpus: navigator.hardwareConcurrency,
    kernel: Deno.osRelease(),
    deno: Deno.version.deno,
  };
}

function readText(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** Progress goes to stderr, so stdout carries only the table or the JSON. */
const progress = (msg: string) => console.error(`bench: ${msg}`);

async function main(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    return 2;
  }
  if (Deno.uid() !== 0) {
    console.error("bench: must run as root (the launcher makes namespaces and cgroups; the agent too)");
    return 1;
  }
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const figures: Figure[] = [];
  const skipped: string[] = [];
  const sample = { warmups: 3, runs: opts.runs };

  if (opts.only.includes("start")) {
    progress(`start latency: ${sample.warmups} warm-ups + ${sample.runs} runs`);
    figures.push(...await benchStartLatency(sample, skipped));
  }
  if (opts.only.includes("quota")) {
    progress(`start latency with a size-limited /work: ${sample.warmups} warm-ups + ${sample.runs} runs`);
    figures.push(...await benchWorkspaceQuota(sample, skipped));
  }
  if (opts.only.includes("rtt") || opts.only.includes("logs")) {
    progress("starting an agent");
    const agent = await TestAgent.start();
    try {
      if (opts.only.includes("rtt")) {
        progress(`round trip: ${sample.warmups} warm-ups + ${sample.runs} runs`);
        figures.push(...await benchRoundTrip(agent, sample));
      }
      if (opts.only.includes("logs")) {
        progress(`log capture and read-back: ${opts.logRuns} runs of ${opts.logMiB} MiB`);
        figures.push(
          ...await benchLogThroughput(agent, { runs: opts.logRuns, bytes: opts.logMiB * MiB }, skipped),
        );
      }
    } finally {
      await agent.stop();
    }
  }
  if (opts.only.includes("store")) {
    progress(`log store alone: ${opts.logMiB} MiB`);
    figures.push(...await benchStore(opts.logMiB * MiB));
  }

  if (opts.only.includes("sampling")) {
    progress("metric sampling: the agent idle, then with 200 running jobs sampled every second");
    figures.push(...await benchSampling(200, 10_000));
  }

  if (opts.only.includes("workflow")) {
    progress("workflow hand-off: a 10-job chain, then a 200-job fan-out/fan-in workflow");
    figures.push(...await benchWorkflowFanOut(200));
  }

  if (opts.only.includes("network")) {
    progress(`network: job start on none vs bridge (${sample.runs} runs), ${opts.netJobs} jobs, leak check`);
    figures.push(...await benchNetwork(sample, opts.netJobs));
  }

  if (opts.only.includes("runtime")) {
    progress("runtimes: install time and size of each built-in runtime; job start with one vs without");
    figures.push(
      ...await benchRuntimes(sample, ["python-3.11", "openjdk-17", "python-3.11-ml"], progress, skipped),
    );
  }

  if (opts.only.includes("ui")) {
    progress(`admin UI: first page in chromium vs a static page, ${sample.warmups}+${sample.runs} runs`);
    const agent = await TestAgent.start();
    try {
      figures.push(...await benchAdminUi(agent, sample, skipped));
    } finally {
      await agent.stop();
    }
  }

  const report: Report = {
    machine: machine(),
    startedAt,
    durationS: (performance.now() - t0) / 1000,
    figures,
    skipped,
  };
  console.log((opts.json ? renderJson(report) : renderText(report)).trimEnd());
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
