/**
 * What `joblet install` writes, as pure functions of the layout and the options: the systemd unit, the commented
 * config file and the launcher scripts for installs from a bundle or from source. install.ts writes them.
 */
import { join } from "node:path";

/** Where things go on the host. Every path is absolute as the host sees it; `root` prefixes them all on disk. */
export interface InstallLayout {
  /** "/" on a real host; a temporary directory in tests. */
  root: string;
  /** Programs go to <prefix>/bin, bundles to <prefix>/lib/joblet. */
  prefix: string;
  configDir: string;
  stateDir: string;
  unitPath: string;
  /** root's rnx config. */
  rnxConfig: string;
}

export const DEFAULT_LAYOUT: InstallLayout = {
  root: "/",
  prefix: "/usr/local",
  configDir: "/etc/joblet",
  stateDir: "/var/lib/joblet",
  unitPath: "/etc/systemd/system/joblet.service",
  rnxConfig: "/root/.rnx/rnx-config.yml",
};

export const UNIT_NAME = "joblet.service";

/** The host path made absolute under the layout's root (for reading and writing). */
export function onDisk(layout: InstallLayout, hostPath: string): string {
  return layout.root === "/" ? hostPath : join(layout.root, hostPath);
}

export const binPath = (l: InstallLayout, program: "joblet" | "rnx") => join(l.prefix, "bin", program);
export const libDir = (l: InstallLayout) => join(l.prefix, "lib", "joblet");
export const configPath = (l: InstallLayout) => join(l.configDir, "joblet.yml");
/** The files install put in place of programs, one host path per line; uninstall removes exactly these. */
export const manifestPath = (l: InstallLayout) => join(l.configDir, "installed-files");

/**
 * The systemd unit. Delegate=yes gives the agent its cgroup subtree (cgroup v2 controllers for jobs);
 * KillMode=process makes `systemctl stop` send SIGTERM to the agent only, so the agent stops its jobs itself
 * and records them STOPPED with their output (jobs cannot outlive the agent: docs/adr/0001-job-entry.md); after
 * a crash, the next start kills what is left by cgroup and marks those jobs FAILED. TimeoutStopSec is above
 * the agent's 10 s shutdown budget.
 */
export function renderUnit(l: InstallLayout): string {
  return `# Installed by \`joblet install\`; \`joblet install --force\` rewrites it, \`joblet uninstall\` removes it.
[Unit]
Description=Joblet agent: runs isolated jobs for rnx clients
Documentation=file://${configPath(l)}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${binPath(l, "joblet")} serve --config ${configPath(l)}
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=2
Delegate=yes
KillMode=process
TimeoutStopSec=20
LimitNOFILE=1048576
LimitNPROC=infinity
TasksMax=infinity
Environment=DENO_NO_UPDATE_CHECK=1

[Install]
WantedBy=multi-user.target
`;
}

/** joblet.yml: the install's settings, and every other key commented out with its default. */
export function renderConfig(l: InstallLayout, opts: { address: string; serverNames: string[] }): string {
  const names = opts.serverNames.length ? `[${opts.serverNames.join(", ")}]` : "[]";
  return `# joblet agent config, written by \`joblet install\`. Keys left commented out keep the default shown.
# After editing: \`systemctl reload joblet\` (SIGHUP) applies log.* and limits.*; anything else needs
# \`systemctl restart joblet\` (running jobs are stopped then). See docs/operating.md.
state_dir: ${l.stateDir}
listen: "${opts.address}"
server_names: ${names}          # extra names/IPs in the server certificate, besides localhost and the host name
rnx_config: ${l.rnxConfig}    # the admin rnx config kept up to date at each start ("none" = don't)
# node_name: local
# jobs:
#   stop_grace: 10s                 # SIGTERM → SIGKILL when a job is stopped
#   host_binds: [/usr, /bin, /lib, /lib64, /sbin, /etc/ssl, /etc/ca-certificates, /usr/share/ca-certificates]
#   use_tini: true
# logs:
#   max_bytes_per_job: 1GiB
#   retention: 7d                   # finished jobs older than this are removed; 0 = keep
# limits:                           # as the rnx flags (docs/limits.md); 0 = unlimited / no bound
#   disabled: false
#   default_max_cpu: 0
#   default_max_memory: 0
#   default_max_iobps: 0
#   default_max_pids: 4096
#   default_timeout: 0
#   min_cpu: 1
#   max_cpu: 0
#   max_memory: 0
#   max_iobps: 0
#   max_pids: 65536
#   max_timeout: 0
# metrics:
#   listen: ""                      # e.g. 127.0.0.1:9464 for Prometheus /metrics and /healthz
#   sample_interval: 5s
#   samples_kept: 720
# log:
#   format: text                    # text or json (JSON lines)
#   level: info                     # debug, info, warn, error
`;
}

/**
 * A launcher for a program that runs on `deno` (a bundle, or the source tree): the installed `joblet`/`rnx` is
 * this script. `denoDir` is the Deno cache it uses (the source tree's npm packages live there).
 */
export function renderLauncher(opts: {
  program: "joblet" | "rnx";
  deno: string;
  main: string;
  /** deno.json of a source tree; undefined for a bundle (run with --no-config). */
  denoConfig?: string;
  denoDir: string;
}): string {
  const config = opts.denoConfig ? `--config ${q(opts.denoConfig)}` : "--no-config";
  return `#!/bin/sh
# joblet launcher: runs ${opts.program} from ${opts.denoConfig ? "the source tree" : "its bundle"} on deno.
# Written by \`joblet install\`; upgrade by running the new \`joblet install\` (or replacing ${opts.main}).
export DENO_NO_UPDATE_CHECK=1
export DENO_DIR="\${DENO_DIR:-${opts.denoDir}}"
exec ${q(opts.deno)} run -A --no-prompt ${config} ${q(opts.main)} "$@"
`;
}

function q(s: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}
