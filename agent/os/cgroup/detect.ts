/**
 * Which cgroup hierarchies this process can use, from the text of /proc/self/mountinfo and /proc/self/cgroup.
 * Pure: the caller reads the files (see mod.ts), so every layout is unit-tested from captured text.
 *
 * The choice follows runc (`cgroups.IsCgroup2UnifiedMode`): a host that mounts v1 controller hierarchies is
 * driven as v1 even when it also has a cgroup2 mount (systemd's "hybrid" layout, where the v2 mount at
 * /sys/fs/cgroup/unified holds no controllers); a host with only cgroup2 is driven as v2 if the agent's own
 * cgroup offers at least one controller we use.
 */
import { V1_CONTROLLERS, V2_CONTROLLERS } from "./common.ts";

export interface MountEntry {
  /** The part of the filesystem (here: of the cgroup hierarchy) that is mounted, field 4 of mountinfo. */
  root: string;
  mountPoint: string;
  fstype: string;
  superOptions: string[];
}

export interface ProcCgroupEntry {
  hierarchyId: number;
  /** Controllers bound to the hierarchy (v1), or [] for the v2 line "0::/path". */
  controllers: string[];
  /** The process's cgroup, relative to the root of its cgroup namespace. */
  path: string;
}

export interface V1Hierarchy {
  /** The controllers we use that live in this hierarchy (["cpu", "cpuacct"] where they are co-mounted). */
  controllers: string[];
  mountPoint: string;
  /** The agent's cgroup in this hierarchy as /proc/self/cgroup says it. */
  agentPath: string;
  /** The directory of the agent's cgroup: the mount point plus its path beneath the mount's root. */
  agentDir: string;
}

export interface V2Mount {
  mountPoint: string;
  agentPath: string;
  agentDir: string;
}

export interface CgroupLayout {
  /** The version to drive, or undefined when none is usable (see `reason`). */
  version: "v1" | "v2" | undefined;
  v1: V1Hierarchy[];
  v2: V2Mount | undefined;
  /** v2 controllers we use that the agent's cgroup offers (from its cgroup.controllers). */
  v2Controllers: string[];
  /** Why the layout is not usable, or what was skipped; for error messages and logs. */
  notes: string[];
}

export interface DetectInput {
  mountinfo: string;
  procSelfCgroup: string;
  /**
   * The text of cgroup.controllers in the agent's v2 cgroup (`layout.v2.agentDir`), when there is one.
   * Undefined = not read yet: the layout then says whether a v2 mount exists but not whether it is usable.
   */
  v2Controllers?: string;
}

export function detectCgroups(input: DetectInput): CgroupLayout {
  const mounts = parseMountinfo(input.mountinfo);
  const procs = parseProcCgroup(input.procSelfCgroup);
  const notes: string[] = [];
  const v1 = findV1(mounts, procs, notes);
  const v2 = findV2(mounts, procs, notes);
  const offered = (input.v2Controllers ?? "").split(/\s+/).filter((c) => c !== "");
  const v2Controllers = V2_CONTROLLERS.filter((c) => offered.includes(c));

  let version: CgroupLayout["version"];
  if (v1.length > 0) {
    version = "v1";
  } else if (v2 && v2Controllers.length > 0) {
    version = "v2";
  } else if (v2) {
    notes.push(
      input.v2Controllers === undefined
        ? `cgroup2 mount at ${v2.mountPoint}: ${v2.agentDir}/cgroup.controllers not read`
        : `cgroup2 mount at ${v2.mountPoint} offers none of ${V2_CONTROLLERS.join(", ")} in ` +
          `${v2.agentDir}/cgroup.controllers (it has ${JSON.stringify(input.v2Controllers.trim())})`,
    );
  } else {
    notes.push(`no cgroup v1 hierarchy with any of ${V1_CONTROLLERS.join(", ")} and no cgroup2 mount`);
  }
  return { version, v1, v2, v2Controllers: version === "v2" ? v2Controllers : [], notes };
}

