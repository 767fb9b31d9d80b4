/**
 * `joblet install`: makes this host a joblet host from the program itself, as root.
 *
 *   joblet install [--address 0.0.0.0:50051] [--server-name NAME]… [--prefix /usr/local] [--force] [--no-start]
 *                  [--root DIR] [--config-dir DIR] [--state-dir DIR] [--unit-path FILE] [--rnx-config FILE]
 *
 * Steps, each done only when needed (a second run changes nothing and says so):
 *   1. the program at <prefix>/bin/joblet (and rnx beside it when found): a compiled binary is copied; a bundle
 *      (dist/joblet.js) is copied to <prefix>/lib/joblet/ with a launcher script; from source, a launcher runs
 *      the source tree (which must then stay where it is)
 *   2. <config-dir>/joblet.yml with the address, server names and every other key commented with its default
 *      (kept when it exists; --force rewrites it, keeping the old one as joblet.yml.bak)
 *   3. the state dir (0700) and the PKI in it: CA, server certificate for the names, admin client certificate
 *   4. root's rnx config (admin) for this node
 *   5. the systemd unit; with systemd running: daemon-reload, enable, start (or restart when something changed).
 *      Without systemd it says how to run `joblet serve` under another supervisor.
 * --root puts every path under DIR and skips systemctl (tests, image builds).
 */
import { parseArgs } from "node:util";
import { basename, dirname, join } from "node:path";
import { JobletError } from "../domain/errors.ts";
import { parseHostPort } from "../config/listen.ts";
import { isHostName } from "../config/listen.ts";
import { ensurePki, writeRnxConfig } from "../os/certs/bootstrap.ts";
import { clientAddress } from "../os/certs/client_address.ts";
import { localHostname } from "../os/certs/host.ts";
import {
  binPath,
  configPath,
  DEFAULT_LAYOUT,
  type InstallLayout,
  libDir,
  manifestPath,
  onDisk,
  renderConfig,
  renderLauncher,
  renderUnit,
  UNIT_NAME,
} from "./install_files.ts";
import { systemctl, systemdRunning } from "./systemd.ts";

export const INSTALL_USAGE =
  `usage: joblet install [--address HOST:PORT] [--server-name NAME]... [--prefix DIR] [--force] [--no-start]
                      [--root DIR] [--config-dir DIR] [--state-dir DIR] [--unit-path FILE] [--rnx-config FILE]`;

export const DEFAULT_ADDRESS = "0.0.0.0:50051";

/** What runs now, and so what gets installed. */
export type ProgramSource =
  | { kind: "binary"; joblet: string; rnx?: string }
  | { kind: "bundle"; deno: string; joblet: string; rnx?: string }
  | { kind: "source"; deno: string; joblet: string; rnx: string; denoConfig: string };

export interface InstallOptions {
  layout: InstallLayout;
  address: string;
  serverNames: string[];
  force: boolean;
  /** Run systemctl (false with --no-start or --root). */
  start: boolean;
  program: ProgramSource;
  denoDir: string;
  say: (line: string) => void;
}

export async function installCommand(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        address: { type: "string", default: DEFAULT_ADDRESS },
        "server-name": { type: "string", multiple: true, default: [] },
        prefix: { type: "string" },
        force: { type: "boolean", default: false },
        "no-start": { type: "boolean", default: false },
        root: { type: "string" },
        "config-dir": { type: "string" },
        "state-dir": { type: "string" },
        "unit-path": { type: "string" },
        "rnx-config": { type: "string" },
      },
    }).values;
  } catch (e) {
    console.error(`joblet: ${(e as Error).message}\n${INSTALL_USAGE}`);
    return 2;
  }
  const layout = layoutFrom(values);
  parseHostPort(values.address!);
  for (const n of values["server-name"]!) {
    if (!isHostName(n)) {
      throw new JobletError("InvalidArgument", `--server-name "${n}" is not a host name or IP address`);
    }
  }
  if (layout.root === "/" && Deno.uid() !== 0) {
    throw new JobletError("PermissionDenied", "joblet install must run as root (try: sudo joblet install)");
  }
  await install({
    layout,
    address: values.address!,
    serverNames: values["server-name"]!,
    force: values.force!,
    start: !values["no-start"] && layout.root === "/",
    program: currentProgram(),
    denoDir: Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache", "deno"),
    say: (l) => console.log(l),
  });
  return 0;
}

