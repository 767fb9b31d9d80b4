/**
 * cgroup v1: one directory per hierarchy. The job's cgroup is `<agent dir in hierarchy>/<namespace>/<jobId>` in
 * every hierarchy we use (pids, memory, cpu, cpuacct, cpuset, blkio, freezer: whichever are mounted), and a
 * process must be written to cgroup.procs in each of them.
 * https://docs.kernel.org/admin-guide/cgroup-v1/cgroups.html
 */
import type { CgroupDriver, CgroupStats, JobCgroup } from "../../core/ports.ts";
import { JobletError } from "../../domain/errors.ts";
import type { JobLimits } from "../../domain/limits.ts";
import { applyWrites } from "./apply.ts";
import { listBlockDevices } from "./block_devices.ts";
import { checkName, child, type DriverTuning, errnoOf, parent, parsePids, writeFailed } from "./common.ts";
import type { V1Hierarchy } from "./detect.ts";
import { convertV1 } from "./convert.ts";
import type { CgroupFs } from "./fs.ts";
import { killUntilEmpty, signalEach } from "./kill.ts";
import { removeCgroupDir } from "./rmdir.ts";
import { readStatsV1 } from "./stats.ts";

/** One job directory in one hierarchy. */
interface V1Dir {
  controllers: string[];
  dir: string;
}

export class V1Driver implements CgroupDriver {
  readonly version = "v1" as const;

  constructor(
    private readonly fs: CgroupFs,
    private readonly hierarchies: V1Hierarchy[],
    private readonly namespace: string,
    private readonly tuning: DriverTuning,
  ) {
    checkName("cgroup namespace", namespace);
  }

  create(jobId: string, limits: JobLimits): JobCgroup {
    checkName("job id", jobId);
    const dirs = this.#jobDirs(jobId);
    const existing = dirs.find((d) => this.fs.exists(d.dir));
    if (existing) {
      throw new JobletError(
        "AlreadyExists",
        `Cannot create the cgroup of job ${jobId}: ${existing.dir} already exists (destroy the old one first)`,
      );
    }
    const made: string[] = [];
    try {
      for (const d of dirs) {
        const nsDir = parent(d.dir);
        const isCpuset = d.controllers.includes("cpuset");
        this.fs.mkdir(nsDir);
        if (isCpuset) copyCpusetFromParent(this.fs, nsDir); // fills only empty values: idempotent
        this.fs.mkdir(d.dir);
        made.push(d.dir);
        if (isCpuset) copyCpusetFromParent(this.fs, d.dir);
      }
      this.#applyLimits(jobId, dirs, limits);
    } catch (e) {
      // Leave nothing half-made: a job cgroup exists in every hierarchy or in none.
      for (const dir of made.reverse()) {
        try {
          this.fs.rmdir(dir);
        } catch { /* best effort; the original error matters more */ }
      }
      if (e instanceof JobletError) throw e;
      throw new JobletError("Internal", `Cannot create the cgroup of job ${jobId}: ${errnoOf(e) ?? e}`, {
        cause: e,
      });
    }
    return new V1JobCgroup(this.fs, jobId, dirs, this.tuning);
  }

  open(jobId: string): JobCgroup | undefined {
    checkName("job id", jobId);
    const dirs = this.#jobDirs(jobId).filter((d) => this.fs.exists(d.dir));
    return dirs.length === 0 ? undefined : new V1JobCgroup(this.fs, jobId, dirs, this.tuning);
  }

  list(): string[] {
    const ids = new Set<string>();
    for (const h of this.hierarchies) {
      for (const name of this.fs.subdirs(child(h.agentDir, this.namespace))) ids.add(name);
    }
    return [...ids].sort();
  }

  #applyLimits(jobId: string, dirs: V1Dir[], limits: JobLimits): void {
    const dirOf = (c: string) => dirs.find((d) => d.controllers.includes(c))?.dir;
    const memory = dirOf("memory");
    const writes = convertV1(limits, limits.ioBps > 0 ? listBlockDevices(this.fs) : [], {
      memsw: memory !== undefined && this.fs.exists(`${memory}/memory.memsw.limit_in_bytes`),
    });
    applyWrites(this.fs, {
      jobId,
      dirOf,
      whyMissing: (c) =>
        `no cgroup v1 ${c} hierarchy is mounted (mounted: ${
          this.hierarchies.map((h) => h.controllers.join(",")).join(" ") || "none"
        }). Mount it (e.g. mount -t cgroup -o ${c} cgroup /sys/fs/cgroup/${c}), or run without this limit`,
    }, writes);
  }

  #jobDirs(jobId: string): V1Dir[] {
    return this.hierarchies.map((h) => ({
      controllers: h.controllers,
      dir: child(child(h.agentDir, this.namespace), jobId),
    }));
  }
}

class V1JobCgroup implements JobCgroup {
  constructor(
    private readonly fs: CgroupFs,
    readonly jobId: string,
    private readonly dirs: V1Dir[],
    private readonly tuning: DriverTuning,
  ) {}

  addProcess(pid: number): void {
    for (const d of this.dirs) attachV1(this.fs, d.dir, pid);
  }

