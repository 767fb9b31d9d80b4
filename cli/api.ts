/**
 * The unary RPCs as promise-returning functions. Each has a deadline so rnx never waits forever on a stuck agent;
 * a failure rejects with a JobletError whose message is ready to print (see errors.ts `rpcError`).
 * The streaming calls (RunJob, StreamLogs) live with the commands that use them.
 */
import { Metadata } from "@grpc/grpc-js";
import type {
  DeleteAllJobsResponse,
  DeleteJobResponse,
  Job,
  JobStatus,
  ListJobsResponse,
  VersionInfo,
} from "../proto/gen/joblet.ts";
import { type Connection, deadline, DEFAULT_DEADLINE_MS, unary } from "./client.ts";

export function getJob(conn: Connection, id: string): Promise<Job> {
  return unary<Job>(conn, (cb) => conn.jobs.getJob({ id }, new Metadata(), deadline(), cb));
}

export async function listJobs(conn: Connection, statuses: JobStatus[], limit: number): Promise<Job[]> {
  const res = await unary<ListJobsResponse>(
    conn,
    (cb) => conn.jobs.listJobs({ statuses, limit }, new Metadata(), deadline(), cb),
  );
  return res.jobs;
}

/** Waits at least the grace period (or a default when 0) on top of the normal deadline. */
export function stopJob(conn: Connection, id: string, graceSeconds: number): Promise<Job> {
  const ms = DEFAULT_DEADLINE_MS + (graceSeconds > 0 ? graceSeconds : 30) * 1000;
  return unary<Job>(conn, (cb) => conn.jobs.stopJob({ id, graceSeconds }, new Metadata(), deadline(ms), cb));
}

export function deleteJob(conn: Connection, id: string): Promise<DeleteJobResponse> {
  return unary<DeleteJobResponse>(conn, (cb) => conn.jobs.deleteJob({ id }, new Metadata(), deadline(), cb));
}

export function deleteAllJobs(conn: Connection): Promise<DeleteAllJobsResponse> {
  return unary<DeleteAllJobsResponse>(
    conn,
    (cb) => conn.jobs.deleteAllJobs({}, new Metadata(), deadline(), cb),
  );
}

export function getVersion(conn: Connection): Promise<VersionInfo> {
  return unary<VersionInfo>(conn, (cb) => conn.system.getVersion({}, new Metadata(), deadline(), cb));
}
