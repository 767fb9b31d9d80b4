/**
 * Per-job metric sampling overhead: the agent's CPU and memory with 200 running jobs sampled every second,
 * beside the same agent idle, measured in the same run. Jobs are submitted over gRPC directly (200 rnx processes
 * would measure rnx, not the agent).
 */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { parse } from "yaml";
import { join } from "node:path";
import * as pb from "../../proto/gen/joblet.ts";
import type { RnxConfig } from "../../agent/domain/rnx_config.ts";
import { TestAgent } from "../e2e/_agent.ts";
import { agentMemory } from "./agent_memory.ts";
import type { Figure } from "./report.ts";

const SECTION = "4. per-job metric sampling (every 1 s)";
const TICK = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]); // utime + stime
}

async function cpuPercent(pid: number, windowMs: number): Promise<number> {
  const t0 = performance.now();
  const c0 = cpuTicks(pid);
  await new Promise((r) => setTimeout(r, windowMs));
  const c1 = cpuTicks(pid);
  return ((c1 - c0) / TICK) / ((performance.now() - t0) / 1000) * 100;
}

function call<T>(fn: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, res) => err ? reject(err) : resolve(res!)));
}

export async function benchSampling(jobs: number, windowMs: number): Promise<Figure[]> {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-bench-sampling-" });
  Deno.writeTextFileSync(
    join(dir, "joblet.yml"),
    "metrics:\n  sample_interval: 1s\nnetwork:\n  default: none\n",
  );
  const agent = await TestAgent.start({ stateDir: dir, extraArgs: ["--config", join(dir, "joblet.yml")] });
  const node = Object.values((parse(Deno.readTextFileSync(agent.rnxConfig)) as RnxConfig).nodes)[0];
  const client = new pb.JobServiceClient(
    `localhost:${agent.port}`,
    grpc.credentials.createSsl(Buffer.from(node.ca), Buffer.from(node.key), Buffer.from(node.cert)),
  );
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const idleCpu = await cpuPercent(agent.pid, windowMs);
    const idleMem = agentMemory(agent.pid).rssMiB;
    const ids: string[] = [];
    for (let i = 0; i < jobs; i++) {
      const job = await new Promise<pb.Job>((resolve, reject) => {
        const c = client.runJob((err, res) => err ? reject(err) : resolve(res!));
        c.write({ spec: pb.JobSpec.fromPartial({ name: `s${i}`, command: "sleep", args: ["600"] }) });
        c.end();
      });
      ids.push(job.id);
    }
    await new Promise((r) => setTimeout(r, 2000));
    const busyCpu = await cpuPercent(agent.pid, windowMs);
    const busyMem = agentMemory(agent.pid).rssMiB;
    await Promise.all(
      ids.map((id) => call((cb) => client.stopJob({ id, graceSeconds: 1 }, cb)).catch(() => {})),
    );
    const perSampleMs = ((busyCpu - idleCpu) / 100) * 1000 / jobs;
    return [
      { section: SECTION, name: "agent CPU, idle", unit: "%", n: 1, median: idleCpu },
      {
        section: SECTION,
        name: `agent CPU, ${jobs} running jobs`,
        unit: "%",
        n: 1,
        median: busyCpu,
        note: `≈ ${perSampleMs.toFixed(2)} ms of agent CPU per job sample`,
      },
      { section: SECTION, name: "agent RSS, idle", unit: "MiB", n: 1, median: idleMem },
      { section: SECTION, name: `agent RSS, ${jobs} running jobs`, unit: "MiB", n: 1, median: busyMem },
    ];
  } finally {
    client.close();
    await agent.stop();
  }
}
