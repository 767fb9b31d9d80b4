/**
 * `rnx job run`: plan the uploads (fails before anything is sent when a path is missing), stream the JobSpec and
 * the upload chunks over one RunJob call, print the job, and with --follow copy its log and exit with its code.
 *
 * Output: without --follow the job goes to stdout (human lines or --json). With --follow stdout carries only the
 * job's own stdout, so the "Job started" lines (or the JSON) go to stderr.
 */
import type { ClientWritableStream } from "@grpc/grpc-js";
import type { Job, JobLimits as JobLimitsPb, RunJobRequest } from "../../proto/gen/joblet.ts";
import { formatCpuCores } from "../../agent/domain/limits.ts";
import { isFinished } from "../../agent/domain/job.ts";
import type { Connection } from "../client.ts";
import { getJob } from "../api.ts";
import { rpcError } from "../errors.ts";
import { colorEnabled } from "../io.ts";
import type { Context } from "../context.ts";
import type { RunArgs } from "../run_args.ts";
import { planUploads, uploadChunks, type UploadPlan } from "../uploads.ts";
import { writeAll } from "../stream_writer.ts";
import { socketBytesWritten } from "../h2_socket.ts";
import { Progress } from "../output/progress.ts";
import { jobToJson, statusName, toJsonText } from "../output/json.ts";
import { jobStarted } from "../output/job_text.ts";
import { copyLog } from "./job_log.ts";

/** Everything before the connection opens: validation of local paths. */
export async function prepareRun(ctx: Context, args: RunArgs): Promise<UploadPlan> {
  const plan = await planUploads(args.uploads, args.uploadDirs);
  for (const s of plan.skipped) ctx.io.stderr.print(`rnx: not uploading ${s}\n`);
  return plan;
}

export async function runJob(ctx: Context, conn: Connection, args: RunArgs, plan: UploadPlan): Promise<void> {
  const { io } = ctx;
  const job = await submit(conn, args, plan, new Progress(io.stderr, plan.totalBytes, io.now));
  const banner = args.follow ? io.stderr : io.stdout;
  banner.print(
    args.json
      ? toJsonText(jobToJson(job, io.now()))
      : jobStarted(job, io.now(), colorEnabled(banner, io.env)),
  );
  if (!args.follow || statusName(job.status) === "SCHEDULED") return;
  if (await copyLog(conn, io, job.id, true) === "reader-closed") return;
  ctx.exitCode = exitCodeOf(await waitUntilFinished(conn, job.id));
}

/** Sends the spec, then every upload chunk, honouring backpressure; resolves with the created job. */
async function submit(conn: Connection, args: RunArgs, plan: UploadPlan, progress: Progress): Promise<Job> {
  let call!: ClientWritableStream<RunJobRequest>;
  const result = new Promise<Job>((resolve, reject) => {
    call = conn.jobs.runJob((err, job) => err ? reject(rpcError(err, conn.address)) : resolve(job));
  });
  async function* messages(): AsyncGenerator<RunJobRequest> {
    yield {
      spec: {
        name: args.name,
        command: args.command,
        args: args.args,
        env: args.env,
        secretEnv: args.secretEnv,
        limits: limitsToRequest(args.limits),
        schedule: args.schedule,
        timezone: args.timezone,
        allowOverlap: args.allowOverlap,
        missed: args.missed,
        retry: args.retry.retries > 0 ? args.retry : undefined,
        volumes: args.volumes ?? [],
        network: args.network ?? "",
        runtime: args.runtime ?? "",
        maxDiskBytes: args.maxDiskBytes ?? 0,
        maxNetBwBytes: args.maxNetBwBytes ?? 0,
      },
    };
    for await (const chunk of uploadChunks(plan.entries)) {
      progress.add(chunk.data.length);
      yield { upload: chunk };
    }
  }
  try {
    await writeAll(call, messages(), result, {
      sizeOf: (m) => m.upload?.data.length ?? 0,
      sentBytes: socketBytesWritten(call),
    });
  } catch (err) {
    // A local read failed mid-upload: abort the call so the agent keeps nothing.
    result.catch(() => {});
    call.cancel();
    throw err;
  } finally {
    progress.finish();
  }
  return await result;
}

/**
 * The log stream ends when the job ends; the job's record may be written a moment later, so ask a few times.
 */
async function waitUntilFinished(conn: Connection, id: string): Promise<Job> {
  for (let attempt = 0;; attempt++) {
    const job = await getJob(conn, id);
    const status = statusName(job.status);
    if ((status !== "UNKNOWN" && isFinished(status)) || attempt >= 25) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The job's exit code when it is a valid process exit code; otherwise 0 for COMPLETED and 1 for the rest. */
export function exitCodeOf(job: Job): number {
  const code = job.exitCode;
  if (code !== undefined && code >= 0 && code <= 255) return code;
  return statusName(job.status) === "COMPLETED" ? 0 : 1;
}

/** Limits as the request carries them: 0 / "" = the agent's default. */
function limitsToRequest(l: RunArgs["limits"]): JobLimitsPb {
  return {
    maxCpuPercent: l.cpuPercent ?? 0,
    cpuCores: l.cpuCores ? formatCpuCores(l.cpuCores) : "",
    maxMemoryBytes: l.memoryBytes ?? 0,
    maxIoBps: l.ioBps ?? 0,
    maxPids: l.pids ?? 0,
    timeoutMs: l.timeoutMs ?? 0,
  };
}