function findV1(mounts: MountEntry[], procs: ProcCgroupEntry[], notes: string[]): V1Hierarchy[] {
  const found: V1Hierarchy[] = [];
  const taken = new Set<string>();
  for (const m of mounts) {
    if (m.fstype !== "cgroup") continue;
    const controllers = V1_CONTROLLERS.filter((c) => m.superOptions.includes(c) && !taken.has(c));
    if (controllers.length === 0) continue; // name=systemd, devices, net_cls, … or a second mount of one we have
    const entry = procs.find((p) => p.hierarchyId > 0 && p.controllers.includes(controllers[0]));
    if (!entry) {
      notes.push(`v1 ${controllers.join(",")} at ${m.mountPoint}: not listed in /proc/self/cgroup`);
      continue;
    }
    const agentDir = dirBeneath(m, entry.path);
    if (agentDir === undefined) {
      notes.push(
        `v1 ${controllers.join(",")} at ${m.mountPoint}: the agent's cgroup ${entry.path} is outside the ` +
          `mounted part ${m.root}`,
      );
      continue;
    }
    controllers.forEach((c) => taken.add(c));
    found.push({ controllers, mountPoint: m.mountPoint, agentPath: entry.path, agentDir });
  }
  return found;
}

function findV2(mounts: MountEntry[], procs: ProcCgroupEntry[], notes: string[]): V2Mount | undefined {
  const entry = procs.find((p) => p.hierarchyId === 0 && p.controllers.length === 0);
  const candidates = mounts.filter((m) => m.fstype === "cgroup2");
  if (!entry || candidates.length === 0) return undefined;
  // Prefer the usual place when the hierarchy is mounted more than once.
  const m = candidates.find((c) => c.mountPoint === "/sys/fs/cgroup") ?? candidates[0];
  const agentDir = dirBeneath(m, entry.path);
  if (agentDir === undefined) {
    notes.push(
      `cgroup2 at ${m.mountPoint}: the agent's cgroup ${entry.path} is outside the mounted part ${m.root}`,
    );
    return undefined;
  }
  return { mountPoint: m.mountPoint, agentPath: entry.path, agentDir };
}

/**
 * /proc/self/cgroup paths are relative to the hierarchy's root (or our cgroup namespace's root), while a mount
 * may show only a subtree of the hierarchy (mountinfo field 4, e.g. "/docker/<id>" in a container without a
 * cgroup namespace). The directory is the mount point plus the part of the path beneath that subtree; a path
 * outside the subtree is not reachable through this mount. See proc(5), /proc/pid/mountinfo, and
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#namespace
 */
function dirBeneath(m: MountEntry, path: string): string | undefined {
  const root = m.root === "/" ? "" : m.root.replace(/\/+$/, "");
  if (path !== root && !path.startsWith(root + "/")) return undefined;
  const rest = path.slice(root.length);
  const base = m.mountPoint === "/" ? "" : m.mountPoint;
  return rest === "" || rest === "/" ? (base || "/") : base + rest;
}

/** mountinfo: `id parent major:minor root mountpoint opts [optional…] - fstype source superopts`, see proc(5). */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const [left, right] = splitOnce(line, " - ");
    if (right === undefined) continue;
    const l = left.split(" ");
    const r = right.split(" ");
    if (l.length < 6 || r.length < 3) continue;
    out.push({
      root: unescapeOctal(l[3]),
      mountPoint: unescapeOctal(l[4]),
      fstype: r[0],
      superOptions: r[2].split(","),
    });
  }
  return out;
}

/** /proc/self/cgroup: `hierarchy-id:controller-list:path`, see cgroups(7). The path may contain ":". */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    out.push({
      hierarchyId: Number(m[1]),
      controllers: m[2] === "" ? [] : m[2].split(","),
      path: m[3],
    });
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + sep.length)];
}

/** mountinfo escapes space, tab, newline and backslash as \040, \011, \012, \134. */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