/** The layout from --root/--prefix/… flags; every path must be absolute. */
export function layoutFrom(v: Record<string, unknown>): InstallLayout {
  const pick = (flag: string, fallback: string) => {
    const value = (v[flag] as string | undefined) ?? fallback;
    if (!value.startsWith("/")) {
      throw new JobletError("InvalidArgument", `--${flag} "${value}" must be an absolute path`);
    }
    return value;
  };
  const d = DEFAULT_LAYOUT;
  return {
    root: pick("root", d.root),
    prefix: pick("prefix", d.prefix),
    configDir: pick("config-dir", d.configDir),
    stateDir: pick("state-dir", d.stateDir),
    unitPath: pick("unit-path", d.unitPath),
    rnxConfig: pick("rnx-config", d.rnxConfig),
  };
}

export function currentProgram(): ProgramSource {
  const exe = Deno.execPath();
  const main = new URL(Deno.mainModule).pathname;
  if (!/(^|\/)deno$/.test(exe)) {
    const dir = dirname(exe);
    const rnx = [`rnx`, `rnx-linux-${Deno.build.arch === "x86_64" ? "x64" : "arm64"}`]
      .map((n) => join(dir, n)).find(isFile);
    return { kind: "binary", joblet: exe, rnx };
  }
  if (main.endsWith(".js")) {
    const rnx = join(dirname(main), "rnx.js");
    return { kind: "bundle", deno: exe, joblet: main, rnx: isFile(rnx) ? rnx : undefined };
  }
  const repo = dirname(dirname(main));
  return {
    kind: "source",
    deno: exe,
    joblet: main,
    rnx: join(repo, "cli", "main.ts"),
    denoConfig: join(repo, "deno.json"),
  };
}

