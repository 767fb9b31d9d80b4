/**
 * `joblet doctor`'s checks as pure functions of facts read from the host (doctor.ts reads them), so each rule is
 * unit-tested on made-up inputs. A check says ok, warn (works, with a limitation) or fail (jobs cannot run, or a
 * feature is broken), with what to do about it.
 */
import type { CgroupLayout } from "../os/cgroup/detect.ts";
import { V1_CONTROLLERS, V2_CONTROLLERS } from "../os/cgroup/common.ts";

export type Verdict = "ok" | "warn" | "fail";

export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  /** What to do, for warn and fail. */
  fix?: string;
}

/** Linux 5.4 is the oldest we test; 4.18 is the oldest with everything we use (cgroup v2 pids/cpu/io/memory). */
export function checkKernel(release: string): Check {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return { name: "kernel", verdict: "warn", detail: `cannot read the version from "${release}"` };
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const v = major * 1000 + minor;
  if (v < 4018) {
    return {
      name: "kernel",
      verdict: "fail",
      detail: `Linux ${release}`,
      fix: "joblet needs Linux 4.18 or later (5.4+ recommended)",
    };
  }
  if (v < 5004) {
    return {
      name: "kernel",
      verdict: "warn",
      detail: `Linux ${release}`,
      fix: "5.4 or later is recommended",
    };
  }
  return { name: "kernel", verdict: "ok", detail: `Linux ${release}` };
}

/** Which cgroup version the agent would drive, and whether the controllers it limits jobs with are there. */
export function checkCgroups(layout: CgroupLayout, underSystemd: boolean): Check {
  const name = "cgroups";
  if (layout.version === "v2") {
    const missing = V2_CONTROLLERS.filter((c) => !layout.v2Controllers.includes(c));
    const detail = `v2 at ${layout.v2!.mountPoint}, delegated: ${layout.v2Controllers.join(" ") || "none"}`;
    if (missing.length === 0) return { name, verdict: "ok", detail };
    return {
      name,
      verdict: missing.some((c) => c === "memory" || c === "pids") ? "fail" : "warn",
      detail: `${detail}; missing: ${missing.join(" ")}`,
      fix: underSystemd
        ? "run joblet from its systemd unit (Delegate=yes) so the controllers are delegated to it"
        : `enable them in the parent: echo "+${missing.join(" +")}" > <parent>/cgroup.subtree_control`,
    };
  }
  if (layout.version === "v1") {
    const have = layout.v1.flatMap((h) => h.controllers);
    const missing = V1_CONTROLLERS.filter((c) => !have.includes(c));
    const detail = `v1 (${have.join(" ")})` + (layout.v2 ? "; the v2 mount has no controllers (hybrid)" : "");
    if (missing.length === 0) return { name, verdict: "ok", detail };
    return {
      name,
      verdict: missing.some((c) => c === "memory" || c === "pids") ? "fail" : "warn",
      detail: `${detail}; missing: ${missing.join(" ")}`,
      fix: "mount the missing v1 hierarchies, or boot with cgroup v2 (systemd.unified_cgroup_hierarchy=1)",
    };
  }
  return {
    name,
    verdict: "fail",
    detail: layout.notes.join("; ") || "no cgroup hierarchy found",
    fix: "mount cgroup2 on /sys/fs/cgroup (or set limits.disabled: true to run jobs without limits)",
  };
}

const NAMESPACES = ["mnt", "pid", "net", "ipc", "uts"] as const;

/** The namespace kinds a job gets; `present` are the entries of /proc/self/ns. */
export function checkNamespaces(present: string[]): Check {
  const missing = NAMESPACES.filter((n) => !present.includes(n));
  if (missing.length === 0) return { name: "namespaces", verdict: "ok", detail: NAMESPACES.join(" ") };
  return {
    name: "namespaces",
    verdict: "fail",
    detail: `missing: ${missing.join(" ")}`,
    fix: "use a kernel built with CONFIG_NAMESPACES and these namespace kinds",
  };
}

/** Programs stage 2 runs inside each job (docs/adr/0001-job-entry.md). */
export function checkTools(has: (path: string) => boolean, useTini: boolean): Check[] {
  const need: [string, string, boolean][] = [
    ["/bin/sh", "dash or another POSIX sh", true],
    ["/bin/mount", "util-linux mount", true],
    ["/usr/bin/setpriv", "util-linux (setpriv)", true],
    ["/usr/bin/tini", "tini", useTini],
  ];
  return need.map(([path, pkg, required]) => {
    const name = path.split("/").pop()!;
    if (has(path)) return { name, verdict: "ok" as const, detail: path };
    return {
      name,
      verdict: required ? "fail" as const : "warn" as const,
      detail: `${path} is missing`,
      fix: required
        ? `install ${pkg} (Debian: apt-get install ${pkg.startsWith("tini") ? "tini" : "util-linux"})`
        : "jobs run without an init (their command is PID 1); apt-get install tini",
    };
  });
}

