/**
 * The job use cases: run, inspect, follow, stop, delete — and recovery after the agent restarts. Transports call
 * these with already-valid input; everything that touches the machine goes through the ports.
 */
import {
  isFinished,
  JOB_ID_PREFIX,
  type JobRecord,
  type JobSpec,
  type JobStatus,
  outcomeOf,
  shortId,
  TIMEOUT_EXIT_CODE,
} from "../domain/job.ts";
import type { JobLimits } from "../domain/limits.ts";
import { type JobMetricsView, type JobSample, NO_USAGE } from "../domain/metrics.ts";
import { MetricsSampler, usageOf } from "./job_metrics.ts";
import { failedPrecondition, internal, invalidArgument, notFound } from "../domain/errors.ts";
import { jobEnvironment } from "../domain/spec.ts";
import type {
  CgroupDriver,
  Clock,
  JobCgroup,
  JobFilter,
  JobStore,
  LaunchedJob,
  Launcher,
  LogRecord,
  LogStore,
  LogWriter,
  UploadItem,
  UploadStaging,
  WorkspaceStore,
} from "./ports.ts";

export interface JobServiceOptions {
  /** Default time between SIGTERM and SIGKILL when stopping a job. */
  stopGraceMs: number;
  /** Finished jobs older than this are removed (records, logs, workspace); 0 = keep forever. */
  retentionMs: number;
  maxUploadFiles: number;
  maxUploadBytes: number;
  /** How often a running job's cgroup is sampled; 0 = only at start and end. */
  sampleIntervalMs: number;
  /** Samples kept per job. */
  samplesKept: number;
}

export interface JobServiceDeps {
  store: JobStore;
  logs: LogStore;
  cgroups: CgroupDriver;
  launcher: Launcher;
  workspaces: WorkspaceStore;
  clock: Clock;
  /** Applies the agent's defaults and bounds to what a job asked for (throws InvalidArgument). */
  resolveLimits: (requested: Partial<JobLimits>) => JobLimits;
  /** New job ids (default: random UUIDs). */
  newId?: () => string;
  log?: (msg: string) => void;
}

interface ActiveJob {
  cgroup: JobCgroup;
  writer: LogWriter;
  launched?: LaunchedJob;
  stop?: { by: string };
  timedOut?: boolean;
  timeout?: ReturnType<typeof setTimeout>;
  done: Promise<void>;
}

const encoder = new TextEncoder();

export class JobService implements JobMetricsView {
  readonly #deps: JobServiceDeps;
  readonly #opts: JobServiceOptions;
  readonly #active = new Map<string, ActiveJob>();
  readonly #sampler: MetricsSampler;

