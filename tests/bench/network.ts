/**
 * Networks: how long network setup adds to a job's start (RunJob until RUNNING, which includes the veth, its
 * addresses and routes, the hosts file), `bridge` beside `none` in the same agent and run, and `bridge` with
 * `--max-net-bw` (two `tc` runs, one through nsenter) beside plain `bridge`; then the leak check
 * of the issue: many jobs on several networks, the agent stopped, and the host's links, addresses, routes and
 * nft ruleset compared with before. Jobs are submitted over gRPC directly (rnx processes would measure rnx).
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { parse } from "yaml";
import * as pb from "../../proto/gen/joblet.ts";
import type { RnxConfig } from "../../agent/domain/rnx_config.ts";
import { TestAgent } from "../e2e/_agent.ts";
import { type Figure, fromSummary, verdictAtMost } from "./report.ts";
import { sampleMany, type SampleOptions } from "./stats.ts";

const SECTION = "6. network setup and cleanup";
const S = pb.JobStatus;
const FINAL = new Set([
  S.JOB_STATUS_COMPLETED,
  S.JOB_STATUS_FAILED,
  S.JOB_STATUS_STOPPED,
  S.JOB_STATUS_TIMEOUT,
]);

function call<T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => err ? reject(err) : resolve(res!)));
}

function runJob(client: pb.JobServiceClient, spec: Partial<pb.JobSpec>): Promise<pb.Job> {
  return new Promise<pb.Job>((resolve, reject) => {
    const c = client.runJob((err, res) => err ? reject(err) : resolve(res!));
    c.write({ spec: pb.JobSpec.fromPartial(spec) });
    c.end();
  });
}

async function sh(cmd: string): Promise<string> {
  const r = await new Deno.Command("sh", { args: ["-c", cmd], stdout: "piped", stderr: "piped" }).output();
  return new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
}

/** The host's network configuration, without counters and flags that traffic changes. */
export async function hostNetworkState(): Promise<string> {
  const parts: string[] = [];
  for (const c of ["nft list ruleset", "ip route", "ip -o addr", "ip -o link"]) {
    parts.push(`# ${c}\n` + (await sh(c)).replace(/ qlen \d+| tentative/g, ""));
  }
  return parts.join("\n");
}

async function waitEnded(client: pb.JobServiceClient, id: string): Promise<void> {
  for (;;) {
    const j = await call<pb.Job>((cb) => client.getJob({ id }, cb));
    if (FINAL.has(j.status)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * `opts` runs of a `true` job on each of none and bridge (interleaved), then `leakJobs` jobs spread over
 * bridge, isolated and two custom networks, `parallel` at a time; then the agent stops and the host is compared.
 */
export async function benchNetwork(
  opts: SampleOptions,
  leakJobs: number,
  parallel = 8,
): Promise<Figure[]> {
  const before = await hostNetworkState();
  const dir = Deno.makeTempDirSync({ prefix: "joblet-bench-network-" });
  Deno.writeTextFileSync(join(dir, "joblet.yml"), "network:\n  default: none\n");
  const agent = await TestAgent.start({ stateDir: dir, extraArgs: ["--config", join(dir, "joblet.yml")] });
  const node = Object.values((parse(Deno.readTextFileSync(agent.rnxConfig)) as RnxConfig).nodes)[0];
  const creds = grpc.credentials.createSsl(
    Buffer.from(node.ca),
    Buffer.from(node.key),
    Buffer.from(node.cert),
  );
  const client = new pb.JobServiceClient(`localhost:${agent.port}`, creds);
  const nets = new pb.NetworkServiceClient(`localhost:${agent.port}`, creds);
  const figures: Figure[] = [];
  let stopped = false;
  try {
    const start = (network: string, maxNetBwBytes = 0) => async () => {
      const t0 = performance.now();
      const job = await runJob(client, { command: "true", network, maxNetBwBytes });
      const ms = performance.now() - t0;
      await waitEnded(client, job.id);
      return ms;
    };
    const s = await sampleMany(
      opts,
      async () => ({
        none: await start("none")(),
        bridge: await start("bridge")(),
        limited: await start("bridge", 1_250_000)(),
      }),
    );
    figures.push(fromSummary(SECTION, "job start (RunJob → RUNNING), --network=none", s.none));
    const added = s.bridge.median - s.none.median;
    figures.push(fromSummary(SECTION, "job start, --network=bridge", s.bridge, {
      ratio: s.bridge.median / s.none.median,
      ratioTo: "none",
      target: "p50 ≤ 2× none",
      verdict: verdictAtMost(s.bridge.median / s.none.median, 2),
      note: `network setup adds ≈ ${added.toFixed(1)} ms at p50`,
    }));
    figures.push(fromSummary(SECTION, "job start, --network=bridge --max-net-bw=10mbit", s.limited, {
      ratio: s.limited.median / s.bridge.median,
      ratioTo: "bridge",
      target: "p50 ≤ 1.5× bridge",
      verdict: verdictAtMost(s.limited.median / s.bridge.median, 1.5),
      note: `tc adds ≈ ${(s.limited.median - s.bridge.median).toFixed(1)} ms at p50`,
    }));

    for (const [name, cidr] of [["benchnet1", "10.231.0.0/24"], ["benchnet2", "10.232.0.0/24"]]) {
      await call((cb) => nets.createNetwork({ name, cidr }, cb));
    }
    const spread = ["bridge", "isolated", "benchnet1", "benchnet2"];
    let next = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: parallel }, async () => {
      while (next < leakJobs) {
        const i = next++;
        // Every other round over the networks with a traffic limit: its qdiscs are part of the leak check.
        const job = await runJob(client, {
          command: "true",
          network: spread[i % spread.length],
          maxNetBwBytes: Math.floor(i / spread.length) % 2 ? 1_250_000 : 0,
        });
        await waitEnded(client, job.id);
      }
    }));
    const leakS = (performance.now() - t0) / 1000;
    client.close();
    nets.close();
    await agent.stop();
    stopped = true;
    const after = await hostNetworkState();
    const lines = (t: string) => new Set(t.split("\n"));
    const [b, a] = [lines(before), lines(after)];
    const diff = [...a].filter((l) => !b.has(l)).concat([...b].filter((l) => !a.has(l)).map((l) => `- ${l}`));
    figures.push({
      section: SECTION,
      name: `leftovers after ${leakJobs} jobs on 4 networks and a stop`,
      unit: "lines",
      n: leakJobs,
      median: diff.length,
      target: "0 lines differ (links, addresses, routes, nft)",
      verdict: diff.length === 0 ? "meets target" : "MISSES TARGET",
      note: `${leakS.toFixed(0)} s for the jobs${
        diff.length ? `; differs: ${diff.slice(0, 5).join(" | ")}` : ""
      }`,
    });
    return figures;
  } finally {
    if (!stopped) {
      client.close();
      nets.close();
      await agent.stop();
    }
  }
}
