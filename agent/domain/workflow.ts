/**
 * Workflows: a set of jobs from one YAML file whose `requires:` order them. This file holds the stored record,
 * how a workflow's status follows from its jobs, and the pure step that decides which waiting jobs start and
 * which can never start (see workflow_yaml.ts for the file format).
 */
import type { JobRecord, JobStatus, Requirement } from "./job.ts";
import { FINISHED } from "./job.ts";

export const WORKFLOW_STATUSES = ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELED"] as const;
export type WorkflowStatus = typeof WORKFLOW_STATUSES[number];

export interface WorkflowRecord {
  id: string;
  /** The file's base name without .yaml, e.g. "ml-pipeline". */
  name: string;
  /** The file as the client named it. */
  file: string;
  /** The original YAML, verbatim. */
  yaml: string;
  /** `--workflow=file.yaml:job` ran only this job ("" = the whole file). */
  selectedJob: string;
  submittedBy: string;
  createdAt: number;
  /** Who stopped it with `rnx job stop --workflow` ("" = nobody). */
  stoppedBy: string;
}

/** The status of a workflow from its jobs' statuses. */
export function workflowStatus(
  jobs: readonly Pick<JobRecord, "status" | "startedAt">[],
  stopped = false,
): WorkflowStatus {
  if (jobs.length === 0) return "COMPLETED";
  const finished = jobs.filter((j) => FINISHED.has(j.status));
  if (finished.length < jobs.length) {
    const begun = jobs.some((j) => j.startedAt > 0 || j.status === "RUNNING" || FINISHED.has(j.status));
    return begun ? "RUNNING" : "PENDING";
  }
  if (stopped) return "CANCELED";
  if (jobs.some((j) => j.status === "FAILED" || j.status === "TIMEOUT" || j.status === "STOPPED")) {
    return "FAILED";
  }
  // Jobs CANCELED because a conditional requirement (e.g. "FAILED" for a clean-up) did not hold do not make
  // a workflow fail.
  return jobs.some((j) => j.status === "COMPLETED") ? "COMPLETED" : "CANCELED";
}

export interface WorkflowStep {
  /** Names of PENDING jobs whose requirements all hold. */
  start: string[];
  /** PENDING jobs that can never start, with why. */
  cancel: { name: string; reason: string }[];
}

/**
 * One evaluation of a workflow: a PENDING job starts when every requirement holds, and is canceled when one
 * requirement's job has finished in another status (cancellation cascades, since a CANCELED job no longer
 * holds "COMPLETED"). Run it again after applying the result until it returns nothing.
 */
export function nextStep(
  jobs: readonly { name: string; status: JobStatus; requires: readonly Requirement[] }[],
): WorkflowStep {
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const step: WorkflowStep = { start: [], cancel: [] };
  for (const job of jobs) {
    if (job.status !== "PENDING") continue;
    let ready = true;
    for (const req of job.requires) {
      const dep = byName.get(req.job);
      if (!dep) {
        // A job run alone with --workflow=file:job: its requirements are not part of this run.
        continue;
      }
      if (dep.status === req.status) continue;
      ready = false;
      if (FINISHED.has(dep.status)) {
        step.cancel.push({
          name: job.name,
          reason: `requirement not met: ${req.job} is ${dep.status}, not ${req.status}`,
        });
        break;
      }
    }
    if (ready && !step.cancel.some((c) => c.name === job.name)) step.start.push(job.name);
  }
  return step;
}
