/**
 * Workflows from rnx: `job run --workflow=FILE[:JOB]` reads the YAML, checks it with the agent's own rules
 * (so a bad file fails before anything is sent, with file:line:col), streams the YAML and every job's uploads
 * (paths relative to the YAML file) over one RunWorkflow call; and the unary workflow calls for status, list
 * and stop.
 */
import { type ClientWritableStream, Metadata } from "@grpc/grpc-js";
import { dirname, isAbsolute, join } from "node:path";
import type { RunWorkflowRequest, Workflow } from "../../proto/gen/joblet.ts";
import type { ListWorkflowsResponse } from "../../proto/gen/joblet.ts";
import { parseWorkflow } from "../../agent/domain/workflow_yaml.ts";
import { JobletError } from "../../agent/domain/errors.ts";
import { type Connection, deadline, DEFAULT_DEADLINE_MS, unary } from "../client.ts";
import { rpcError } from "../errors.ts";
import { planUploads, uploadChunks, type UploadEntry } from "../uploads.ts";
import { writeAll } from "../stream_writer.ts";
import { socketBytesWritten } from "../h2_socket.ts";
import type { Context } from "../context.ts";

export interface WorkflowPlan {
  file: string;
  yaml: string;
  job: string;
  uploads: { job: string; entries: UploadEntry[] }[];
}

/** Reads and checks the file and plans every job's uploads; throws before any connection is made. */
export async function prepareWorkflow(ctx: Context, file: string, job: string): Promise<WorkflowPlan> {
  const path = isAbsolute(file) ? file : join(ctx.io.cwd(), file);
  let yaml: string;
  try {
    yaml = await Deno.readTextFile(path);
  } catch (e) {
    throw new JobletError("InvalidArgument", `Cannot read workflow ${file}: ${(e as Error).message}`);
  }
  const parsed = parseWorkflow(yaml, file);
  const jobs = job ? parsed.jobs.filter((j) => j.name === job) : parsed.jobs;
  const uploads = [];
  for (const j of jobs) {
    if (j.uploads.length === 0) continue;
    const plan = await planUploads(j.uploads.map((u) => join(dirname(path), u)), []);
    for (const s of plan.skipped) ctx.io.stderr.print(`rnx: ${j.name}: not uploading ${s}\n`);
    uploads.push({ job: j.name, entries: plan.entries });
  }
  return { file, yaml, job, uploads };
}

export async function submitWorkflow(conn: Connection, plan: WorkflowPlan): Promise<Workflow> {
  let call!: ClientWritableStream<RunWorkflowRequest>;
  const result = new Promise<Workflow>((resolve, reject) => {
    call = conn.jobs.runWorkflow((err, wf) => err ? reject(rpcError(err, conn.address)) : resolve(wf));
  });
  async function* messages(): AsyncGenerator<RunWorkflowRequest> {
    yield { workflow: { file: plan.file, yaml: plan.yaml, job: plan.job } };
    for (const u of plan.uploads) {
      for await (const chunk of uploadChunks(u.entries)) yield { upload: { job: u.job, chunk } };
    }
  }
  try {
    await writeAll(call, messages(), result, {
      sizeOf: (m) => m.upload?.chunk?.data.length ?? 0,
      sentBytes: socketBytesWritten(call),
    });
  } catch (err) {
    result.catch(() => {});
    call.cancel();
    throw err;
  }
  return await result;
}

export function getWorkflow(conn: Connection, id: string): Promise<Workflow> {
  return unary<Workflow>(conn, (cb) => conn.jobs.getWorkflow({ id }, new Metadata(), deadline(), cb));
}

export async function listWorkflows(conn: Connection, limit: number): Promise<Workflow[]> {
  const res = await unary<ListWorkflowsResponse>(
    conn,
    (cb) => conn.jobs.listWorkflows({ limit }, new Metadata(), deadline(), cb),
  );
  return res.workflows;
}

export function stopWorkflow(conn: Connection, id: string): Promise<Workflow> {
  return unary<Workflow>(
    conn,
    (cb) => conn.jobs.stopWorkflow({ id }, new Metadata(), deadline(DEFAULT_DEADLINE_MS + 30_000), cb),
  );
}

export function cancelJob(conn: Connection, id: string) {
  return unary<import("../../proto/gen/joblet.ts").Job>(
    conn,
    (cb) => conn.jobs.cancelJob({ id }, new Metadata(), deadline(), cb),
  );
}
