/**
 * `joblet uninstall [--purge] [--yes] [--root DIR] [--prefix DIR] …`: stops and removes the unit and the programs
 * that `joblet install` put in place (listed in <config-dir>/installed-files). Config, state and certificates
 * stay, so a later install picks up where this one left off.
 *
 * --purge also removes the state dir (records, logs, workspaces, PKI), the config dir, root's rnx config, and
 * what the agent made in the kernel and may have left: every mount under the state dir (volumes and workspaces
 * stay mounted when the agent stops), loop devices backed by a file in the state dir, the `joblet*` nftables
 * tables, `joblet*` bridges and job veths (`jv` + 12 hex digits), and every joblet cgroup. It asks first unless
 * --yes; without a terminal to ask on, it refuses. What it cannot remove it names, and it exits 1.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { JobletError } from "../domain/errors.ts";
import { runningAgentPid } from "../pidfile.ts";
import { parseMountinfo } from "../os/metrics/mountinfo.ts";
import { umount2 } from "../../ffi/sys.ts";
import { MNT_DETACH } from "../../ffi/constants.ts";
import {
  binPath,
  configPath,
  type InstallLayout,
  libDir,
  manifestPath,
  onDisk,
  UNIT_NAME,
} from "./install_files.ts";
import { layoutFrom } from "./install.ts";
import { systemctl, systemdRunning } from "./systemd.ts";

export const UNINSTALL_USAGE =
  "usage: joblet uninstall [--purge] [--yes] [--root DIR] [--prefix DIR] [--config-dir DIR] [--state-dir DIR]\n" +
  "                        [--unit-path FILE] [--rnx-config FILE]";

export async function uninstallCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        purge: { type: "boolean", default: false },
        yes: { type: "boolean", short: "y", default: false },
        root: { type: "string" },
        prefix: { type: "string" },
        "config-dir": { type: "string" },
        "state-dir": { type: "string" },
        "unit-path": { type: "string" },
        "rnx-config": { type: "string" },
      },
    }).values;
  } catch (e) {
    console.error(`joblet: ${(e as Error).message}\n${UNINSTALL_USAGE}`);
    return 2;
  }
  const layout = layoutFrom(values);
  if (layout.root === "/" && Deno.uid() !== 0) {
    throw new JobletError(
      "PermissionDenied",
      "joblet uninstall must run as root (try: sudo joblet uninstall)",
    );
  }
  if (values.purge && !values.yes) {
    const question = `Remove joblet and ALL its state (${layout.stateDir}: jobs, logs, certificates), ` +
      `${layout.configDir} and ${layout.rnxConfig}?`;
    if (!Deno.stdin.isTerminal()) {
      console.error(
        `joblet: --purge deletes all state; ${question.replace(/\?$/, "")}: add --yes to confirm`,
      );
      return 2;
    }
    const answer = prompt(`${question} [y/N]`);
    if (!/^y(es)?$/i.test(answer?.trim() ?? "")) {
      console.log("nothing removed");
      return 1;
    }
  }
  const problems: string[] = [];
  await uninstall({
    layout,
    purge: values.purge!,
    systemd: layout.root === "/",
    say: (l) => console.log(l),
    problem: (p) => problems.push(p),
  });
  for (const p of problems) console.error(`joblet: ${p}`);
  return problems.length ? 1 : 0;
}

export async function uninstall(
  o: {
    layout: InstallLayout;
    purge: boolean;
    systemd: boolean;
    say: (line: string) => void;
    /** What could not be removed, each with the reason (default: thrown). */
    problem?: (text: string) => void;
  },
): Promise<string[]> {
  const { layout: l, say } = o;
  const problem = o.problem ?? ((text: string) => {
    throw new JobletError("Internal", text);
  });
  const disk = (p: string) => onDisk(l, p);
  const removed: string[] = [];
  const rm = (hostPath: string, recursive = false) => {
    try {
      Deno.removeSync(disk(hostPath), { recursive });
      removed.push(hostPath);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) problem(`cannot remove ${hostPath}: ${(e as Error).message}`);
    }
  };

  // Stop the agent: through systemd, else by its pid file (it stops its jobs).
  if (o.systemd && systemdRunning() && exists(disk(l.unitPath))) {
    await systemctl(["disable", "--now", "--quiet", UNIT_NAME], { check: false });
  }
  await stopByPid(disk(l.stateDir), say);
  rm(l.unitPath);
  if (o.systemd && systemdRunning()) {
    await systemctl(["daemon-reload"], { check: false });
    await systemctl(["reset-failed", UNIT_NAME], { check: false });
  }

  const manifest = readText(disk(manifestPath(l)));
  const files = manifest?.split("\n").filter((f) => f.startsWith("/")) ?? [binPath(l, "joblet")];
  for (const f of files) rm(f);
  rm(manifestPath(l));
  try {
    Deno.removeSync(disk(libDir(l)));
    removed.push(libDir(l));
  } catch { /* absent or not empty */ }

  if (o.purge) {
    if (l.root === "/") {
      // Mounts first: rm -r would descend into a mounted volume and then fail on its mount point. Unmounting
      // a loop mount detaches its device (LO_FLAGS_AUTOCLEAR); what is still attached after that goes next.
      removed.push(...unmountUnder(l.stateDir, problem));
      removed.push(...detachLoopDevices(l.stateDir, problem));
      removed.push(...(await removeNftTables(problem)));
      removed.push(...(await removeLinks(problem)));
    }
    removed.push(...removeCgroups(disk("/sys/fs/cgroup")));
    rm(l.stateDir, true);
    rm(configPath(l));
    rm(`${configPath(l)}.bak`);
    try {
      Deno.removeSync(disk(l.configDir));
      removed.push(l.configDir);
    } catch { /* absent, or holds files of the admin's own */ }
    rm(l.rnxConfig);
  }
  for (const r of removed) say(`  removed ${r}`);
  say(
    removed.length === 0
      ? "joblet is not installed; nothing to remove"
      : o.purge
      ? "joblet uninstalled; state, config and certificates removed"
      : `joblet uninstalled; kept ${configPath(l)} and ${l.stateDir} (--purge removes them)`,
  );
  return removed;
}

