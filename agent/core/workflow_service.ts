/**
 * Workflow use cases: submit a YAML file (validated whole before anything starts), move each workflow on as its
 * jobs end (start what is ready, cancel what can never run, cascading), show, list and stop workflows, and carry
 * on after an agent restart. The jobs themselves are ordinary jobs run by JobService.
 */
import type { JobRecord } from "../domain/job.ts";
import { isFinished, JOB_ID_PREFIX } from "../domain/job.ts";
import { nextStep, type WorkflowRecord, type WorkflowStatus, workflowStatus } from "../domain/workflow.ts";
import { didYouMean, parseWorkflow } from "../domain/workflow_yaml.ts";
import { invalidArgument, notFound } from "../domain/errors.ts";
import type { JobService } from "./job_service.ts";
import type { Clock, JobStore, UploadItem, UploadStaging } from "./ports.ts";
import type { WorkflowStore } from "./workflow_ports.ts";

export interface WorkflowUploadItem {
  /** The workflow job whose /work receives it. */
  job: string;
  item: UploadItem;
}

export interface WorkflowView {
  workflow: WorkflowRecord;
  status: WorkflowStatus;
  jobs: JobRecord[];
  startedAt: number;
  endedAt: number;
}

export class WorkflowService {
  readonly #jobs: JobService;
  readonly #store: JobStore & WorkflowStore;
  readonly #clock: Clock;
  readonly #newId: () => string;
  /** Workflows being moved on now, and whether something changed meanwhile (advance() is re-entered by the
   * job-finished events it causes). */
  readonly #advancing = new Map<string, boolean>();

  constructor(
    jobs: JobService,
    store: JobStore & WorkflowStore,
    clock: Clock,
    newId: () => string = () => crypto.randomUUID(),
  ) {
    this.#jobs = jobs;
    this.#store = store;
    this.#clock = clock;
    this.#newId = newId;
    jobs.onFinished((job) => {
      if (job.workflowId) this.advance(job.workflowId);
    });
  }

  /**
   * Validates the file, stages every job's uploads, stores the workflow with its jobs PENDING, and starts the
   * jobs that require nothing. With `only`, runs that one job of the file by itself.
   */
  async submit(
    input: { file: string; yaml: string; only: string },
    uploads: AsyncIterable<WorkflowUploadItem>,
    caller: string,
  ): Promise<WorkflowView> {
    // Volumes, networks and runtimes this node lacks are reported with the file's other problems, at their line.
    const parsed = parseWorkflow(input.yaml, input.file, {
      only: input.only,
      node: {
        volume: (m) => this.#jobs.checkVolumes({ volumes: [m] }),
        network: (n) => this.#jobs.checkNetwork(n),
        runtime: (r) => this.#jobs.checkRuntime(r),
      },
    });
    let defs = parsed.jobs;
    if (input.only) {
      const def = defs.find((d) => d.name === input.only);
      if (!def) {
        const hint = didYouMean(input.only, defs.map((d) => d.name));
        throw invalidArgument(
          `workflow ${input.file} has no job "${input.only}"${hint ? ` (did you mean "${hint}"?)` : ""}; ` +
            `its jobs: ${defs.map((d) => d.name).join(", ")}`,
        );
      }
      defs = [{ ...def, requires: [] }];
    }
    const limits = defs.map((d) => this.#jobs.resolveLimits(d.spec.limits));
    for (const d of defs) {
      this.#jobs.checkVolumes(d.spec);
      this.#jobs.checkNetwork(d.spec.network, d.spec.maxNetBwBytes);
      this.#jobs.checkRuntime(d.spec.runtime);
    }
    const stagings = new Map<string, UploadStaging>();
    try {
      for (const d of defs) stagings.set(d.name, this.#jobs.newStaging(d.spec.maxDiskBytes));
      for await (const u of uploads) {
        const staging = stagings.get(u.job);
        if (!staging) {
          throw invalidArgument(
            `upload "${u.item.path}" is for job "${u.job}", which this run does not have`,
          );
        }
        staging.write(u.item);
      }
      for (const s of stagings.values()) s.finish();
    } catch (e) {
      for (const s of stagings.values()) s.abort();
      throw e;
    }
    const now = this.#clock.now();
    const workflow: WorkflowRecord = {
      id: this.#newId(),
      name: parsed.name,
      file: input.file,
      yaml: input.yaml,
      selectedJob: input.only,
      submittedBy: caller,
      createdAt: now,
      stoppedBy: "",
    };
    this.#store.transaction(() => {
      this.#store.insertWorkflow(workflow);
      defs.forEach((d, i) => {
        const staging = stagings.get(d.name)!;
        const record = this.#jobs.newRecord(d.spec, limits[i], caller, staging);
        record.status = "PENDING";
        record.createdAt = now + i; // keeps the file's order
        record.workflowId = workflow.id;
        record.workflowJob = d.name;
        record.requires = d.requires;
        this.#jobs.admit(record, staging);
        this.#jobs.reserveNetwork(record, d.spec.network, d.spec.maxNetBwBytes);
      });
    });
    this.advance(workflow.id);
    return this.view(workflow);
  }

