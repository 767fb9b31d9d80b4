/**
 * cgroup v2: one unified hierarchy. Layout beneath the agent's own cgroup A (from /proc/self/cgroup):
 *
 *   A/                    controllers enabled in A/cgroup.subtree_control, no processes (unless A is the root)
 *   A/<namespace>-agent/  leaf holding the agent's processes (everything that was in A)
 *   A/<namespace>/        controllers enabled in its cgroup.subtree_control, never any processes
 *   A/<namespace>/<jobId> one leaf per job
 *
 * https://docs.kernel.org/admin-guide/cgroup-v2.html
 */
import type { CgroupDriver, CgroupStats, JobCgroup } from "../../core/ports.ts";
import { JobletError } from "../../domain/errors.ts";
import type { JobLimits } from "../../domain/limits.ts";
import { applyWrites } from "./apply.ts";
import { listBlockDevices } from "./block_devices.ts";
import {
  AGENT_LEAF_SUFFIX,
  checkName,
  child,
  type DriverTuning,
  errnoOf,
  parent,
  parsePids,
  V2_CONTROLLERS,
  writeFailed,
} from "./common.ts";
import { convertV2 } from "./convert.ts";
import type { CgroupFs } from "./fs.ts";
import { killUntilEmpty, signalEach } from "./kill.ts";
import { removeCgroupDir } from "./rmdir.ts";
import { readStatsV2 } from "./stats.ts";

export interface V2Setup {
  /** The agent's cgroup A. */
  agentDir: string;
  /** A/<namespace>-agent, or undefined when A is the root cgroup (which may hold processes). */
  leafDir: string | undefined;
  /** A/<namespace>: the parent of every job cgroup. */
  namespaceDir: string;
  /** Controllers enabled for job cgroups (in A/<namespace>/cgroup.subtree_control). */
  controllers: string[];
}

/**
 * Makes A/<namespace> ready for job cgroups. Idempotent: a restarted agent, or a second driver in the same
 * process (which by then lives in A/<namespace>-agent), ends with the same layout.
 */
export function prepareV2(fs: CgroupFs, ownDir: string, namespace: string): V2Setup {
  checkName("cgroup namespace", namespace);
  const agentDir = resolveAgentCgroup(fs, ownDir, namespace);
  // Only the root cgroup lacks cgroup.type, and only the root is exempt from the no-internal-processes rule.
  const isRoot = !fs.exists(`${agentDir}/cgroup.type`);
  const leafDir = isRoot ? undefined : child(agentDir, namespace + AGENT_LEAF_SUFFIX);
  if (leafDir) fs.mkdir(leafDir);

  const offered = words(fs.read(`${agentDir}/cgroup.controllers`));
  const wanted = V2_CONTROLLERS.filter((c) => offered.includes(c));
  for (let attempt = 1;; attempt++) {
    if (leafDir) moveAllProcesses(fs, agentDir, leafDir);
    try {
      enableControllers(fs, agentDir, wanted);
      break;
    } catch (e) {
      // EBUSY: a process was forked into A between the move and the write; move it too and try again.
      const busy = e instanceof JobletError && errnoOf(e.cause) === "EBUSY";
      if (!busy || !leafDir || attempt >= 5) throw e;
    }
  }
  const namespaceDir = child(agentDir, namespace);
  fs.mkdir(namespaceDir);
  const enabled = words(fs.read(`${agentDir}/cgroup.subtree_control`));
  enableControllers(fs, namespaceDir, wanted.filter((c) => enabled.includes(c)));
  const controllers = words(fs.read(`${namespaceDir}/cgroup.subtree_control`));
  return { agentDir, leafDir, namespaceDir, controllers };
}

/**
 * After the first driver moved the agent, /proc/self/cgroup names the leaf A/<ns>-agent, and a later driver (a
 * second one in this process, or this one after the namespace dir was cleaned up) must not take that leaf for
 * the agent's cgroup and nest another leaf inside it. A cgroup named `<namespace>-agent`, or `<x>-agent` next to
 * a sibling `<x>` (a driver of another namespace), is such a leaf: the agent's cgroup is its parent.
 */
export function resolveAgentCgroup(fs: CgroupFs, ownDir: string, namespace: string): string {
  const name = ownDir.slice(ownDir.lastIndexOf("/") + 1);
  if (!name.endsWith(AGENT_LEAF_SUFFIX) || name === AGENT_LEAF_SUFFIX) return ownDir;
  if (name === namespace + AGENT_LEAF_SUFFIX) return parent(ownDir);
  const sibling = child(parent(ownDir), name.slice(0, -AGENT_LEAF_SUFFIX.length));
  return fs.exists(sibling) ? parent(ownDir) : ownDir;
}

