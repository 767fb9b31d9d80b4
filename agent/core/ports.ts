/**
 * The interfaces core needs from the machine. Adapters in agent/os/ implement them; tests may pass fakes.
 * Nothing in core imports ffi/ or spawns processes itself.
 */
import type { JobRecord, JobStatus } from "../domain/job.ts";
import type { JobSample } from "../domain/metrics.ts";
import type { JobLimits } from "../domain/limits.ts";

// ---------------------------------------------------------------------------------------------- store

export interface JobFilter {
  statuses?: JobStatus[];
  /** 0 or undefined = all. Newest first. */
  limit?: number;
}

/** Durable job records (node:sqlite in os/store). All methods are synchronous and transactional. */
export interface JobStore {
  insert(job: JobRecord): void;
  /** Applies `patch` to the stored record and returns the new record. Throws NotFound if absent. */
  update(id: string, patch: Partial<Omit<JobRecord, "id">>): JobRecord;
  get(id: string): JobRecord | undefined;
  /** Every job whose id starts with `prefix` (at most `max`). */
  findByPrefix(prefix: string, max: number): JobRecord[];
  list(filter?: JobFilter): JobRecord[];
  /** Deletes the record and its samples. */
  delete(id: string): void;
  /** Appends a metric sample, keeping only the newest `keep` of the job. */
  addSample(jobId: string, sample: JobSample, keep: number): void;
  samples(jobId: string): JobSample[];
  /** Number of jobs per status. */
  counts(): Record<string, number>;
  close(): void;
}

// ----------------------------------------------------------------------------------------------- logs

export type LogStreamName = "stdout" | "stderr" | "system";

export interface LogRecord {
  /** 1, 2, 3 … per job, no gaps. */
  seq: number;
  /** Unix milliseconds when the agent read the bytes. */
  time: number;
  stream: LogStreamName;
  data: Uint8Array;
}

/** Appends one job's output. Writes are synchronous: when write() returns, the bytes are in the file. */
export interface LogWriter {
  write(stream: LogStreamName, data: Uint8Array): void;
  /** Total payload bytes stored so far. */
  readonly bytes: number;
  /** Marks the log complete: followers stop after reading the last record. */
  close(): void;
}

export interface LogStore {
  /** Creates (or, after a restart, reopens for appending) the log of a job. */
  writer(jobId: string): LogWriter;
  /**
   * Every record from the first, in order. With `follow`, waits for new records until the log is closed or
   * `signal` aborts; without it, stops at the current end.
   */
  read(jobId: string, opts: { follow: boolean; signal?: AbortSignal }): AsyncIterable<LogRecord>;
  /** Stored payload bytes (0 when there is no log). */
  size(jobId: string): number;
  /** True while a writer for the job is open in this process. */
  isOpen(jobId: string): boolean;
  delete(jobId: string): void;
}

// --------------------------------------------------------------------------------------------- cgroups

/** "none": the host has no usable cgroups and the config allows running without limits (limits.disabled). */
export type CgroupVersion = "v1" | "v2" | "none";

/** What a job's cgroup has used so far: counters since creation, gauges now. Absent files read as 0. */
export interface CgroupStats {
  /** CPU time of all its processes, microseconds (v2 cpu.stat usage_usec; v1 cpuacct.usage / 1000). */
  cpuUsageUs: number;
  /** Time its runnable processes waited because the --max-cpu quota was used up, microseconds. */
  cpuThrottledUs: number;
  /** CFS periods in which it was throttled. */
  nrThrottled: number;
  /** Memory charged now, bytes (page cache included). */
  memoryCurrent: number;
  /** Most memory charged at once, bytes (v2 memory.peak; where a kernel < 5.19 lacks it, the largest
   * memory.current this object has read). */
  memoryPeak: number;
  /** Bytes read from / written to block devices (v1: only I/O that reaches the throttle layer: direct and
   * synchronous I/O, not buffered writeback). */
  ioReadBytes: number;
  ioWriteBytes: number;
  /** Processes and threads now. */
  pids: number;
  /** Processes the OOM killer killed in it (v2 memory.events oom_kill; v1 memory.oom_control oom_kill). */
  oomKills: number;
}

/** One job's control group (one directory on v2, one per hierarchy on v1). */
export interface JobCgroup {
  readonly jobId: string;
  /** Moves a process (all its threads) into the cgroup. */
  addProcess(pid: number): void;
  /** Pids currently in the cgroup. */
  pids(): number[];
  /** Sends `signal` to every process in the cgroup. */
  signal(signal: Deno.Signal): void;
  /** Usage so far. Works until destroy(), also after every process has exited (for final totals). */
  stats(): CgroupStats;
  /** Lifts the I/O limit (so no task waits in D state on a throttled bio), then SIGKILLs every process
   * (cgroup.kill on v2) and waits until the cgroup is empty. */
  killAll(): Promise<void>;
  /** Removes the cgroup; it must be empty (retries briefly while the last task leaves). */
  destroy(): Promise<void>;
}