  /** Starts every PENDING job whose requirements hold and cancels those that can never start, until stable. */
  advance(workflowId: string): void {
    if (this.#advancing.has(workflowId)) {
      this.#advancing.set(workflowId, true);
      return;
    }
    this.#advancing.set(workflowId, true);
    try {
      while (this.#advancing.get(workflowId)) {
        this.#advancing.set(workflowId, false);
        const wf = this.#store.getWorkflow(workflowId);
        if (!wf) return;
        const jobs = this.#store.jobsOfWorkflow(workflowId);
        const byName = new Map(jobs.map((j) => [j.workflowJob, j]));
        const step = nextStep(
          jobs.map((j) => ({ name: j.workflowJob, status: j.status, requires: j.requires })),
        );
        for (const c of step.cancel) {
          this.#jobs.endWaiting(byName.get(c.name)!.id, "CANCELED", c.reason);
        }
        if (wf.stoppedBy) continue;
        for (const name of step.start) {
          void this.#jobs.start(byName.get(name)!.id).catch(() => {});
        }
      }
    } finally {
      this.#advancing.delete(workflowId);
    }
  }

  /** After an agent restart: moves every unfinished workflow on. */
  recover(): void {
    for (const wf of this.#store.listWorkflows()) {
      const jobs = this.#store.jobsOfWorkflow(wf.id);
      if (jobs.some((j) => j.status === "PENDING")) this.advance(wf.id);
    }
  }

  view(wf: WorkflowRecord): WorkflowView {
    const jobs = this.#store.jobsOfWorkflow(wf.id);
    const starts = jobs.flatMap((j) => [j.startedAt, ...j.attempts.map((a) => a.startedAt)]).filter((t) =>
      t > 0
    );
    const status = workflowStatus(jobs, wf.stoppedBy !== "");
    const done = jobs.every((j) => isFinished(j.status));
    return {
      workflow: wf,
      status,
      jobs,
      startedAt: starts.length ? Math.min(...starts) : 0,
      endedAt: done && jobs.length ? Math.max(...jobs.map((j) => j.endedAt)) : 0,
    };
  }

  get(idOrPrefix: string): WorkflowView {
    return this.view(this.resolve(idOrPrefix));
  }

  list(limit = 0): WorkflowView[] {
    return this.#store.listWorkflows(limit).map((w) => this.view(w));
  }

  resolve(idOrPrefix: string): WorkflowRecord {
    const p = idOrPrefix.toLowerCase();
    if (!JOB_ID_PREFIX.test(p)) {
      throw invalidArgument(
        `workflow id "${idOrPrefix}" is not valid (an id or its prefix: 0-9, a-f and '-')`,
      );
    }
    const found = this.#store.findWorkflowsByPrefix(p, 6);
    if (found.length === 0) throw notFound(`workflow ${idOrPrefix} not found`);
    const exact = found.find((w) => w.id === p);
    if (exact) return exact;
    if (found.length > 1) {
      throw invalidArgument(
        `workflow id prefix "${idOrPrefix}" is ambiguous: it matches ${found.map((w) => w.id).join(", ")}`,
      );
    }
    return found[0];
  }

  /** Cancels the jobs that have not started, then stops the running ones; resolves when they have ended. */
  async stop(idOrPrefix: string, caller: string): Promise<WorkflowView> {
    const wf = this.resolve(idOrPrefix);
    const stopped = this.#store.updateWorkflow(wf.id, { stoppedBy: caller });
    for (const { id } of this.#store.jobsOfWorkflow(wf.id)) {
      // Each cancel may cascade to later jobs, so read the status afresh.
      const j = this.#store.get(id);
      if (j && (j.status === "PENDING" || j.status === "SCHEDULED")) {
        this.#jobs.endWaiting(j.id, "CANCELED", `workflow stopped by ${caller}`);
      }
    }
    const running = this.#store.jobsOfWorkflow(wf.id).filter((j) => !isFinished(j.status));
    await Promise.all(running.map((j) => this.#jobs.stop(j.id, undefined, caller).catch(() => {})));
    return this.view(stopped);
  }
}