/** Runs the install; returns the host paths it changed (empty when everything was in place). */
export async function install(o: InstallOptions): Promise<string[]> {
  const { layout: l, say } = o;
  const disk = (p: string) => onDisk(l, p);
  const changed: string[] = [];
  const put = (hostPath: string, content: string | Uint8Array, mode: number): void => {
    const path = disk(hostPath);
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    if (sameBytes(path, bytes) && modeOf(path) === mode) return;
    Deno.mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    // Write beside and rename: replacing a running binary in place fails (ETXTBSY) and would tear it.
    const tmp = `${path}.joblet-new`;
    Deno.writeFileSync(tmp, bytes, { mode });
    Deno.chmodSync(tmp, mode);
    Deno.renameSync(tmp, path);
    changed.push(hostPath);
  };

  // 1. the programs
  const installed: string[] = [];
  const p = o.program;
  if (p.kind === "binary") {
    put(binPath(l, "joblet"), Deno.readFileSync(p.joblet), 0o755);
    installed.push(binPath(l, "joblet"));
    if (p.rnx) {
      put(binPath(l, "rnx"), Deno.readFileSync(p.rnx), 0o755);
      installed.push(binPath(l, "rnx"));
    }
  } else {
    const programs: ["joblet" | "rnx", string | undefined][] = [["joblet", p.joblet], ["rnx", p.rnx]];
    for (const [name, main] of programs) {
      if (!main) continue;
      let target = main;
      if (p.kind === "bundle") {
        target = join(libDir(l), basename(main));
        put(target, Deno.readFileSync(main), 0o644);
        installed.push(target);
      }
      const launcher = renderLauncher({
        program: name,
        deno: p.deno,
        main: target,
        denoConfig: p.kind === "source" ? p.denoConfig : undefined,
        denoDir: o.denoDir,
      });
      put(binPath(l, name), launcher, 0o755);
      installed.push(binPath(l, name));
    }
  }
  put(manifestPath(l), installed.join("\n") + "\n", 0o644);

  // 2. the config
  const config = renderConfig(l, { address: o.address, serverNames: o.serverNames });
  const cfgDisk = disk(configPath(l));
  const existing = readText(cfgDisk);
  if (existing === undefined) put(configPath(l), config, 0o644);
  else if (o.force && existing !== config) {
    Deno.writeTextFileSync(`${cfgDisk}.bak`, existing, { mode: 0o600 });
    put(configPath(l), config, 0o644);
    say(`  kept the previous config as ${configPath(l)}.bak`);
  } else if (existing !== config) {
    say(`  ${configPath(l)} exists and differs from the install's; kept it (--force rewrites it)`);
  }

  // 3. state dir and PKI
  const state = disk(l.stateDir);
  if (!isDir(state)) changed.push(l.stateDir);
  Deno.mkdirSync(state, { recursive: true, mode: 0o700 });
  Deno.chmodSync(state, 0o700);
  const pki = await ensurePki(state, { serverNames: o.serverNames });
  changed.push(...pki.written.map((f) => join(l.stateDir, "pki", f)));

  // 4. root's rnx config
  const listen = parseHostPort(o.address);
  const client = clientAddress(listen, localHostname());
  const rnxDisk = disk(l.rnxConfig);
  const before = readText(rnxDisk);
  writeRnxConfig(rnxDisk, {
    nodeName: "local",
    address: client.address,
    serverName: client.serverName,
    ca: pki.caCert,
    cert: pki.adminCert,
    key: pki.adminKey,
  });
  if (readText(rnxDisk) !== before) changed.push(l.rnxConfig);

  // 5. the unit
  const unitBefore = readText(disk(l.unitPath));
  put(l.unitPath, renderUnit(l), 0o644);
  const unitChanged = unitBefore !== readText(disk(l.unitPath));

  for (const c of changed) say(`  wrote ${c}`);
  if (!o.start) {
    say(
      changed.length
        ? `joblet installed under ${l.root}`
        : `joblet is installed under ${l.root}; nothing changed`,
    );
    if (l.root === "/") say(supervisorHint(l));
    return changed;
  }
  if (!systemdRunning()) {
    say(changed.length ? "joblet installed" : "joblet is installed; nothing changed");
    say(`systemd is not running here, so the unit ${l.unitPath} was written but not started.`);
    say(supervisorHint(l));
    return changed;
  }
  if (unitChanged) await systemctl(["daemon-reload"]);
  if ((await systemctl(["is-enabled", "--quiet", UNIT_NAME], { check: false })) !== 0) {
    await systemctl(["enable", "--quiet", UNIT_NAME]);
    changed.push("enabled joblet.service");
  }
  const active = (await systemctl(["is-active", "--quiet", UNIT_NAME], { check: false })) === 0;
  if (!active) {
    await systemctl(["start", UNIT_NAME]);
    changed.push("started joblet.service");
  } else if (changed.length) {
    await systemctl(["restart", UNIT_NAME]);
    say("  restarted joblet.service (running jobs were stopped)");
  }
  say(changed.length ? "joblet installed and running" : "joblet is installed and running; nothing changed");
  say(`  try: rnx job run echo hello   (rnx config ${l.rnxConfig})`);
  return changed;
}

function supervisorHint(l: InstallLayout): string {
  return `To run it under another supervisor (runit, s6, OpenRC, a container), start as root:
  ${binPath(l, "joblet")} serve --config ${configPath(l)}
in the foreground, restart it when it exits, send SIGTERM to stop it (it stops its jobs, ≤ 10 s) and SIGHUP to
reload the config. On cgroup v2 give it a cgroup with cpu, cpuset, io, memory and pids delegated.`;
}

function sameBytes(path: string, bytes: Uint8Array): boolean {
  try {
    const have = Deno.readFileSync(path);
    return have.length === bytes.length && have.every((b, i) => b === bytes[i]);
  } catch {
    return false;
  }
}

function modeOf(path: string): number | undefined {
  try {
    return (Deno.statSync(path).mode ?? 0) & 0o7777;
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
