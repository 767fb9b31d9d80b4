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
  NO_RETRY,
  outcomeOf,
  PLAIN_JOB,
  type ScheduleEvent,
  shortId,
  TIMEOUT_EXIT_CODE,
  WAITING,
} from "../domain/job.ts";
import { checkTimeZone, nextTick, parseCron, ticksBetween } from "../domain/cron.ts";
import { parseSchedule } from "../domain/schedule.ts";
import { Scheduler, type Timers } from "./scheduler.ts";
import type { WorkflowStore } from "./workflow_ports.ts";
import type { JobVolumes } from "./volume_ports.ts";
import type { JobNetworks } from "./network_ports.ts";
import type { JobRuntimes } from "./runtime_ports.ts";
import { WorkflowService } from "./workflow_service.ts";
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
  /** Size of a job's /work when it does not give --max-disk; 0 or absent = no limit. */
  maxDiskBytes?: number;
}

export interface JobServiceDeps {
  store: JobStore & WorkflowStore;
  logs: LogStore;
  cgroups: CgroupDriver;
  launcher: Launcher;
  workspaces: WorkspaceStore;
  clock: Clock;
  /** Applies the agent's defaults and bounds to what a job asked for (throws InvalidArgument). */
  resolveLimits: (requested: Partial<JobLimits>) => JobLimits;
  /** New job ids (default: random UUIDs). */
  newId?: () => string;
  /** Timers for the scheduler (default: real ones); tests pass fakes to move time themselves. */
  timers?: Timers;
  /** Volumes for `--volume` (absent: a job that asks for one is refused). */
  volumes?: JobVolumes;
  /** Networks for `--network` (absent: every job has loopback only, and naming a network is refused). */
  networks?: JobNetworks;
  /** Runtimes for `--runtime` (absent: a job that asks for one is refused). */
  runtimes?: JobRuntimes;
  log?: (msg: string) => void;
}

interface ActiveJob {
  /** The cron schedule that started it ("" = none). */
  scheduleId: string;
  cgroup: JobCgroup;
  writer: LogWriter;
  launched?: LaunchedJob;
  stop?: { by: string };
  timedOut?: boolean;
  network?: Awaited<ReturnType<JobNetworks["prepare"]>>;
  timeout?: ReturnType<typeof setTimeout>;
  done: Promise<void>;
}

const encoder = new TextEncoder();

/** A job that starts this much after its time because the agent was down says so. */
const LATE_AFTER_MS = 1000;
/** Retry back-off doubles up to this. */
const MAX_RETRY_DELAY_MS = 24 * 3_600_000;
/** Events kept per cron schedule. */
const HISTORY_KEPT = 100;

/** Called when a job has reached a final state (COMPLETED, FAILED, STOPPED, TIMEOUT or CANCELED). */
export type FinishedListener = (job: JobRecord) => void;

export class JobService implements JobMetricsView {
  readonly #deps: JobServiceDeps;
  readonly #opts: JobServiceOptions;
  readonly #active = new Map<string, ActiveJob>();
  readonly #sampler: MetricsSampler;
  readonly #scheduler: Scheduler;
  readonly #finishedListeners: FinishedListener[] = [];
  /** Runs of cron schedules whose /work is being prepared: run id → schedule id (they count as running). */
  readonly #preparing = new Map<string, string>();
  /** Set by shutdown(): nothing new starts and workflows are left as they are for the next start. */
  #closing = false;
  /** Workflows of jobs (YAML files with requirements). */
  readonly workflows: WorkflowService;

