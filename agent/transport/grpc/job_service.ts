/** JobService RPCs: map the request, call core, map the answer. No logic of their own. */
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobService } from "../../core/job_service.ts";
import type { UploadItem } from "../../core/ports.ts";
import { invalidArgument } from "../../domain/errors.ts";
import { clientStream, type Log, serverStream, unary } from "./calls.ts";
import {
  jobToPb,
  logToPb,
  sampleToPb,
  specFromPb,
  statusFromPb,
  uploadFromPb,
  workflowToPb,
} from "./mapper.ts";
import type { WorkflowUploadItem } from "../../core/workflow_service.ts";

export function jobServiceHandlers(jobs: JobService, log: Log): pb.JobServiceServer {
  const toPb = (id: string) => jobToPb(jobs.get(id), jobs.logBytes(id));
  const logBytes = (id: string) => jobs.logBytes(id);
  const withNetwork = (j: { id: string }) => jobs.get(j.id);
  return {
    cancelJob: unary<pb.CancelJobRequest, pb.Job>(
      "CancelJob",
      "write",
      log,
      (req, ctx) => toPb(jobs.cancel(req.id, ctx.caller.name).id),
    ),

    runWorkflow: clientStream<pb.RunWorkflowRequest, pb.Workflow>(
      "RunWorkflow",
      "write",
      log,
      async (messages, ctx) => {
        const it = messages[Symbol.asyncIterator]();
        const first = await it.next();
        if (first.done || !first.value.workflow) {
          throw invalidArgument("RunWorkflow: the first message must carry the workflow");
        }
        const wf = first.value.workflow;
        async function* uploads(): AsyncIterable<WorkflowUploadItem> {
          for (let m = await it.next(); !m.done; m = await it.next()) {
            const u = m.value.upload;
            if (!u?.chunk) {
              throw invalidArgument("RunWorkflow: only the first message may carry the workflow");
            }
            yield { job: u.job, item: uploadFromPb(u.chunk) };
          }
        }
        const view = await jobs.workflows.submit(
          { file: wf.file, yaml: wf.yaml, only: wf.job },
          uploads(),
          ctx.caller.name,
        );
        return workflowToPb(view, true, logBytes, withNetwork);
      },
    ),

    getWorkflow: unary<pb.GetWorkflowRequest, pb.Workflow>(
      "GetWorkflow",
      "read",
      log,
      (req) => workflowToPb(jobs.workflows.get(req.id), true, logBytes, withNetwork),
    ),

    listWorkflows: unary<pb.ListWorkflowsRequest, pb.ListWorkflowsResponse>(
      "ListWorkflows",
      "read",
      log,
      (req) => ({ workflows: jobs.workflows.list(req.limit).map((v) => workflowToPb(v, false, logBytes)) }),
    ),

    stopWorkflow: unary<pb.StopWorkflowRequest, pb.Workflow>(
      "StopWorkflow",
      "write",
      log,
      async (req, ctx) =>
        workflowToPb(await jobs.workflows.stop(req.id, ctx.caller.name), true, logBytes, withNetwork),
    ),

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