  pids(): number[] {
    const all = this.dirs.flatMap((d) => parsePids(this.fs.read(`${d.dir}/cgroup.procs`)));
    return [...new Set(all)].sort((a, b) => a - b);
  }

  signal(signal: Deno.Signal): void {
    signalEach(this.tuning.kill, this.pids(), signal);
  }

  stats(): CgroupStats {
    return readStatsV1(this.fs, (c) => this.dirs.find((d) => d.controllers.includes(c))?.dir);
  }

  killAll(): Promise<void> {
    const blkio = this.dirs.find((d) => d.controllers.includes("blkio"))?.dir;
    if (blkio) liftIoLimitsV1(this.fs, blkio);
    const freezer = this.dirs.find((d) => d.controllers.includes("freezer"))?.dir;
    return killUntilEmpty({
      describe: `the cgroup of job ${this.jobId} (${this.dirs.map((d) => d.dir).join(", ")})`,
      pids: () => this.pids(),
      freeze: freezer ? () => freezeV1(this.fs, freezer, this.tuning) : undefined,
      thaw: freezer ? () => thawV1(this.fs, freezer) : undefined,
    }, { kill: this.tuning.kill, sleep: this.tuning.sleep, timeoutMs: this.tuning.killTimeoutMs });
  }

  async destroy(): Promise<void> {
    for (const d of this.dirs) {
      await removeCgroupDir(this.fs, d.dir, {
        sleep: this.tuning.sleep,
        timeoutMs: this.tuning.destroyTimeoutMs,
      });
    }
  }
}

// ------------------------------------------------------------------------ v1 control files, one function each

/**
 * A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems (unless the parent sets
 * cgroup.clone_children), and attaching a task to it then fails with ENOSPC. Copy the parent's values into any
 * that are empty, as runc does (libcontainer/cgroups/fs/cpuset.go, ensureParent/copyIfNeeded).
 * https://docs.kernel.org/admin-guide/cgroup-v1/cpusets.html
 */
export function copyCpusetFromParent(fs: CgroupFs, dir: string): void {
  for (const file of ["cpuset.cpus", "cpuset.mems"]) {
    if ((fs.read(`${dir}/${file}`) ?? "").trim() !== "") continue;
    const value = (fs.read(`${parent(dir)}/${file}`) ?? "").trim();
    if (value === "") {
      throw new JobletError(
        "FailedPrecondition",
        `Cannot set up cpuset cgroup ${dir}: ${parent(dir)}/${file} is empty, so there is nothing to copy`,
      );
    }
    try {
      fs.write(`${dir}/${file}`, value);
    } catch (e) {
      throw writeFailed(`${dir}/${file}`, value, e);
    }
  }
}

/**
 * Before killing, as on v2 (liftIoLimitsV2): a task waiting in D state for a throttled bio cannot die until it
 * is dispatched; writing "MAJ:MIN 0" removes the device's rule and releases the queued bios.
 */
export function liftIoLimitsV1(fs: CgroupFs, dir: string): void {
  for (const file of ["blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device"]) {
    for (const line of (fs.read(`${dir}/${file}`) ?? "").split("\n")) {
      const dev = /^(\d+:\d+)\s/.exec(line)?.[1];
      if (!dev) continue;
      try {
        fs.write(`${dir}/${file}`, `${dev} 0`);
      } catch { /* a vanished device: nothing to release */ }
    }
  }
}

/** Moves a process (all its threads) into one hierarchy's cgroup. */
export function attachV1(fs: CgroupFs, dir: string, pid: number): void {
  const path = `${dir}/cgroup.procs`;
  try {
    fs.write(path, String(pid));
  } catch (e) {
    const errno = errnoOf(e);
    if (errno === "ESRCH") {
      throw new JobletError("NotFound", `Cannot move process ${pid} into ${dir}: no such process`, {
        cause: e,
      });
    }
    if (errno === "ENOSPC") {
      throw new JobletError(
        "FailedPrecondition",
        `Cannot move process ${pid} into ${dir}: ENOSPC, its cpuset.cpus or cpuset.mems is empty`,
        { cause: e },
      );
    }
    throw writeFailed(path, String(pid), e);
  }
}

/**
 * Writing FROZEN starts freezing; freezer.state reads FREEZING until every task is stopped. A task in
 * uninterruptible sleep can keep it there, so wait a bounded time and carry on (the kill loop repeats).
 * https://docs.kernel.org/admin-guide/cgroup-v1/freezer-subsystem.html
 */
export async function freezeV1(fs: CgroupFs, dir: string, io: Pick<DriverTuning, "sleep">): Promise<void> {
  const path = `${dir}/freezer.state`;
  try {
    fs.write(path, "FROZEN");
  } catch (e) {
    throw writeFailed(path, "FROZEN", e);
  }
  for (let i = 0; i < 50 && (fs.read(path) ?? "").trim() !== "FROZEN"; i++) await io.sleep(10);
}

export function thawV1(fs: CgroupFs, dir: string): void {
  const path = `${dir}/freezer.state`;
  try {
    fs.write(path, "THAWED");
  } catch (e) {
    throw writeFailed(path, "THAWED", e);
  }
}
