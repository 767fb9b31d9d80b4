/**
 * /api/nodes/:node/jobs… and /api/jobs (every node): list, get, run (multipart with uploads), stop, cancel,
 * delete, and the log and metrics streams (SSE). Jobs are `rnx job … --json` objects plus `node`.
 */
import { Hono } from "hono";
import { Metadata } from "@grpc/grpc-js";
import { z } from "zod";
import type { Job, JobMetricsSample, LogRecord } from "../../../../proto/gen/joblet.ts";
import { isFinished } from "../../../../agent/domain/job.ts";
import { JobletError } from "../../../../agent/domain/errors.ts";
import { type Connection, deadline, unary } from "../../../client.ts";
import { deleteJob, getJob, listJobs, stopJob } from "../../../api.ts";
import { cancelJob } from "../../../commands/job_workflow.ts";
import { type JobJson, jobToJson, protoStatus, statusName } from "../../../output/json.ts";
import { sampleToJson } from "../../../output/metrics_text.ts";
import { applyJobQuery, parseJobQuery } from "../job_query.ts";
import { jobSpecOf, parseRunSpec } from "../run_spec.ts";
import { formChunks, formUploads } from "../form_uploads.ts";
import { submitJob } from "../submit.ts";
import { LineSplitter } from "../log_lines.ts";
import { sseFromCall } from "../sse.ts";
import { type Deps, formBody, nodeOf } from "../deps.ts";
import { zodMessage } from "../errors.ts";

export type NodeJob = JobJson & { node: string };

export function jobJson(job: Job, node: string, now: number): NodeJob {
  return { ...jobToJson(job, now), node };
}

const FollowQuery = z.enum(["0", "1", "false", "true"]).optional();
const GraceQuery = z.string().regex(/^\d{1,5}$/, "grace must be whole seconds").transform(Number).optional();

function follows(value: string | undefined): boolean {
  const v = FollowQuery.safeParse(value);
  if (!v.success) throw new JobletError("InvalidArgument", `follow "${value}" must be 0 or 1`);
  return v.data !== "0" && v.data !== "false";
}

/** The log stream ends when the job does; its record may be written a moment later, so ask a few times. */
async function finalJob(conn: Connection, id: string): Promise<Job> {
  for (let attempt = 0;; attempt++) {
    const job = await getJob(conn, id);
    const s = statusName(job.status);
    if ((s !== "UNKNOWN" && isFinished(s)) || attempt >= 25) return job;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The routes under /api/nodes/:node. */
export function nodeJobRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/jobs", async (c) => {
    const query = parseJobQuery(c.req.query());
    const { name, conn } = nodeOf(deps, c);
    const jobs = await listJobs(conn, query.statuses.map(protoStatus), 0);
    const now = deps.now();
    return c.json(applyJobQuery(jobs.map((j) => jobJson(j, name, now)), query));
  });

  app.get("/jobs/:id", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    return c.json(jobJson(await getJob(conn, c.req.param("id")), name, deps.now()));
  });

  app.post("/jobs", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    const form = await formBody(c);
    const specText = form.get("spec");
    if (typeof specText !== "string") {
      throw new JobletError("InvalidArgument", "spec: the form needs a field spec with the job as JSON");
    }
    let specJson: unknown;
    try {
      specJson = JSON.parse(specText);
    } catch (e) {
      throw new JobletError("InvalidArgument", `spec: not JSON (${(e as Error).message})`);
    }
    let args;
    try {
      args = parseRunSpec(specJson);
    } catch (e) {
      if (e instanceof z.ZodError) throw new JobletError("InvalidArgument", zodMessage(e, "spec"));
      throw e;
    }
    const files = form.getAll("file").filter((f): f is File => f instanceof File);
    const uploads = formUploads(files);
    const job = await submitJob(conn, jobSpecOf(args), formChunks(uploads));
    return c.json(jobJson(job, name, deps.now()), 201);
  });

  app.post("/jobs/:id/stop", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    const grace = GraceQuery.parse(c.req.query("grace"));
    return c.json(jobJson(await stopJob(conn, c.req.param("id"), grace ?? 0), name, deps.now()));
  });

  app.post("/jobs/:id/cancel", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    return c.json(jobJson(await cancelJob(conn, c.req.param("id")), name, deps.now()));
  });

  app.delete("/jobs/:id", async (c) => {
    const { conn } = nodeOf(deps, c);
    const res = await deleteJob(conn, c.req.param("id"));
    return c.json({ deleted: res.id });
  });

  app.get("/jobs/:id/logs", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    const follow = follows(c.req.query("follow"));
    const job = await getJob(conn, c.req.param("id")); // 404 before the stream starts
    const lines = new LineSplitter();
    return sseFromCall<LogRecord>(c, {
      tracker: deps.streams,
      address: conn.address,
      log: deps.log,
      open: () => conn.jobs.streamLogs({ id: job.id, follow }),
      async each(record, send) {
        for (const l of lines.push(record)) await send("log", l);
      },
      async end(send) {
        for (const l of lines.flush()) await send("log", l);
        const last = follow ? await finalJob(conn, job.id) : await getJob(conn, job.id);
        await send("end", jobJson(last, name, deps.now()));
      },
    });
  });

  app.get("/jobs/:id/metrics", async (c) => {
    const { name, conn } = nodeOf(deps, c);
    const follow = follows(c.req.query("follow"));
    const job = await getJob(conn, c.req.param("id"));
    return sseFromCall<JobMetricsSample>(c, {
      tracker: deps.streams,
      address: conn.address,
      log: deps.log,
      open: () => conn.jobs.streamJobMetrics({ id: job.id, follow }),
      each: (s, send) => send("sample", sampleToJson(s)),
      async end(send) {
        await send("end", jobJson(await getJob(conn, job.id), name, deps.now()));
      },
    });
  });

  return app;
}

/** GET /api/jobs?node=all&…: every node's jobs in one list; a node that fails is named in `errors`. */
export function allJobsRoutes(deps: Deps): Hono {
  const app = new Hono();
  app.get("/jobs", async (c) => {
    const params = c.req.query();
    const query = parseJobQuery(params);
    const wanted = params.node && params.node !== "all" ? [params.node] : deps.pool.names();
    const now = deps.now();
    const errors: { node: string; message: string }[] = [];
    const lists = await Promise.all(wanted.map(async (node) => {
      try {
        const conn = deps.pool.get(node);
        const jobs = await unary<{ jobs: Job[] }>(
          conn,
          (cb) =>
            conn.jobs.listJobs(
              { statuses: query.statuses.map(protoStatus), limit: 0 },
              new Metadata(),
              deadline(15_000),
              cb,
            ),
        );
        return jobs.jobs.map((j) => jobJson(j, node, now));
      } catch (err) {
        errors.push({ node, message: err instanceof Error ? err.message : String(err) });
        return [];
      }
    }));
    return c.json({ ...applyJobQuery(lists.flat(), query), errors });
  });
  return app;
}
