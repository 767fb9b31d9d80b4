/**
 * The cgroup driver: cgroup v1 and v2 behind the one CgroupDriver interface of core/ports.ts, chosen from what
 * the kernel shows in /proc/self/mountinfo and /proc/self/cgroup. Job cgroups always live beneath the agent's
 * own cgroup: `<agent cgroup>/<namespace>/<jobId>` (in each hierarchy on v1). See docs/adr/0002-cgroups.md.
 */
import type { CgroupDriver } from "../../core/ports.ts";
import { failedPrecondition } from "../../domain/errors.ts";
import { checkName, DEFAULT_NAMESPACE, defaultTuning, type DriverTuning } from "./common.ts";
import { type CgroupLayout, detectCgroups } from "./detect.ts";
import { type CgroupFs, hostFs } from "./fs.ts";
import { V1Driver } from "./v1.ts";
import { prepareV2, resolveAgentCgroup, V2Driver } from "./v2.ts";

export {
  type CgroupLayout,
  detectCgroups,
  type DetectInput,
  type V1Hierarchy,
  type V2Mount,
} from "./detect.ts";
export { type CgroupFs, hostFs } from "./fs.ts";
export { V1Driver } from "./v1.ts";
export { V2Driver, type V2Setup } from "./v2.ts";

export interface CgroupDriverOptions extends Partial<DriverTuning> {
  /** The directory beneath the agent's cgroup that holds job cgroups (default "joblet"). */
  namespace?: string;
  /** A path prefix for every file the driver touches, /proc included (default "": the real machine). */
  root?: string;
  /** Replaces the file access altogether (unit tests); `root` is then ignored. */
  fs?: CgroupFs;
}

/**
 * Detects the cgroup version and returns a ready driver. On v2 this moves the agent's processes into the leaf
 * `<agent cgroup>/<namespace>-agent` and enables controllers (idempotent). Throws FailedPrecondition when
 * neither a usable v1 hierarchy nor a v2 mount with controllers exists.
 */
export function createCgroupDriver(opts: CgroupDriverOptions = {}): CgroupDriver {
  const fs = opts.fs ?? hostFs(opts.root ?? "");
  const namespace = checkName("cgroup namespace", opts.namespace ?? DEFAULT_NAMESPACE);
  const tuning: DriverTuning = {
    kill: opts.kill ?? defaultTuning.kill,
    sleep: opts.sleep ?? defaultTuning.sleep,
    killTimeoutMs: opts.killTimeoutMs ?? defaultTuning.killTimeoutMs,
    destroyTimeoutMs: opts.destroyTimeoutMs ?? defaultTuning.destroyTimeoutMs,
  };
  const layout = readLayout(fs, namespace);
  switch (layout.version) {
    case "v1":
      return new V1Driver(fs, layout.v1, namespace, tuning);
    case "v2":
      return new V2Driver(fs, prepareV2(fs, layout.v2!.agentDir, namespace), tuning);
    default:
      throw failedPrecondition(
        `Cannot run jobs: no usable cgroups (${layout.notes.join("; ")}). Joblet needs cgroup v1 ` +
          `hierarchies (pids, memory, cpu, …) or cgroup v2 with controllers delegated to the agent's cgroup ` +
          `(under systemd: Delegate=yes on the joblet unit)`,
      );
  }
}

/** Reads /proc/self/{mountinfo,cgroup} and, where there is a v2 mount, the agent's cgroup.controllers. */
export function readLayout(fs: CgroupFs, namespace = DEFAULT_NAMESPACE): CgroupLayout {
  const mountinfo = fs.read("/proc/self/mountinfo");
  const procSelfCgroup = fs.read("/proc/self/cgroup");
  if (mountinfo === undefined || procSelfCgroup === undefined) {
    throw failedPrecondition(
      "Cannot run jobs: /proc/self/mountinfo or /proc/self/cgroup is missing (is /proc mounted?)",
    );
  }
  const first = detectCgroups({ mountinfo, procSelfCgroup });
  if (!first.v2) return first;
  // Read the controllers of the agent's cgroup, not of the leaf an earlier driver moved us into.
  const v2Controllers =
    fs.read(`${resolveAgentCgroup(fs, first.v2.agentDir, namespace)}/cgroup.controllers`) ?? "";
  return detectCgroups({ mountinfo, procSelfCgroup, v2Controllers });
}