  constructor(deps: JobServiceDeps, opts: JobServiceOptions) {
    this.#deps = deps;
    this.#opts = opts;
    this.workflows = new WorkflowService(this, deps.store, deps.clock);
    this.#scheduler = new Scheduler(deps.clock, (id, at) => this.#due(id, at), deps.timers);
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
    const { clock } = this.#deps;
    const limits = this.#deps.resolveLimits(spec.limits);
    this.checkVolumes(spec);
    this.#checkNetwork(spec.network, spec.maxNetBwBytes);
    this.checkRuntime(spec.runtime);
    const when = spec.schedule ? parseSchedule(spec.schedule.spec, clock.now()) : undefined;
    let cronAt = 0;
    if (when?.kind === "cron") {
      checkTimeZone(spec.schedule!.timezone);
      const next = nextTick(when.cron, clock.now(), spec.schedule!.timezone);
      if (next === undefined) {
        throw invalidArgument(`--schedule "cron:${when.expr}" never matches a date (e.g. February 30th)`);
      }
      cronAt = next;
    }
    const staging = await this.stage(uploads, spec.maxDiskBytes);
    const record = this.newRecord(spec, limits, caller, staging);
    if (when?.kind === "at") {
      record.status = "SCHEDULED";
      record.scheduledAt = when.at;
    } else if (when?.kind === "cron") {
      record.status = "SCHEDULED";
      record.scheduledAt = cronAt;
      record.cron = {
        expr: when.expr,
        timezone: spec.schedule!.timezone,
        allowOverlap: spec.schedule!.allowOverlap,
        missed: spec.schedule!.missed,
      };
    }
    this.admit(record, staging);
    const names = [record.name, shortId(record.id)];
    this.#deps.networks?.reserve(record.id, spec.network, names, spec.maxNetBwBytes);
    if (record.status === "SCHEDULED") {
      this.#scheduler.add(record.id, record.scheduledAt);
      return record;
    }
    return await this.#launch(record);
  }