export interface CgroupDriver {
  readonly version: CgroupVersion;
  /**
   * Creates the job's cgroup beneath the agent's own and writes `limits` into it, before any process can
   * join (0 / [] = unlimited: nothing is written). `limits.timeoutMs` is not a cgroup matter and is ignored.
   * Fails if it exists (AlreadyExists), or FailedPrecondition when a limit needs a controller this host does
   * not give the agent; a cgroup that cannot take its limits is removed again.
   */
  create(jobId: string, limits: JobLimits): JobCgroup;
  /** The job's cgroup if it exists (used after a restart to clean up). */
  open(jobId: string): JobCgroup | undefined;
  /** Ids of every job cgroup that exists beneath the agent. */
  list(): string[];
}

// -------------------------------------------------------------------------------------------- launcher

export interface LaunchRequest {
  jobId: string;
  /** UTS hostname inside the job (a short job id). */
  hostname: string;
  command: string;
  args: string[];
  /** The complete environment of the job (the launcher adds nothing). */
  env: Record<string, string>;
  /** Host directory bind-mounted read-write at /work. */
  workDir: string;
  /** The job's cgroup; the user command runs inside it from its first instruction. */
  cgroup: JobCgroup;
  /** Extra bind mounts into the job's root (volumes), made before the job starts. */
  mounts?: ExtraMount[];
  /**
   * A runtime (docs/adr/0010-runtimes.md): `root`'s /usr, /bin, /lib*, /sbin and `etc` paths replace the host's
   * in the job, read-only. Absent: the host's, as configured.
   */
  runtime?: { root: string; etc: string[] };
  /**
   * Network of the job. Absent: the job's network namespace has loopback only. Called by the launcher after the
   * job's PID 1 exists (in its new network namespace) and before the user command is released, from the agent's
   * own namespaces; it must finish (or throw, which fails the launch) synchronously or by its promise.
   */
  network?: NetworkAttachment;
}

export interface ExtraMount {
  /** Host path (a mounted volume). */
  source: string;
  /** Absolute path inside the job, e.g. /volumes/results. */
  target: string;
  readOnly: boolean;
}

export interface NetworkAttachment {
  /** Connects the network namespace of `pid` (the job's PID 1). */
  attach(pid: number): void | Promise<void>;
  /** Extra /etc/hosts lines and resolv.conf text for the job's root; written before the job starts. */
  hosts?: string;
  /** A host file to bind read-only at /etc/hosts instead (the agent rewrites it as peers come and go). */
  hostsFile?: string;
  resolvConf?: string;
  /** Undoes attach() after the job ended (or when its launch failed). */
  detach(): void | Promise<void>;
}

export interface ExitStatus {
  code: number;
  signal: Deno.Signal | null;
}

export interface LaunchedJob {
  /** Host pid of the job's PID 1. */
  pid: number;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  status: Promise<ExitStatus>;
}

export interface Launcher {
  /**
   * Starts the job in new PID, mount, UTS, IPC and network namespaces with its own root. Resolves once the
   * job's PID 1 is inside its cgroup and has been released to exec the user command.
   */
  launch(req: LaunchRequest): Promise<LaunchedJob>;
}

// ----------------------------------------------------------------------------------------------- clock

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

// ------------------------------------------------------------------------------------------ workspaces

export interface UploadItem {
  /** Relative to /work. */
  path: string;
  mode: number;
  kind: "file" | "directory";
  data: Uint8Array;
  last: boolean;
}

/** Uploads of one submission, staged privately until the job is created. */
export interface UploadStaging {
  readonly files: number;
  readonly bytes: number;
  write(item: UploadItem): void;
  /** Checks the upload is complete (throws InvalidArgument otherwise). */
  finish(): void;
  /** Removes everything staged. */
  abort(): void;
}

export interface WorkspaceStore {
  workDir(jobId: string): string;
  /** diskBytes: the size of the job's /work, uploads included (0 or absent = no limit). */
  stage(limits: { maxFiles: number; maxBytes: number; diskBytes?: number }): UploadStaging;
  /** Moves the staged files into place as the job's /work and returns its host path. */
  commit(jobId: string, staging: UploadStaging): string;
  /**
   * A new staging area holding a fresh copy of the uploads `ownerId` was given (a cron schedule, for one of its
   * runs), sized like its /work; commit() it as the run's /work.
   */
  restage(ownerId: string, limits: { maxFiles: number; maxBytes: number }): Promise<UploadStaging>;
  /** Makes the workspace ready for a run (mounts a size-limited one) and returns its host path. */
  open(ownerId: string): string | Promise<string>;
  /** The run has ended: the last one unmounts a size-limited workspace (its files stay). */
  close(ownerId: string): Promise<void>;
  remove(jobId: string): void;
}