export class V2Driver implements CgroupDriver {
  readonly version = "v2" as const;

  constructor(
    private readonly fs: CgroupFs,
    readonly setup: V2Setup,
    private readonly tuning: DriverTuning,
  ) {}

  create(jobId: string, limits: JobLimits): JobCgroup {
    checkName("job id", jobId);
    const dir = child(this.setup.namespaceDir, jobId);
    let made: boolean;
    try {
      made = this.fs.mkdir(dir);
    } catch (e) {
      throw new JobletError(
        "Internal",
        `Cannot create the cgroup of job ${jobId} at ${dir}: ${errnoOf(e) ?? e}`,
        {
          cause: e,
        },
      );
    }
    if (!made) {
      throw new JobletError(
        "AlreadyExists",
        `Cannot create the cgroup of job ${jobId}: ${dir} already exists (destroy the old one first)`,
      );
    }
    try {
      const writes = convertV2(limits, limits.ioBps > 0 ? listBlockDevices(this.fs) : []);
      const { controllers, namespaceDir } = this.setup;
      applyWrites(this.fs, {
        jobId,
        dirOf: (c) => controllers.includes(c) ? dir : undefined,
        whyMissing: (c) =>
          `the ${c} controller is not enabled for job cgroups (${namespaceDir}/cgroup.subtree_control ` +
          `has "${controllers.join(" ")}"). Give the agent's cgroup the ${c} controller (under systemd: ` +
          `Delegate=yes), or run without this limit`,
      }, writes);
    } catch (e) {
      try {
        this.fs.rmdir(dir); // nothing has joined yet
      } catch { /* the original error matters more */ }
      throw e;
    }
    return new V2JobCgroup(this.fs, jobId, dir, this.tuning);
  }

  open(jobId: string): JobCgroup | undefined {
    checkName("job id", jobId);
    const dir = child(this.setup.namespaceDir, jobId);
    return this.fs.exists(dir) ? new V2JobCgroup(this.fs, jobId, dir, this.tuning) : undefined;
  }

  list(): string[] {
    return this.fs.subdirs(this.setup.namespaceDir);
  }
}

class V2JobCgroup implements JobCgroup {
  constructor(
    private readonly fs: CgroupFs,
    readonly jobId: string,
    private readonly dir: string,
    private readonly tuning: DriverTuning,
  ) {}

  addProcess(pid: number): void {
    attachV2(this.fs, this.dir, pid);
  }

  pids(): number[] {
    return parsePids(this.fs.read(`${this.dir}/cgroup.procs`));
  }

  signal(signal: Deno.Signal): void {
    signalEach(this.tuning.kill, this.pids(), signal);
  }

  #seenPeak = 0;

  stats(): CgroupStats {
    const s = readStatsV2(this.fs, this.dir, this.#seenPeak);
    this.#seenPeak = Math.max(this.#seenPeak, s.memoryPeak);
    return s;
  }

  killAll(): Promise<void> {
    liftIoLimitsV2(this.fs, this.dir);
    const hasKill = this.fs.exists(`${this.dir}/cgroup.kill`);
    return killUntilEmpty({
      describe: `the cgroup of job ${this.jobId} (${this.dir})`,
      pids: () => this.pids(),
      killAtOnce: hasKill ? () => killV2(this.fs, this.dir) : undefined,
      freeze: hasKill ? undefined : () => freezeV2(this.fs, this.dir, this.tuning),
      thaw: hasKill ? undefined : () => thawV2(this.fs, this.dir),
    }, { kill: this.tuning.kill, sleep: this.tuning.sleep, timeoutMs: this.tuning.killTimeoutMs });
  }

  destroy(): Promise<void> {
    return removeCgroupDir(this.fs, this.dir, {
      sleep: this.tuning.sleep,
      timeoutMs: this.tuning.destroyTimeoutMs,
    });
  }
}

// ------------------------------------------------------------------------ v2 control files, one function each

/**
 * "No internal processes": a non-root cgroup can either hold processes or enable controllers for its children,
 * not both (writing cgroup.subtree_control fails with EBUSY). So every process of A moves to the leaf first.
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#no-internal-process-constraint
 * Repeats while processes keep appearing (a fork between reading and moving), a bounded number of times.
 */
export function moveAllProcesses(fs: CgroupFs, from: string, to: string): void {
  for (let pass = 0; pass < 5; pass++) {
    const pids = parsePids(fs.read(`${from}/cgroup.procs`));
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        fs.write(`${to}/cgroup.procs`, String(pid));
      } catch (e) {
        if (errnoOf(e) === "ESRCH") continue; // exited meanwhile
        throw writeFailed(`${to}/cgroup.procs`, String(pid), e);
      }
    }
  }
}