  constructor(deps: JobServiceDeps, opts: JobServiceOptions) {
    this.#deps = deps;
    this.#opts = opts;
    this.#sampler = new MetricsSampler(deps.store, deps.clock, {
      intervalMs: opts.sampleIntervalMs,
      keep: opts.samplesKept,
    }, deps.log);
  }

  /**
   * Stages the uploads, then creates and starts the job. An invalid or aborted upload throws and leaves nothing:
   * no record, no files. Resolves with the record once the job is RUNNING (or FAILED if it could not start).
   */
  async run(spec: JobSpec, uploads: AsyncIterable<UploadItem>, caller: string): Promise<JobRecord> {
    const limits = this.#deps.resolveLimits(spec.limits);
    const staging = this.#deps.workspaces.stage({
      maxFiles: this.#opts.maxUploadFiles,
      maxBytes: this.#opts.maxUploadBytes,
    });
    try {
      for await (const item of uploads) staging.write(item);
      staging.finish();
    } catch (e) {
      staging.abort();
      throw e;
    }
    return await this.#create(spec, limits, staging, caller);
  }

  async #create(
    spec: JobSpec,
    limits: JobLimits,
    staging: UploadStaging,
    caller: string,
  ): Promise<JobRecord> {
    const { store, workspaces, cgroups, logs, launcher, clock } = this.#deps;
    const id = this.#deps.newId?.() ?? crypto.randomUUID();
    const record: JobRecord = {
      id,
      name: spec.name,
      command: spec.command,
      args: spec.args,
      env: spec.env,
      secretEnv: spec.secretEnv,
      status: "INITIALIZING",
      exitCode: null,
      reason: "",
      createdAt: clock.now(),
      startedAt: 0,
      endedAt: 0,
      submittedBy: caller,
      pid: 0,
      uploadCount: staging.files,
      uploadBytes: staging.bytes,
      limits,
      usage: NO_USAGE,
    };
    let workDir: string;
    try {
      workDir = workspaces.commit(id, staging);
    } catch (e) {
      staging.abort();
      throw internal("cannot prepare the job's workspace", e);
    }
    store.insert(record);
    const writer = logs.writer(id);
    let cgroup: JobCgroup;
    try {
      cgroup = cgroups.create(id, limits);
    } catch (e) {
      return this.#failToStart(record, writer, undefined, `cannot create cgroup: ${message(e)}`);
    }
    let finished!: () => void;
    const active: ActiveJob = { cgroup, writer, done: new Promise<void>((r) => finished = r) };
    this.#active.set(id, active);

    let launched: LaunchedJob;
    try {
      launched = await launcher.launch({
        jobId: id,
        hostname: shortId(id),
        command: spec.command,
        args: spec.args,
        env: jobEnvironment(spec),
        workDir,
        cgroup,
      });
    } catch (e) {
      finished();
      return this.#failToStart(record, writer, cgroup, message(e));
    }
    active.launched = launched;
    const running = store.update(id, { status: "RUNNING", startedAt: clock.now(), pid: launched.pid });
    this.#sampler.start(id, cgroup);
    if (limits.timeoutMs > 0) {
      active.timeout = setTimeout(() => {
        active.timedOut = true;
        writer.write(
          "system",
          encoder.encode(`joblet: timeout of ${limits.timeoutMs} ms reached; stopping\n`),
        );
        this.#terminate(active, this.#opts.stopGraceMs);
      }, limits.timeoutMs);
    }
    void this.#supervise(id, active, launched).finally(finished);
    return running;
  }

  /** Copies the job's output into its log until both pipes close, then records how the job ended. */
  async #supervise(id: string, active: ActiveJob, launched: LaunchedJob): Promise<void> {
    const { store, clock } = this.#deps;
    const pump = async (stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr") => {
      for await (const chunk of stream) active.writer.write(name, chunk);
    };
    const pumps = Promise.all([pump(launched.stdout, "stdout"), pump(launched.stderr, "stderr")]);
    const exit = await launched.status;
    clearTimeout(active.timeout);
    // PID 1 of the job is gone, so the kernel has killed the rest of its PID namespace; anything that
    // escaped into the cgroup by other means is killed here too. The final counters are read before the
    // cgroup is removed.
    let oomKilled = false;
    try {
      await active.cgroup.killAll();
      const last = this.#sampler.sample(id);
      oomKilled = active.cgroup.stats().oomKills > 0;
      store.update(id, { usage: usageOf(last, oomKilled) });
    } catch (e) {
      this.#deps.log?.(`job ${id}: cannot read final usage: ${message(e)}`);
    }
    this.#sampler.stop(id);
    try {
      await active.cgroup.destroy();
    } catch (e) {
      this.#deps.log?.(`job ${id}: cannot remove cgroup: ${message(e)}`);
    }
    await pumps.catch((e) => this.#deps.log?.(`job ${id}: output capture ended: ${message(e)}`));
    let outcome: { status: JobStatus; reason: string };
    let exitCode = exit.code;
    if (active.timedOut) {
      outcome = {
        status: "TIMEOUT",
        reason: `ran past its timeout of ${(store.get(id)?.limits.timeoutMs ?? 0) / 1000} s`,
      };
      exitCode = TIMEOUT_EXIT_CODE;
    } else if (active.stop) outcome = { status: "STOPPED", reason: `stopped by ${active.stop.by}` };
    else if (oomKilled && exit.code !== 0) outcome = { status: "FAILED", reason: "OOM killed" };
    else outcome = outcomeOf(exit);
    if (outcome.reason === "OOM killed") {
      active.writer.write(
        "system",
        encoder.encode("joblet: the job ran out of memory and was killed (OOM)\n"),
      );
    }
    active.writer.close();
    this.#active.delete(id);
    store.update(id, {
      status: outcome.status,
      reason: outcome.reason,
      exitCode,
      endedAt: clock.now(),
      pid: 0,
    });
  }

  #failToStart(
    record: JobRecord,
    writer: LogWriter,
    cgroup: JobCgroup | undefined,
    reason: string,
  ): JobRecord {
    writer.write("system", encoder.encode(`joblet: job could not start: ${reason}\n`));
    writer.close();
    this.#active.delete(record.id);
    if (cgroup) void cgroup.killAll().then(() => cgroup.destroy()).catch(() => {});
    return this.#deps.store.update(record.id, {
      status: "FAILED",
      reason,
      endedAt: this.#deps.clock.now(),
    });
  }

  get(idOrPrefix: string): JobRecord {
    return this.resolve(idOrPrefix);
  }

  list(filter: JobFilter = {}): JobRecord[] {
    return this.#deps.store.list(filter);
  }

  logBytes(id: string): number {
    return this.#deps.logs.size(id);
  }

  /** Resolves a full id or a unique prefix. */
  resolve(idOrPrefix: string): JobRecord {
    const p = idOrPrefix.toLowerCase();
    if (!JOB_ID_PREFIX.test(p)) {
      throw invalidArgument(`job id "${idOrPrefix}" is not valid (a job id or its prefix: 0-9, a-f and '-')`);
    }
    const found = this.#deps.store.findByPrefix(p, 6);
    if (found.length === 0) throw notFound(`job ${idOrPrefix} not found`);
    const exact = found.find((j) => j.id === p);
    if (exact) return exact;
    if (found.length > 1) {
      const names = found.slice(0, 5).map((j) => j.id).join(", ");
      throw invalidArgument(
        `job id prefix "${idOrPrefix}" is ambiguous: it matches ${names}${found.length > 5 ? ", …" : ""}`,
      );
    }
    return found[0];
  }

  logs(idOrPrefix: string, follow: boolean, signal?: AbortSignal): AsyncIterable<LogRecord> {
    const job = this.resolve(idOrPrefix);
    return this.#deps.logs.read(job.id, { follow: follow && !isFinished(job.status), signal });
  }

  /** SIGTERM to every process of the job, SIGKILL after the grace period; resolves when the job has ended. */
  async stop(idOrPrefix: string, graceMs: number | undefined, caller: string): Promise<JobRecord> {
    const job = this.resolve(idOrPrefix);
    const active = this.#active.get(job.id);
    if (isFinished(job.status) || !active) {
      throw failedPrecondition(`job ${job.id} is already ${job.status}; only running jobs can be stopped`);
    }
    if (!active.stop) {
      active.stop = { by: caller };
      const grace = graceMs ?? this.#opts.stopGraceMs;
      active.writer.write(
        "system",
        encoder.encode(`joblet: stop requested by ${caller}; SIGTERM, SIGKILL after ${grace} ms\n`),
      );
      this.#terminate(active, grace);
    }
    await active.done;
    return this.get(job.id);
  }

  /** SIGTERM to every process of the job; SIGKILL to what is left after `graceMs`. */
  #terminate(active: ActiveJob, graceMs: number): void {
    try {
      active.cgroup.signal("SIGTERM");
    } catch { /* the job may be exiting */ }
    const timer = setTimeout(() => void active.cgroup.killAll().catch(() => {}), graceMs);
    void active.done.finally(() => clearTimeout(timer));
  }

  /** The stored samples of a job, then (with follow) live samples until it ends. */
  metrics(idOrPrefix: string, follow: boolean, signal?: AbortSignal): AsyncIterable<JobSample> {
    const job = this.resolve(idOrPrefix);
    return this.#sampler.stream(job.id, follow && !isFinished(job.status), signal);
  }

  counts(): Record<string, number> {
    return this.#deps.store.counts();
  }

  running(): Array<{ id: string; name: string; sample: JobSample | undefined }> {
    return [...this.#active.keys()].map((id) => {
      const job = this.#deps.store.get(id);
      return { id, name: job?.name ?? "", sample: this.#sampler.latest(id) };
    });
  }

  /** Removes a finished job: record, logs and workspace. */
  delete(idOrPrefix: string): string {
    const job = this.resolve(idOrPrefix);
    if (!isFinished(job.status)) {
      throw failedPrecondition(`job ${job.id} is ${job.status}; stop it before deleting it`);
    }
    this.#remove(job.id);
    return job.id;
  }

  deleteAll(): { deleted: string[]; skipped: number } {
    const deleted: string[] = [];
    let skipped = 0;
    for (const job of this.#deps.store.list()) {
      if (isFinished(job.status)) {
        this.#remove(job.id);
        deleted.push(job.id);
      } else skipped++;
    }
    return { deleted, skipped };
  }

  #remove(id: string): void {
    this.#deps.logs.delete(id);
    this.#deps.workspaces.remove(id);
    this.#deps.store.delete(id);
  }

  /**
   * After a restart: jobs that were INITIALIZING or RUNNING lost their supervisor (and their output pipes), so
   * they are killed by cgroup and marked FAILED with the reason "agent restarted" (docs/adr/0001).
   */
  async recover(): Promise<number> {
    const { store, cgroups, logs, clock } = this.#deps;
    const orphans = store.list({ statuses: ["INITIALIZING", "RUNNING"] });
    for (const job of orphans) {
      const cg = cgroups.open(job.id);
      if (cg) {
        try {
          await cg.killAll();
          await cg.destroy();
        } catch (e) {
          this.#deps.log?.(`recover ${job.id}: cannot clean up cgroup: ${message(e)}`);
        }
      }
      const w = logs.writer(job.id);
      w.write(
        "system",
        encoder.encode("joblet: the agent restarted while the job ran; the job was stopped\n"),
      );
      w.close();
      store.update(job.id, { status: "FAILED", reason: "agent restarted", endedAt: clock.now(), pid: 0 });
    }
    return orphans.length;
  }

  /** Removes finished jobs past the retention window. Returns how many. */
  sweep(): number {
    if (this.#opts.retentionMs <= 0) return 0;
    const cutoff = this.#deps.clock.now() - this.#opts.retentionMs;
    let n = 0;
    for (const job of this.#deps.store.list({ statuses: ["COMPLETED", "FAILED", "STOPPED", "TIMEOUT"] })) {
      if (job.endedAt > 0 && job.endedAt < cutoff) {
        this.#remove(job.id);
        n++;
      }
    }
    return n;
  }

  /** Stops every running job (agent shutdown). */
  async stopAll(caller: string): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.stop(id, undefined, caller).catch(() => {})));
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
