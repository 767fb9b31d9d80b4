/**
 * The job's namespace setup and root filesystem as a pure list of steps (bubblewrap's SetupOp list).
 * `planRoot()` decides everything; execute.ts carries the steps out on the agent's JS thread after unshare.
 *
 * Paths before the "pivot-root" step are host paths (under `newRoot`); after it they are the job's paths.
 */
import { invalidArgument } from "../../domain/errors.ts";
import { etcFiles } from "./etc_files.ts";
import type { HostPath } from "./host_paths.ts";
import type { ExtraMount } from "../../core/ports.ts";

export type MountFlag = "rdonly" | "nosuid" | "nodev" | "noexec";

export type Step =
  /** mount(NULL, "/", NULL, MS_REC|MS_PRIVATE): nothing we mount propagates back to the host. */
  | { op: "make-private" }
  | { op: "sethostname"; name: string }
  | { op: "link-up"; name: string }
  | { op: "mount"; fstype: "tmpfs" | "devpts"; target: string; flags: MountFlag[]; data: string }
  /** Bind (MS_BIND[|MS_REC]), then remount the bind with `flags` (a bind ignores flags on first mount). */
  | { op: "bind"; source: string; target: string; recursive: boolean; flags: MountFlag[] }
  | { op: "mkdir"; path: string }
  | { op: "file"; path: string; content: string; mode: number }
  | { op: "symlink"; path: string; target: string }
  /** pivot_root(newRoot, newRoot/.old), chdir("/"), umount2("/.old", MNT_DETACH), rmdir("/.old"). */
  | { op: "pivot-root"; newRoot: string }
  /** Remount an existing mount read-only (the root tmpfs, once it is populated). */
  | { op: "remount"; target: string; flags: MountFlag[] }
  | { op: "chdir"; path: string };

export interface RootOptions {
  /** Host directory the job's root tmpfs is mounted on (the same for every job: mounts are per namespace). */
  newRoot: string;
  /** Host paths to show read-only in the job (see host_paths.ts). */
  hostPaths: HostPath[];
  /** Host directory shown read-write at /work. */
  workDir: string;
  hostname: string;
  /** Mount a private devpts instance at /dev/pts (default true). */
  devPts?: boolean;
  /** Volumes: host mount points bound at their targets (each under /volumes/), read-only when asked. */
  mounts?: ExtraMount[];
}

/** Device nodes bind-mounted from the host's /dev. */
export const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"] as const;

/** Job paths the plan creates itself; host binds may not replace them. */
const OWN = ["/work", "/tmp", "/proc", "/dev", "/etc", "/.old", "/volumes"];
const OWN_ETC = etcFiles("x").map((f) => `/etc/${f.name}`);

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function planRoot(opts: RootOptions): Step[] {
  const { newRoot, workDir, hostname } = opts;
  if (!newRoot.startsWith("/") || newRoot === "/") {
    throw invalidArgument(`Job root "${newRoot}" must be an absolute directory other than /`);
  }
  if (!workDir.startsWith("/")) throw invalidArgument(`Job work dir "${workDir}" must be an absolute path`);
  if (!HOSTNAME.test(hostname)) {
    throw invalidArgument(
      `Job hostname "${hostname}" is not a valid host name (1-63 letters, digits or "-", not starting or ending with "-")`,
    );
  }
  const at = (p: string) => newRoot + p;
  const ro: MountFlag[] = ["rdonly", "nosuid", "nodev"];
  const steps: Step[] = [
    { op: "make-private" },
    { op: "sethostname", name: hostname },
    { op: "link-up", name: "lo" },
    { op: "mount", fstype: "tmpfs", target: newRoot, flags: ["nosuid", "nodev"], data: "mode=0755,size=1m" },
  ];

  // Host paths, parents before children; a path inside one already bound is covered by that bind.
  const sorted = [...opts.hostPaths].sort((a, b) => a.path.localeCompare(b.path));
  const bound: string[] = [];
  for (const hp of sorted) {
    if (hp.path === "/" || OWN.some((o) => within(hp.path, o) && !hp.path.startsWith("/etc/"))) {
      throw invalidArgument(
        `Host bind "${hp.path}" would hide the job's own ${hp.path}; remove it from hostBinds`,
      );
    }
    if (OWN_ETC.includes(hp.path)) {
      throw invalidArgument(`Host bind "${hp.path}" would replace the job's generated ${hp.path}`);
    }
    if (bound.some((b) => within(hp.path, b))) continue;
    const parent = hp.path.slice(0, hp.path.lastIndexOf("/"));
    if (parent) steps.push({ op: "mkdir", path: at(parent) });
    if (hp.kind === "symlink") {
      steps.push({ op: "symlink", path: at(hp.path), target: hp.linkTarget ?? "" });
      continue;
    }
    if (hp.kind === "dir") steps.push({ op: "mkdir", path: at(hp.path) });
    else steps.push({ op: "file", path: at(hp.path), content: "", mode: 0o644 });
    steps.push({ op: "bind", source: hp.source ?? hp.path, target: at(hp.path), recursive: true, flags: ro });
    bound.push(hp.path);
  }

  steps.push(
    { op: "mkdir", path: at("/work") },
    { op: "bind", source: workDir, target: at("/work"), recursive: false, flags: ["nosuid", "nodev"] },
    ...planExtraMounts(opts.mounts ?? [], at),
    { op: "mkdir", path: at("/tmp") },
    { op: "mount", fstype: "tmpfs", target: at("/tmp"), flags: ["nosuid", "nodev"], data: "mode=1777" },
    { op: "mkdir", path: at("/proc") },
    ...planDev(at("/dev"), opts.devPts ?? true),
    { op: "mkdir", path: at("/etc") },
    ...etcFiles(hostname).map((f): Step => ({
      op: "file",
      path: at(`/etc/${f.name}`),
      content: f.content,
      mode: 0o644,
    })),
    { op: "mkdir", path: at("/.old") },
    { op: "pivot-root", newRoot },
    { op: "remount", target: "/", flags: ["rdonly", "nosuid", "nodev"] },
    { op: "chdir", path: "/work" },
  );
  return steps;
}