/**
 * Enables controllers for the children of `dir`, one write per controller so that one the kernel refuses does
 * not block the others (the cpu controller, for one, cannot be enabled while a realtime thread sits outside the
 * root cgroup: https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu). A refused controller is simply not
 * enabled; callers read cgroup.subtree_control for what is. EBUSY (processes inside) and permission errors
 * (no delegation) are thrown.
 */
export function enableControllers(fs: CgroupFs, dir: string, controllers: readonly string[]): void {
  const path = `${dir}/cgroup.subtree_control`;
  const already = words(fs.read(path));
  for (const c of controllers) {
    if (already.includes(c)) continue;
    try {
      fs.write(path, `+${c}`);
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === "EACCES" || errno === "EPERM") {
        throw new JobletError(
          "FailedPrecondition",
          `Cannot enable the ${c} controller in ${path}: ${errno}. The agent needs write access to its own ` +
            `cgroup; under systemd set Delegate=yes on the joblet unit`,
          { cause: e },
        );
      }
      if (errno === "EBUSY") throw writeFailed(path, `+${c}`, e);
    }
  }
}

/** Moves a process (all its threads) into the job's cgroup. */
export function attachV2(fs: CgroupFs, dir: string, pid: number): void {
  const path = `${dir}/cgroup.procs`;
  try {
    fs.write(path, String(pid));
  } catch (e) {
    if (errnoOf(e) === "ESRCH") {
      throw new JobletError("NotFound", `Cannot move process ${pid} into ${dir}: no such process`, {
        cause: e,
      });
    }
    throw writeFailed(path, String(pid), e);
  }
}

/**
 * Before killing: a task waiting for a throttled bio sleeps uninterruptibly (D state) and cannot act on SIGKILL
 * until the bio is dispatched, which at a low --max-iobps can take minutes. Lifting the limit dispatches queued
 * bios at once (blk-throttle re-evaluates them when io.max changes).
 */
export function liftIoLimitsV2(fs: CgroupFs, dir: string): void {
  for (const line of (fs.read(`${dir}/io.max`) ?? "").split("\n")) {
    const dev = /^(\d+:\d+)\s/.exec(line)?.[1];
    if (!dev) continue;
    try {
      fs.write(`${dir}/io.max`, `${dev} rbps=max wbps=max riops=max wiops=max`);
    } catch { /* a vanished device, or the cgroup is going: the kill loop goes on regardless */ }
  }
}

/** cgroup.kill (kernel ≥ 5.14): writing "1" SIGKILLs every process in the cgroup and its descendants. */
export function killV2(fs: CgroupFs, dir: string): void {
  const path = `${dir}/cgroup.kill`;
  try {
    fs.write(path, "1");
  } catch (e) {
    throw writeFailed(path, "1", e);
  }
}

/**
 * cgroup.freeze (kernel ≥ 5.2): writing "1" starts freezing; cgroup.events shows "frozen 1" once every task has
 * stopped. Wait a bounded time for it, as the v1 freezer.
 */
export async function freezeV2(fs: CgroupFs, dir: string, io: Pick<DriverTuning, "sleep">): Promise<void> {
  const path = `${dir}/cgroup.freeze`;
  try {
    fs.write(path, "1");
  } catch (e) {
    throw writeFailed(path, "1", e);
  }
  for (let i = 0; i < 50 && !/^frozen 1$/m.test(fs.read(`${dir}/cgroup.events`) ?? ""); i++) {
    await io.sleep(10);
  }
}

export function thawV2(fs: CgroupFs, dir: string): void {
  const path = `${dir}/cgroup.freeze`;
  try {
    fs.write(path, "0");
  } catch (e) {
    throw writeFailed(path, "0", e);
  }
}

function words(text: string | undefined): string[] {
  return (text ?? "").split(/\s+/).filter((w) => w !== "");
}