  /** Throws NotFound for a volume that does not exist (before anything of the job is made). */
  checkVolumes(spec: Pick<JobSpec, "volumes">): void {
    const asked = spec.volumes ?? [];
    if (asked.length === 0) return;
    if (!this.#deps.volumes) throw failedPrecondition("this agent has no volumes; remove --volume");
    this.#deps.volumes.check(asked);
  }

  /** Workflows: throws for a network this agent does not have, before anything of the workflow is made. */
  checkNetwork(network: string | undefined, maxNetBwBytes?: number): void {
    this.#checkNetwork(network, maxNetBwBytes);
  }

  /** Workflows: remembers an admitted job's network (its default when `network` is empty) and traffic limit. */
  reserveNetwork(record: JobRecord, network: string | undefined, maxNetBwBytes?: number): void {
    this.#deps.networks?.reserve(record.id, network, [record.name, shortId(record.id)], maxNetBwBytes);
  }

  /** Throws NotFound for a runtime that is not installed (before anything of the job is made). */
  checkRuntime(runtime: string | undefined): void {
    if (!runtime) return;
    if (!this.#deps.runtimes) {
      throw failedPrecondition(`this agent has no runtimes; remove --runtime=${runtime}`);
    }
    this.#deps.runtimes.check(runtime);
  }

  /** Throws InvalidArgument for an unknown network (before anything of the job is made). */
  #checkNetwork(network: string | undefined, maxNetBwBytes?: number): void {
    if (this.#deps.networks) return this.#deps.networks.check(network, maxNetBwBytes);
    if (network && network !== "none") {
      throw failedPrecondition(`this agent has no networking; remove --network=${network}`);
    }
    if (maxNetBwBytes) throw failedPrecondition("this agent has no networking; remove --max-net-bw");
  }

  /** The agent's defaults and bounds applied to what a job asked for (throws InvalidArgument). */
  resolveLimits(requested: Partial<JobLimits>): JobLimits {
    return this.#deps.resolveLimits(requested);
  }

  /** An empty staging area for one job's uploads, within the agent's upload limits and its /work size. */
  newStaging(diskBytes?: number): UploadStaging {
    return this.#deps.workspaces.stage({
      maxFiles: this.#opts.maxUploadFiles,
      maxBytes: this.#opts.maxUploadBytes,
      diskBytes: diskBytes || this.#opts.maxDiskBytes || 0,
    });
  }

  /** Writes every upload into a new staging area; an invalid or aborted upload leaves nothing. */
  async stage(uploads: AsyncIterable<UploadItem>, diskBytes?: number): Promise<UploadStaging> {
    const staging = this.newStaging(diskBytes);
    try {
      for await (const item of uploads) staging.write(item);
      staging.finish();
    } catch (e) {
      staging.abort();
      throw e;
    }
    return staging;
  }

  /** A new INITIALIZING record for `spec` (not stored yet). */
  newRecord(spec: JobSpec, limits: JobLimits, caller: string, staging: UploadStaging): JobRecord {
    return {
      id: this.#deps.newId?.() ?? crypto.randomUUID(),
      name: spec.name,
      command: spec.command,
      args: spec.args,
      env: spec.env,
      secretEnv: spec.secretEnv,
      status: "INITIALIZING",
      exitCode: null,
      reason: "",
      createdAt: this.#deps.clock.now(),
      startedAt: 0,
      endedAt: 0,
      submittedBy: caller,
      pid: 0,
      uploadCount: staging.files,
      uploadBytes: staging.bytes,
      limits,
      usage: NO_USAGE,
      ...PLAIN_JOB,
      retry: spec.retry ?? NO_RETRY,
      volumes: spec.volumes ?? [],
      runtime: spec.runtime ?? "",
    };
  }

  /** Moves the staged uploads into place as the job's /work and stores the record. */
  admit(record: JobRecord, staging: UploadStaging): void {
    try {
      this.#deps.workspaces.commit(record.id, staging);
    } catch (e) {
      staging.abort();
      throw internal("cannot prepare the job's workspace", e);
    }
    this.#deps.store.insert(record);
  }

  /** Registers a listener for jobs reaching a final state (workflows use it). */
  onFinished(listener: FinishedListener): void {
    this.#finishedListeners.push(listener);
  }

  #finished(job: JobRecord): void {
    if (this.#closing) return;
    for (const l of this.#finishedListeners) {
      try {
        l(job);
      } catch (e) {
        this.#deps.log?.(`job ${job.id}: finished listener failed: ${message(e)}`);
      }
    }
  }

  /** Starts a stored job that waits (SCHEDULED or PENDING, or a new INITIALIZING one). */
  start(id: string): Promise<JobRecord> {
    const job = this.#deps.store.get(id);
    if (!job) throw notFound(`job ${id} not found`);
    return this.#launch(job);
  }

  async #launch(job: JobRecord): Promise<JobRecord> {
    const { store, workspaces, cgroups, logs, launcher, clock } = this.#deps;
    const id = job.id;
    const record = job.status === "INITIALIZING" ? job : store.update(id, { status: "INITIALIZING" });
    const limits = record.limits;
    const workspace = record.id;
    const writer = logs.writer(id);
    if (record.lateMs > 0) {
      writer.write(
        "system",
        encoder.encode(
          `joblet: started ${Math.round(record.lateMs / 1000)} s after its scheduled time ` +
            `${new Date(record.scheduledAt).toISOString()}: the agent was not running then\n`,
        ),
      );
    }
    let cgroup: JobCgroup;
    try {
      cgroup = cgroups.create(id, limits);
    } catch (e) {
      return this.#failToStart(record, writer, undefined, `cannot create cgroup: ${message(e)}`);
    }
    let finished!: () => void;
    const active: ActiveJob = {
      scheduleId: record.scheduleId,
      cgroup,
      writer,
      done: new Promise<void>((r) => finished = r),
    };
    this.#active.set(id, active);
    void active.done.then(() => this.#deps.volumes?.release(id));
    void active.done.then(() => this.#deps.runtimes?.release(id));

    let launched: LaunchedJob;
    try {
      const mounts = this.#deps.volumes?.acquire(id, record.volumes ?? []);
      if (!mounts && record.volumes?.length) throw failedPrecondition("this agent has no volumes");
      const opened = workspaces.open(workspace); // a plain directory answers at once: no extra tick
      const workDir = typeof opened === "string" ? opened : await opened.catch((e) => {
        throw new Error(`cannot prepare its /work: ${message(e)}`, { cause: e });
      });
      void active.done.then(() => workspaces.close(workspace));
      const runtime = record.runtime ? this.#deps.runtimes?.acquire(id, record.runtime) : undefined;
      if (!runtime && record.runtime) {
        throw failedPrecondition("this agent has no runtimes");
      }
      active.network = await this.#deps.networks?.prepare(id);
      launched = await launcher.launch({
        runtime: runtime && { root: runtime.root, etc: runtime.etc },
        network: active.network,
        mounts,
        jobId: id,
        hostname: shortId(id),
        command: record.command,
        args: record.args,
        env: jobEnvironment(record, runtime?.env),
        workDir,
        cgroup,
      });
    } catch (e) {
      await Promise.resolve().then(() => active.network?.detach()).catch(() => {});
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
    await Promise.resolve().then(() => active.network?.detach()).catch((e) =>
      this.#deps.log?.(`job ${id}: cannot disconnect its network: ${message(e)}`)
    );
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
    const job = store.get(id)!;
    const retryAt = active.stop ? undefined : this.#retryTime(job, outcome, exitCode);
    if (retryAt !== undefined) {
      const attempt = job.attempts.length + 1;
      const total = job.retry.retries + 1;
      active.writer.write(
        "system",
        encoder.encode(
          `joblet: attempt ${attempt} of ${total} ${outcome.status} (${outcome.reason}); retrying in ` +
            `${Math.round((retryAt - clock.now()) / 1000)} s\n`,
        ),
      );
      active.writer.close();
      this.#active.delete(id);
      store.update(id, {
        status: "SCHEDULED",
        scheduledAt: retryAt,
        lateMs: 0,
        reason: `attempt ${attempt} of ${total} ${outcome.status} (${outcome.reason}); next attempt at ` +
          new Date(retryAt).toISOString(),
        exitCode: null,
        startedAt: 0,
        pid: 0,
        attempts: [...job.attempts, {
          attempt,
          startedAt: job.startedAt,
          endedAt: clock.now(),
          status: outcome.status,
          exitCode,
          reason: outcome.reason,
        }],
      });
      if (!this.#closing) this.#scheduler.add(id, retryAt);
      return;
    }
    active.writer.close();
    this.#active.delete(id);
    const ended = store.update(id, {
      status: outcome.status,
      reason: outcome.reason,
      exitCode,
      endedAt: clock.now(),
      pid: 0,
    });
    this.#finished(ended);
  }

  /**
   * When to retry a job whose attempt ended with `outcome`, or undefined: only FAILED and TIMEOUT attempts
   * are retried, never an OOM kill nor an exit code in --no-retry-on, and at most --retries times. The wait
   * doubles with each attempt.
   */
  #retryTime(
    job: JobRecord,
    outcome: { status: JobStatus; reason: string },
    exitCode: number,
  ): number | undefined {
    const r = job.retry;
    if (r.retries <= job.attempts.length) return undefined;
    if (outcome.status !== "FAILED" && outcome.status !== "TIMEOUT") return undefined;
    if (outcome.reason === "OOM killed" || r.noRetryOn.includes(exitCode)) return undefined;
    const delay = Math.min(r.delayMs * 2 ** job.attempts.length, MAX_RETRY_DELAY_MS);
    return this.#deps.clock.now() + delay;
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
    const failed = this.#deps.store.update(record.id, {
      status: "FAILED",
      reason,
      endedAt: this.#deps.clock.now(),
    });
    this.#finished(failed);
    return failed;
  }

  /** The scheduler says `id` is due: start it, or for a cron schedule start a run and plan the next tick. */
  #due(id: string, at: number): void {
    if (this.#closing) return;
    let job: JobRecord | undefined;
    try {
      job = this.#deps.store.get(id);
    } catch (e) {
      this.#deps.log?.(`scheduled job ${id}: cannot read it: ${message(e)}`);
      return;
    }
    if (!job || job.status !== "SCHEDULED") return;
    const late = this.#deps.clock.now() - at;
    if (job.cron) {
      this.#tick(job, at, late);
      return;
    }
    if (late > LATE_AFTER_MS) job = this.#deps.store.update(id, { lateMs: late });
    void this.#launch(job).catch((e) => this.#deps.log?.(`scheduled job ${id}: ${message(e)}`));
  }

  /** One tick of a cron schedule: a new job (unless the last run still runs), then the next tick. */
  #tick(schedule: JobRecord, at: number, late: number): void {
    const { store, clock } = this.#deps;
    const cron = schedule.cron!;
    const events: ScheduleEvent[] = [];
    const running = [...this.#active.values()].some((a) => a.scheduleId === schedule.id) ||
      [...this.#preparing.values()].includes(schedule.id);
    if (running && !cron.allowOverlap) {
      events.push({ time: at, text: "tick skipped: the previous run is still running", jobId: "" });
    } else {
      const run: JobRecord = {
        ...schedule,
        ...PLAIN_JOB,
        id: this.#deps.newId?.() ?? crypto.randomUUID(),
        status: "INITIALIZING",
        createdAt: clock.now(),
        scheduledAt: at,
        lateMs: late > LATE_AFTER_MS ? late : 0,
        scheduleId: schedule.id,
        retry: schedule.retry,
        volumes: schedule.volumes,
        runtime: schedule.runtime,
        reason: "",
        history: [],
      };
      events.push({ time: at, text: late > LATE_AFTER_MS ? "started late" : "started", jobId: run.id });
      void this.#startRun(run).catch((e) => this.#deps.log?.(`schedule ${schedule.id}: ${message(e)}`));
    }
    const next = nextTick(parseCron(cron.expr), Math.max(at, clock.now()), cron.timezone);
    const history = [...schedule.history, ...events].slice(-HISTORY_KEPT);
    if (next === undefined) {
      const done = store.update(schedule.id, {
        status: "COMPLETED",
        reason: "the schedule has no further ticks",
        endedAt: clock.now(),
        history,
      });
      this.#deps.workspaces.remove(schedule.id);
      this.#finished(done);
      return;
    }
    store.update(schedule.id, { scheduledAt: next, history });
    this.#scheduler.add(schedule.id, next);
  }

  /**
   * One run of a cron schedule: its own /work holding a fresh copy of the schedule's uploads (so what a run
   * leaves there never reaches the next), then started like any job. A /work that cannot be made fails the run.
   */
  async #startRun(run: JobRecord): Promise<void> {
    const { store, workspaces } = this.#deps;
    this.#preparing.set(run.id, run.scheduleId);
    try {
      const staging = await workspaces.restage(run.scheduleId, {
        maxFiles: this.#opts.maxUploadFiles,
        maxBytes: this.#opts.maxUploadBytes,
      });
      try {
        workspaces.commit(run.id, staging);
      } catch (e) {
        staging.abort();
        throw e;
      }
    } catch (e) {
      this.#preparing.delete(run.id);
      store.insert(run);
      const reason = `cannot prepare its /work: ${message(e)}`;
      this.#failToStart(run, this.#deps.logs.writer(run.id), undefined, reason);
      return;
    }
    store.insert(run);
    this.#deps.networks?.inherit(run.scheduleId, run.id, [run.name, shortId(run.id)]);
    try {
      await this.#launch(run);
    } finally {
      this.#preparing.delete(run.id);
    }
  }

  /**
   * The job, with its network and traffic limit (kept by the network store, not in the record) when the agent
   * has networks.
   */
  get(idOrPrefix: string): JobRecord & { network?: string; maxNetBwBytes?: number } {
    const job = this.resolve(idOrPrefix);
    const nets = this.#deps.networks;
    return nets ? { ...job, network: nets.networkOf(job.id), maxNetBwBytes: nets.maxNetBwOf(job.id) } : job;
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
    if (WAITING.has(job.status)) {
      const what = job.cron ? "schedule stopped" : "stopped before it ran";
      return this.endWaiting(job.id, "STOPPED", `${what} by ${caller}`);
    }
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

  /** Ends a SCHEDULED or PENDING job (or cron schedule) without running it: `rnx job cancel`. */
  cancel(idOrPrefix: string, caller: string): JobRecord {
    const job = this.resolve(idOrPrefix);
    if (!WAITING.has(job.status)) {
      throw failedPrecondition(
        `job ${job.id} is ${job.status}; only SCHEDULED or PENDING jobs can be canceled ` +
          `(use rnx job stop for a running one)`,
      );
    }
    return this.endWaiting(job.id, "CANCELED", `${job.cron ? "schedule canceled" : "canceled"} by ${caller}`);
  }

  /** Moves a waiting job to STOPPED or CANCELED; it never runs. */
  endWaiting(id: string, status: "STOPPED" | "CANCELED", reason: string): JobRecord {
    const job = this.#deps.store.get(id);
    if (!job || !WAITING.has(job.status)) {
      throw failedPrecondition(`job ${id} is ${job?.status ?? "gone"}; it no longer waits`);
    }
    this.#scheduler.remove(id);
    const ended = this.#deps.store.update(id, { status, reason, endedAt: this.#deps.clock.now() });
    // A schedule's uploads are only copied from; its runs have their own /work (kept with each run).
    if (job.cron) this.#deps.workspaces.remove(id);
    this.#finished(ended);
    return ended;
  }

  /** The earliest job the scheduler waits for. */
  nextDue(): { id: string; at: number } | undefined {
    return this.#scheduler.peek();
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
      throw failedPrecondition(
        `job ${job.id} is ${job.status}; ${
          WAITING.has(job.status) ? "cancel" : "stop"
        } it before deleting it`,
      );
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
    this.#deps.networks?.release(id);
  }

  /**
   * After a restart: jobs that were INITIALIZING or RUNNING lost their supervisor (and their output pipes), so
   * they are killed by cgroup and marked FAILED with the reason "agent restarted" (docs/adr/0001).
   */
  async recover(): Promise<number> {
    const orphans = await this.#recoverOrphans();
    this.#recoverScheduled();
    this.workflows.recover();
    return orphans;
  }

  async #recoverOrphans(): Promise<number> {
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
      const outcome = { status: "FAILED" as const, reason: "agent restarted" };
      const retryAt = this.#retryTime(job, outcome, -1);
      if (retryAt !== undefined) {
        const attempt = job.attempts.length + 1;
        w.write("system", encoder.encode(`joblet: attempt ${attempt} will be retried\n`));
        store.update(job.id, {
          status: "SCHEDULED",
          scheduledAt: retryAt,
          reason:
            `attempt ${attempt} of ${job.retry.retries + 1} FAILED (agent restarted); next attempt at ` +
            new Date(retryAt).toISOString(),
          pid: 0,
          startedAt: 0,
          attempts: [...job.attempts, {
            attempt,
            startedAt: job.startedAt,
            endedAt: clock.now(),
            status: "FAILED",
            exitCode: null,
            reason: "agent restarted",
          }],
        });
      } else {
        store.update(job.id, { status: "FAILED", reason: "agent restarted", endedAt: clock.now(), pid: 0 });
      }
      w.close();
    }
    return orphans.length;
  }

  /**
   * Puts every SCHEDULED job back into the scheduler; one whose time passed while the agent was down starts at
   * once (and says it ran late). A cron schedule that missed ticks follows its --missed policy: "once" runs
   * one job now, "skip" waits for the next tick; either way the history records how many were missed.
   */
  #recoverScheduled(): void {
    const { store, clock } = this.#deps;
    const now = clock.now();
    for (const job of store.list({ statuses: ["SCHEDULED"] })) {
      if (!job.cron || job.scheduledAt > now) {
        this.#scheduler.add(job.id, job.scheduledAt);
        continue;
      }
      const expr = parseCron(job.cron.expr);
      const missed = ticksBetween(expr, job.scheduledAt - 1, now, job.cron.timezone);
      const more = missed >= 1000 ? " or more" : "";
      if (job.cron.missed === "once") {
        const text = `missed ${missed}${more} tick(s) while the agent was down; running once now`;
        store.update(job.id, {
          history: [...job.history, { time: now, text, jobId: "" }].slice(-HISTORY_KEPT),
        });
        this.#scheduler.add(job.id, job.scheduledAt);
      } else {
        const next = nextTick(expr, now, job.cron.timezone) ?? now;
        const text = `missed ${missed}${more} tick(s) while the agent was down; skipped (--missed=skip)`;
        store.update(job.id, {
          scheduledAt: next,
          history: [...job.history, { time: now, text, jobId: "" }].slice(-HISTORY_KEPT),
        });
        this.#scheduler.add(job.id, next);
      }
    }
  }

  /** Removes finished jobs past the retention window. Returns how many. */
  sweep(): number {
    if (this.#opts.retentionMs <= 0) return 0;
    const cutoff = this.#deps.clock.now() - this.#opts.retentionMs;
    let n = 0;
    const done: JobStatus[] = ["COMPLETED", "FAILED", "STOPPED", "TIMEOUT", "CANCELED"];
    for (const job of this.#deps.store.list({ statuses: done })) {
      if (job.endedAt > 0 && job.endedAt < cutoff) {
        this.#remove(job.id);
        n++;
      }
    }
    return n;
  }

  /**
   * Agent shutdown, before running jobs are stopped: no scheduled job starts any more, and jobs ending from now
   * on do not move their workflows on (the next start does that).
   */
  shutdown(): void {
    this.#closing = true;
    this.#scheduler.close();
  }

  /** Stops every running job (agent shutdown). */
  async stopAll(caller: string): Promise<void> {
    this.shutdown();
    await Promise.all([...this.#active.keys()].map((id) => this.stop(id, undefined, caller).catch(() => {})));
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