async function stopByPid(stateDir: string, say: (l: string) => void): Promise<void> {
  const pid = runningAgentPid(stateDir);
  if (!pid) return;
  say(`  stopping the agent (pid ${pid})`);
  Deno.kill(pid, "SIGTERM");
  for (let i = 0; i < 150 && runningAgentPid(stateDir) === pid; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Every cgroup directory named joblet… in each hierarchy under `cgroupRoot` (v2 at the top, v1 one level down),
 * deepest first. Only rmdir: a cgroup still holding processes stays, and is reported.
 */
export function removeCgroups(cgroupRoot: string): string[] {
  const removed: string[] = [];
  const visit = (dir: string, depth: number, inside: boolean) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory && !e.isSymlink);
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      const ours = inside || e.name.startsWith("joblet");
      if (ours || depth < 4) visit(path, depth + 1, ours);
      if (ours) {
        try {
          Deno.removeSync(path);
          removed.push(path);
        } catch (err) {
          console.error(`joblet: cannot remove cgroup ${path}: ${(err as Error).message}`);
        }
      }
    }
  };
  visit(cgroupRoot, 0, false);
  return removed;
}

/** The mount points at or under `dir` in a mountinfo text, deepest (last mounted) first, each once. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.replace(/\/+$/, "");
  const points = parseMountinfo(mountinfo).map((m) => m.mountPoint)
    .filter((p) => p === prefix || p.startsWith(prefix + "/"));
  return [...new Set(points.reverse())];
}

function unmountUnder(dir: string, problem: (text: string) => void): string[] {
  const out: string[] = [];
  for (let round = 0; round < 3; round++) { // stacked mounts on one point show once per round
    const points = mountsUnder(readText("/proc/self/mountinfo") ?? "", dir);
    if (points.length === 0) break;
    for (const p of points) {
      try {
        umount2(p, 0);
      } catch {
        try {
          umount2(p, MNT_DETACH); // busy (a process still has it open): detach now, freed when it lets go
        } catch (e) {
          if (round === 2) problem(`cannot unmount ${p}: ${(e as Error).message}`);
          continue;
        }
      }
      out.push(`mount ${p}`);
    }
  }
  return out;
}

function detachLoopDevices(stateDir: string, problem: (text: string) => void): string[] {
  const out: string[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync("/sys/block")].filter((e) => e.name.startsWith("loop"));
  } catch { /* no /sys/block */ }
  for (const e of entries) {
    const backing = readText(`/sys/block/${e.name}/loop/backing_file`)?.trim();
    if (!backing?.startsWith(stateDir + "/")) continue;
    const r = new Deno.Command("losetup", { args: ["-d", `/dev/${e.name}`], stderr: "piped" }).outputSync();
    if (r.success) out.push(`/dev/${e.name}`);
    else problem(`cannot detach /dev/${e.name} (${backing}): ${new TextDecoder().decode(r.stderr).trim()}`);
  }
  return out;
}

/** The `joblet*` tables in `nft list tables` output, as [family, name]. */
export function jobletNftTables(listing: string): [string, string][] {
  return [...listing.matchAll(/^table (\S+) (joblet\S*)$/gm)].map((m) => [m[1], m[2]]);
}

async function removeNftTables(problem: (text: string) => void): Promise<string[]> {
  let listing: Deno.CommandOutput;
  try {
    listing = await new Deno.Command("nft", { args: ["list", "tables"], stdout: "piped", stderr: "null" })
      .output();
  } catch {
    return []; // no nft binary: the agent cannot have made a table either
  }
  const out: string[] = [];
  for (const [family, name] of jobletNftTables(new TextDecoder().decode(listing.stdout))) {
    const r = await new Deno.Command("nft", { args: ["delete", "table", family, name], stderr: "piped" })
      .output();
    if (r.success) out.push(`nft table ${family} ${name}`);
    else problem(`cannot delete nft table ${family} ${name}: ${new TextDecoder().decode(r.stderr).trim()}`);
  }
  return out;
}

/** Links the agent makes: bridges `joblet*` and the host ends of job veths (`jv` + 12 hex digits). */
export function isJobletLink(name: string): boolean {
  return name.startsWith("joblet") || /^jv[0-9a-f]{12}$/.test(name);
}

async function removeLinks(problem: (text: string) => void): Promise<string[]> {
  const out: string[] = [];
  let links: string[] = [];
  try {
    links = [...Deno.readDirSync("/sys/class/net")].map((e) => e.name).filter(isJobletLink);
  } catch { /* no sysfs */ }
  for (const link of links) {
    const r = await new Deno.Command("ip", { args: ["link", "delete", link], stderr: "piped" }).output();
    if (r.success) out.push(`network link ${link}`);
    // Deleting one end of a veth deletes the other: only a link that is still there is a problem.
    else if (exists(`/sys/class/net/${link}`)) {
      problem(`cannot delete network link ${link}: ${new TextDecoder().decode(r.stderr).trim()}`);
    }
  }
  return out;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}