/** Extra mounts live under /volumes/ only, one per target; the bind is not recursive (only that mount). */
export function planExtraMounts(mounts: readonly ExtraMount[], at: (p: string) => string): Step[] {
  const steps: Step[] = [];
  const seen = new Set<string>();
  for (const m of mounts) {
    if (!/^\/volumes\/[A-Za-z0-9][A-Za-z0-9_-]*$/.test(m.target) || seen.has(m.target)) {
      throw invalidArgument(`Extra mount target "${m.target}" must be a distinct /volumes/NAME`);
    }
    if (!m.source.startsWith("/")) throw invalidArgument(`Extra mount source "${m.source}" must be absolute`);
    seen.add(m.target);
    const flags: MountFlag[] = m.readOnly ? ["rdonly", "nosuid", "nodev"] : ["nosuid", "nodev"];
    steps.push(
      { op: "mkdir", path: at(m.target) },
      { op: "bind", source: m.source, target: at(m.target), recursive: false, flags },
    );
  }
  return steps;
}

function planDev(dev: string, devPts: boolean): Step[] {
  const steps: Step[] = [
    { op: "mkdir", path: dev },
    { op: "mount", fstype: "tmpfs", target: dev, flags: ["nosuid", "noexec"], data: "mode=0755,size=64k" },
  ];
  for (const d of DEVICES) {
    steps.push(
      { op: "file", path: `${dev}/${d}`, content: "", mode: 0o666 },
      {
        op: "bind",
        source: `/dev/${d}`,
        target: `${dev}/${d}`,
        recursive: false,
        flags: ["nosuid", "noexec"],
      },
    );
  }
  steps.push(
    { op: "mkdir", path: `${dev}/shm` },
    {
      op: "mount",
      fstype: "tmpfs",
      target: `${dev}/shm`,
      flags: ["nosuid", "nodev", "noexec"],
      data: "mode=1777",
    },
    { op: "symlink", path: `${dev}/fd`, target: "/proc/self/fd" },
    { op: "symlink", path: `${dev}/stdin`, target: "/proc/self/fd/0" },
    { op: "symlink", path: `${dev}/stdout`, target: "/proc/self/fd/1" },
    { op: "symlink", path: `${dev}/stderr`, target: "/proc/self/fd/2" },
  );
  if (devPts) {
    steps.push(
      { op: "mkdir", path: `${dev}/pts` },
      {
        op: "mount",
        fstype: "devpts",
        target: `${dev}/pts`,
        flags: ["nosuid", "noexec"],
        data: "newinstance,ptmxmode=0666,mode=0620",
      },
      { op: "symlink", path: `${dev}/ptmx`, target: "pts/ptmx" },
    );
  }
  return steps;
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + "/");
}

/** One line saying what a step does, for error messages: `bind /usr -> /run/root/usr (rdonly,nosuid,nodev)`. */
export function describeStep(s: Step): string {
  switch (s.op) {
    case "make-private":
      return "make / private (MS_REC|MS_PRIVATE)";
    case "sethostname":
      return `sethostname ${s.name}`;
    case "link-up":
      return `bring ${s.name} up`;
    case "mount":
      return `mount ${s.fstype} on ${s.target} (${[...s.flags, s.data].join(",")})`;
    case "bind":
      return `bind ${s.source} -> ${s.target} (${s.flags.join(",") || "rw"})`;
    case "mkdir":
      return `mkdir ${s.path}`;
    case "file":
      return `write ${s.path}`;
    case "symlink":
      return `symlink ${s.path} -> ${s.target}`;
    case "pivot-root":
      return `pivot_root ${s.newRoot}`;
    case "remount":
      return `remount ${s.target} (${s.flags.join(",")})`;
    case "chdir":
      return `chdir ${s.path}`;
  }
}
