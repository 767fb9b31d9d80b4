/**
 * `joblet doctor [--config FILE] [--json]`: reads the host's facts and prints what works and what to fix
 * (doctor_checks.ts holds the rules). Exit status 0 when nothing failed (warnings allowed), 1 when a check
 * failed, 2 for a usage error.
 *
 * The cgroup check describes the cgroup of the process running `joblet doctor`. Run from a shell on a systemd
 * host that is a session scope without delegated controllers; the agent's unit (Delegate=yes) gets them. So on
 * a v2 host under systemd, "missing controllers" from a shell is a warning, not a failure, when the unit exists.
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { loadConfig } from "../config/load.ts";
import { detectCgroups } from "../os/cgroup/detect.ts";
import { statvfs } from "../os/metrics/statvfs.ts";
import {
  type Check,
  checkCgroups,
  checkClock,
  checkDisk,
  checkIpForward,
  checkKernel,
  checkLoopDevices,
  checkNamespaces,
  checkNftables,
  checkTools,
  exitStatus,
  renderChecks,
} from "./doctor_checks.ts";

export const DOCTOR_USAGE = "usage: joblet doctor [--config FILE] [--json]";

export function doctor(argv: string[]): number {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: { config: { type: "string" }, json: { type: "boolean", default: false } },
    }).values;
  } catch (e) {
    console.error(`joblet: ${(e as Error).message}\n${DOCTOR_USAGE}`);
    return 2;
  }
  const config = loadConfig({ path: values.config });
  const checks = runChecks({ stateDir: config.stateDir, useTini: config.jobs.useTini });
  if (values.json) console.log(JSON.stringify({ checks, exitStatus: exitStatus(checks) }, null, 2));
  else console.log(renderChecks(checks).trimEnd());
  return exitStatus(checks);
}

export function runChecks(opts: { stateDir: string; useTini: boolean }): Check[] {
  const underSystemd = exists("/run/systemd/system");
  const cgroupCheck = (() => {
    const mountinfo = read("/proc/self/mountinfo") ?? "";
    const procSelfCgroup = read("/proc/self/cgroup") ?? "";
    let layout = detectCgroups({ mountinfo, procSelfCgroup });
    if (layout.v2) {
      layout = detectCgroups({
        mountinfo,
        procSelfCgroup,
        v2Controllers: read(`${layout.v2.agentDir}/cgroup.controllers`) ?? "",
      });
    }
    const check = checkCgroups(layout, underSystemd);
    if (check.verdict === "fail" && layout.version === "v2" && underSystemd) {
      return { ...check, verdict: "warn" as const, detail: `${check.detail} (in this shell's cgroup)` };
    }
    return check;
  })();
  const disk = (() => {
    const path = nearestExisting(opts.stateDir);
    try {
      const s = statvfs(path);
      return checkDisk(path, s.availableBytes, s.totalBytes);
    } catch {
      return checkDisk(path, undefined);
    }
  })();
  let ns: string[] = [];
  try {
    ns = [...Deno.readDirSync("/proc/self/ns")].map((e) => e.name);
  } catch { /* reported as missing */ }
  const sync = read("/run/systemd/timesync/synchronized") !== undefined
    ? true
    : (underSystemd && exists("/usr/bin/timedatectl") ? ntpSynchronized() : undefined);
  return [
    checkKernel(Deno.osRelease()),
    cgroupCheck,
    checkNamespaces(ns),
    ...checkTools(exists, opts.useTini),
    checkLoopDevices(exists("/dev/loop-control")),
    checkNftables(["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"].some(exists)),
    checkIpForward(read("/proc/sys/net/ipv4/ip_forward")),
    disk,
    checkClock(new Date(), sync),
  ];
}

function ntpSynchronized(): boolean | undefined {
  try {
    const out = new Deno.Command("/usr/bin/timedatectl", {
      args: ["show", "-p", "NTPSynchronized", "--value"],
      stdout: "piped",
      stderr: "null",
    }).outputSync();
    const v = new TextDecoder().decode(out.stdout).trim();
    return v === "yes" ? true : v === "no" ? false : undefined;
  } catch {
    return undefined;
  }
}

function nearestExisting(path: string): string {
  let p = path;
  while (p !== "/" && !exists(p)) p = dirname(p);
  return p;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}
