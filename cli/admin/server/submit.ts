/**
 * The two client-streaming calls, fed from the browser's files: RunJob (spec, then upload chunks) and
 * RunWorkflow (YAML, then each job's chunks). Backpressure as rnx does it (cli/stream_writer.ts): a large
 * upload is read from the request only as fast as the agent takes it. A failed read cancels the call, so the
 * agent keeps nothing.
 */
import type { ClientWritableStream, ServiceError } from "@grpc/grpc-js";
import {
  type Job,
  type JobSpec,
  RunJobRequest,
  RunWorkflowRequest,
  type UploadChunk,
  type Workflow,
} from "../../../proto/gen/joblet.ts";
import type { Connection } from "../../client.ts";
import { rpcError } from "../../errors.ts";
import { writeAll } from "../../stream_writer.ts";
import { socketBytesWritten } from "../../h2_socket.ts";

async function stream<Req, Res>(
  open: (cb: (err: ServiceError | null, res: Res) => void) => ClientWritableStream<Req>,
  conn: Connection,
  messages: AsyncIterable<Req>,
  sizeOf: (m: Req) => number,
): Promise<Res> {
  let call!: ClientWritableStream<Req>;
  const result = new Promise<Res>((resolve, reject) => {
    call = open((err, res) => err ? reject(rpcError(err, conn.address)) : resolve(res));
  });
  try {
    await writeAll(call, messages, result, { sizeOf, sentBytes: socketBytesWritten(call) });
  } catch (err) {
    result.catch(() => {});
    call.cancel();
    throw err;
  }
  return await result;
}

export function submitJob(
  conn: Connection,
  spec: Partial<JobSpec>,
  chunks: AsyncIterable<UploadChunk>,
): Promise<Job> {
  async function* messages(): AsyncGenerator<RunJobRequest> {
    yield RunJobRequest.fromPartial({ spec });
    for await (const chunk of chunks) yield RunJobRequest.fromPartial({ upload: chunk });
  }
  return stream<RunJobRequest, Job>(
    (cb) => conn.jobs.runJob(cb),
    conn,
    messages(),
    (m) => m.upload?.data.length ?? 0,
  );
}

export function submitWorkflow(
  conn: Connection,
  workflow: { file: string; yaml: string },
  uploads: { job: string; chunks: AsyncIterable<UploadChunk> }[],
): Promise<Workflow> {
  async function* messages(): AsyncGenerator<RunWorkflowRequest> {
    yield RunWorkflowRequest.fromPartial({ workflow: { file: workflow.file, yaml: workflow.yaml, job: "" } });
    for (const u of uploads) {
      for await (const chunk of u.chunks) {
        yield RunWorkflowRequest.fromPartial({ upload: { job: u.job, chunk } });
      }
    }
  }
  return stream<RunWorkflowRequest, Workflow>(
    (cb) => conn.jobs.runWorkflow(cb),
    conn,
    messages(),
    (m) => m.upload?.chunk?.data.length ?? 0,
  );
}
