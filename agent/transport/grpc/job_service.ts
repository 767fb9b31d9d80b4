/** JobService RPCs: map the request, call core, map the answer. No logic of their own. */
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobService } from "../../core/job_service.ts";
import type { UploadItem } from "../../core/ports.ts";
import { invalidArgument } from "../../domain/errors.ts";
import { clientStream, type Log, serverStream, unary } from "./calls.ts";
import { jobToPb, logToPb, sampleToPb, specFromPb, statusFromPb, uploadFromPb } from "./mapper.ts";

export function jobServiceHandlers(jobs: JobService, log: Log): pb.JobServiceServer {
  const toPb = (id: string) => jobToPb(jobs.get(id), jobs.logBytes(id));
  return {
    runJob: clientStream<pb.RunJobRequest, pb.Job>("RunJob", "write", log, async (messages, ctx) => {
      const it = messages[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done || !first.value.spec) {
        throw invalidArgument("RunJob: the first message must carry the job spec");
      }
      const spec = specFromPb(first.value.spec);
      async function* uploads(): AsyncIterable<UploadItem> {
        for (let m = await it.next(); !m.done; m = await it.next()) {
          if (!m.value.upload) throw invalidArgument("RunJob: only the first message may carry a job spec");
          yield uploadFromPb(m.value.upload);
        }
      }
      const job = await jobs.run(spec, uploads(), ctx.caller.name);
      return toPb(job.id);
    }),

    getJob: unary<pb.GetJobRequest, pb.Job>("GetJob", "read", log, (req) => toPb(jobs.resolve(req.id).id)),

    listJobs: unary<pb.ListJobsRequest, pb.ListJobsResponse>("ListJobs", "read", log, (req) => {
      const statuses = req.statuses.map(statusFromPb);
      const list = jobs.list({ statuses: statuses.length ? statuses : undefined, limit: req.limit });
      return { jobs: list.map((j) => jobToPb(j, jobs.logBytes(j.id))) };
    }),

    streamLogs: serverStream<pb.StreamLogsRequest, pb.LogRecord>(
      "StreamLogs",
      "read",
      log,
      async function* (req, ctx) {
        for await (const r of jobs.logs(req.id, req.follow, ctx.signal)) yield logToPb(r);
      },
      (r) => r.data.byteLength + 32,
    ),

    stopJob: unary<pb.StopJobRequest, pb.Job>("StopJob", "write", log, async (req, ctx) => {
      const job = await jobs.stop(
        req.id,
        req.graceSeconds > 0 ? req.graceSeconds * 1000 : undefined,
        ctx.caller.name,
      );
      return toPb(job.id);
    }),

    deleteJob: unary<pb.DeleteJobRequest, pb.DeleteJobResponse>(
      "DeleteJob",
      "write",
      log,
      (req) => ({ id: jobs.delete(req.id) }),
    ),

    deleteAllJobs: unary<pb.DeleteAllJobsRequest, pb.DeleteAllJobsResponse>(
      "DeleteAllJobs",
      "write",
      log,
      () => {
        const r = jobs.deleteAll();
        return { deletedIds: r.deleted, skipped: r.skipped };
      },
    ),

    streamJobMetrics: serverStream<pb.StreamJobMetricsRequest, pb.JobMetricsSample>(
      "StreamJobMetrics",
      "read",
      log,
      async function* (req, ctx) {
        for await (const s of jobs.metrics(req.id, req.follow, ctx.signal)) yield sampleToPb(s);
      },
    ),
  };
}
