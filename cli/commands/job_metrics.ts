/**
 * `rnx job metrics ID`: a job's resource samples (JobService.StreamJobMetrics) — the stored history, then live
 * samples until the job ends (unless --no-follow). A table row per sample, or one JSON object per line.
 */
import type { Command } from "commander";
import type { JobMetricsSample } from "../../proto/gen/joblet.ts";
import type { Connection } from "../client.ts";
import { type Context, globalsOf, withConnection } from "../context.ts";
import { isServiceError, rpcError } from "../errors.ts";
import { checkJobId } from "../job_id.ts";
import { metricsHeader, metricsRow, sampleJsonLine } from "../output/metrics_text.ts";
import { action, leaf } from "./shared.ts";

/** Adds `metrics` to the `job` group (register the job commands first). */
export function registerJobMetricsCommand(program: Command, ctx: Context): void {
  const job = program.commands.find((c) => c.name() === "job");
  if (!job) throw new Error("registerJobMetricsCommand: register the job commands first");
  leaf(
    job.command("metrics").description(
      "Print a job's CPU, memory, I/O and pids samples; follows until the job ends unless --no-follow",
    )
      .argument("<id>", "job id or unique prefix")
      .option("--no-follow", "print the stored samples and exit"),
  ).action(action(async (id: string, opts: { follow: boolean }, cmd: Command) => {
    checkJobId(id);
    const g = globalsOf(cmd);
    await withConnection(ctx, g, (conn) => printMetrics(ctx, conn, id, opts.follow, g.json ?? false));
  }));
}

async function printMetrics(ctx: Context, conn: Connection, id: string, follow: boolean, json: boolean) {
  const { stdout } = ctx.io;
  const call = conn.jobs.streamJobMetrics({ id, follow });
  let count = 0;
  try {
    for await (const s of call as AsyncIterable<JobMetricsSample>) {
      if (json) {
        stdout.print(sampleJsonLine(s));
      } else {
        if (count === 0) stdout.print(metricsHeader());
        stdout.print(metricsRow(s));
      }
      count++;
    }
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) {
      call.on("error", () => {}); // the CANCELLED status that follows is expected
      call.cancel();
      return;
    }
    if (isServiceError(err)) throw rpcError(err, conn.address);
    throw err;
  }
  if (count === 0 && !json) stdout.print("No samples.\n");
}
