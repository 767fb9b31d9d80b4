/**
 * Stage 2: the `/bin/sh -c` script that is the job's PID 1 for a moment, still root, inside the new root.
 *
 * 1. waits for one line on stdin: the agent sends it once the process is in the job's cgroup, so the user
 *    command runs inside its cgroup from its first instruction (EOF means the agent gave up: exit 125);
 * 2. mounts a /proc that belongs to the new PID namespace (only a process inside it can do that);
 * 3. checks the command exists on the job's PATH (127 + "<cmd>: command not found", as shells do);
 * 4. drops to nobody with no groups, no capabilities (bounding set too) and no_new_privs, and execs tini
 *    (PID 1 that forwards SIGTERM and reaps orphans) or the command itself.
 *
 * dash adds nothing to the environment it passes on except PWD when it was not set (then unset again;
 * checked by the integration test), and setpriv keeps the environment as it is.
 * A command that exists but cannot be executed makes setpriv or tini exit 126.
 */
import { NOBODY } from "./etc_files.ts";

export const SH = "/bin/sh";
export const MOUNT = "/bin/mount";
export const SETPRIV = "/usr/bin/setpriv";
export const TINI = "/usr/bin/tini";

/** Exit code when the job never got the go-ahead or /proc could not be mounted. */
export const STAGE2_FAILED = 125;

export interface Stage2Options {
  useTini: boolean;
  /** The job's env has no PWD: drop the one sh sets for itself at start-up, so the env stays exact. */
  unsetPwd?: boolean;
}

export function stage2Script(opts: Stage2Options): string {
  const setpriv = `${SETPRIV} --reuid=${NOBODY} --regid=${NOBODY} --clear-groups --inh-caps=-all ` +
    `--bounding-set=-all --no-new-privs --`;
  return [
    `read -r go || exit ${STAGE2_FAILED}`,
    ...(opts.unsetPwd ? ["unset PWD"] : []),
    `exec </dev/null`,
    `${MOUNT} -n -t proc -o nosuid,nodev,noexec proc /proc || exit ${STAGE2_FAILED}`,
    `command -v -- "$1" >/dev/null 2>&1 || { printf '%s: command not found\\n' "$1" >&2; exit 127; }`,
    ...(opts.useTini ? [`[ -x ${TINI} ] && exec ${setpriv} ${TINI} -s -g -- "$@"`] : []),
    `exec ${setpriv} "$@"`,
  ].join("\n");
}

/** Arguments for `/bin/sh`: the script, $0, then the user command and its arguments verbatim. */
export function stage2Args(opts: Stage2Options, command: string, args: readonly string[]): string[] {
  return ["-c", stage2Script(opts), "joblet-stage2", command, ...args];
}