export function checkLoopDevices(hasLoopControl: boolean): Check {
  return hasLoopControl ? { name: "loop devices", verdict: "ok", detail: "/dev/loop-control" } : {
    name: "loop devices",
    verdict: "warn",
    detail: "/dev/loop-control is missing",
    fix:
      "jobs' size-limited /work (jobs.max_disk, on by default) and filesystem volumes need the loop module: " +
      "modprobe loop (or set jobs.max_disk: 0)",
  };
}

export function checkNftables(hasNft: boolean): Check {
  return hasNft ? { name: "nftables", verdict: "ok", detail: "nft found" } : {
    name: "nftables",
    verdict: "warn",
    detail: "nft is missing",
    fix: "job networks with outbound access need nftables: apt-get install nftables",
  };
}

export function checkIpForward(value: string | undefined): Check {
  const v = value?.trim();
  if (v === "1") return { name: "ip_forward", verdict: "ok", detail: "net.ipv4.ip_forward = 1" };
  return {
    name: "ip_forward",
    verdict: "warn",
    detail: v === undefined ? "cannot read net.ipv4.ip_forward" : `net.ipv4.ip_forward = ${v}`,
    fix: "jobs on bridged networks cannot reach outside: sysctl -w net.ipv4.ip_forward=1",
  };
}

const GiB = 1024 ** 3;

/** Free space where the state (records, logs, workspaces) lives. */
export function checkDisk(path: string, freeBytes: number | undefined, totalBytes?: number): Check {
  const name = "disk space";
  if (freeBytes === undefined) return { name, verdict: "warn", detail: `cannot read free space of ${path}` };
  const free = `${(freeBytes / GiB).toFixed(1)} GiB free on ${path}`;
  const share = totalBytes ? freeBytes / totalBytes : 1;
  if (freeBytes < 1 * GiB) {
    return { name, verdict: "fail", detail: free, fix: "free space: job output and workspaces fill it" };
  }
  if (freeBytes < 5 * GiB || share < 0.1) {
    return {
      name,
      verdict: "warn",
      detail: free,
      fix: "less than 5 GiB (or 10%) left; lower logs.retention",
    };
  }
  return { name, verdict: "ok", detail: free };
}

/**
 * Certificates are checked against the clock: a clock before the CA was made, or far off, breaks TLS.
 * `synchronized` is systemd's NTP flag when it can be read.
 */
export function checkClock(now: Date, synchronized: boolean | undefined, notBefore?: Date): Check {
  const name = "clock";
  if (now.getUTCFullYear() < 2024 || (notBefore && now < notBefore)) {
    return {
      name,
      verdict: "fail",
      detail: `${now.toISOString()} is before ${notBefore?.toISOString() ?? "2024"}`,
      fix: "set the time (timedatectl set-ntp true); certificates are not yet valid",
    };
  }
  if (synchronized === false) {
    return {
      name,
      verdict: "warn",
      detail: `${now.toISOString()}, not synchronised`,
      fix: "enable NTP (timedatectl set-ntp true): schedules and certificates depend on the time",
    };
  }
  return {
    name,
    verdict: "ok",
    detail: `${now.toISOString()}${synchronized ? ", synchronised" : ""}`,
  };
}

/** 0 when nothing failed, else 1. */
export function exitStatus(checks: Check[]): number {
  return checks.some((c) => c.verdict === "fail") ? 1 : 0;
}

/** A plain table: CHECK, RESULT, DETAIL; the fixes below it. */
export function renderChecks(checks: Check[]): string {
  const w = Math.max(5, ...checks.map((c) => c.name.length));
  const lines = [`${"CHECK".padEnd(w)}  RESULT  DETAIL`];
  for (const c of checks) {
    lines.push(`${c.name.padEnd(w)}  ${c.verdict.toUpperCase().padEnd(6)}  ${c.detail}`);
  }
  const fixes = checks.filter((c) => c.verdict !== "ok" && c.fix);
  if (fixes.length) {
    lines.push("", "To fix:");
    for (const c of fixes) lines.push(`  ${c.name}: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.verdict === "fail").length;
  const warned = checks.filter((c) => c.verdict === "warn").length;
  lines.push(
    "",
    failed
      ? `${failed} check(s) failed: jobs may not run here`
      : `ready${warned ? ` (${warned} warning(s))` : ""}`,
  );
  return lines.join("\n") + "\n";
}
