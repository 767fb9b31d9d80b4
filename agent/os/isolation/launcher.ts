/**
 * Launches jobs "agent-inline" (docs/adr/0001-job-entry.md): on the agent's JS thread, with no await in
 * between, unshare → build the root (plan.ts) → pivot_root → spawn /bin/sh (stage2.ts) → setns back.
 * Deno.Command forks on the calling thread, so the child lands in the new namespaces and root while the rest
 * of the agent never leaves the host's. The child then waits until it is in its cgroup before running the job.
 */
import type { ExitStatus, LaunchedJob, Launcher, LaunchRequest } from "../../core/ports.ts";
import { failedPrecondition, internal, invalidArgument, JobletError } from "../../domain/errors.ts";
import { chdir, withDefaultSignals } from "../../../ffi/sys.ts";
import { etcFiles, type EtcNetwork } from "./etc_files.ts";
import { executePlan } from "./execute.ts";
import { DEFAULT_HOST_BINDS, type HostPath, resolveHostPaths, withRuntime } from "./host_paths.ts";
import { ThreadNamespaces } from "./namespaces.ts";
import { type MountFlag, planRoot, type Step } from "./plan.ts";
import { MOUNT, SETPRIV, SH, stage2Args } from "./stage2.ts";

export interface NamespaceLauncherOptions {
  /** Host directory the agent owns (e.g. <state>/run); every job's root tmpfs is mounted on <runDir>/root. */
  runDir: string;
  /** Host paths shown read-only in every job; `*` allowed at the end. Default: DEFAULT_HOST_BINDS. */
  hostBinds?: string[];
  /** Run the command under /usr/bin/tini as PID 1 when the root has it (default true). */
  useTini?: boolean;
  /** Mount a private devpts at /dev/pts (default true). */
  devPts?: boolean;
}

const GO = new Uint8Array([0x0a]);

export class NamespaceLauncher implements Launcher {
  readonly #newRoot: string;
  readonly #hostBinds: readonly string[];
  readonly #useTini: boolean;
  readonly #devPts: boolean;
  #ns: ThreadNamespaces | undefined;
  #hostPaths: HostPath[] | undefined;
  /** Set when the JS thread could not return to the host namespaces: no further launch is safe. */
  #broken: string | undefined;

  constructor(opts: NamespaceLauncherOptions) {
    if (!opts.runDir.startsWith("/")) {
      throw invalidArgument(
        `Launcher runDir "${opts.runDir}" must be an absolute path (e.g. /var/lib/joblet/run)`,
      );
    }
    this.#newRoot = `${opts.runDir.replace(/\/+$/, "")}/root`;
    this.#hostBinds = opts.hostBinds ?? DEFAULT_HOST_BINDS;
    this.#useTini = opts.useTini ?? true;
    this.#devPts = opts.devPts ?? true;
  }

  async launch(req: LaunchRequest): Promise<LaunchedJob> {
    if (this.#broken) throw internal(`Cannot launch job ${req.jobId}: ${this.#broken}`);
    if (req.command === "") throw invalidArgument(`Cannot launch job ${req.jobId}: the command is empty`);
    if (!isDir(req.workDir)) {
      throw failedPrecondition(
        `Cannot launch job ${req.jobId}: work dir "${req.workDir}" is not a directory`,
      );
    }
    const { ns, hostPaths } = this.#prepare();
    if (req.runtime) checkRuntimeRoot(req.jobId, req.runtime.root);
    const steps = planRoot({
      newRoot: this.#newRoot,
      hostPaths: req.runtime ? withRuntime(hostPaths, req.runtime) : hostPaths,
      workDir: req.workDir,
      hostname: req.hostname,
      devPts: this.#devPts,
      mounts: req.mounts,
    });
    if (req.network) withNetworkEtc(steps, this.#newRoot, req.hostname, req.network);
    const child = this.#spawnInside(ns, req, steps);
    try {
      const shared = ns.sharedWith(child.pid);
      if (shared.length > 0) {
        throw internal(
          `Cannot launch job ${req.jobId}: its process shares the agent's ${shared.join(", ")} namespace`,
        );
      }
      req.cgroup.addProcess(child.pid);
      // In its cgroup, not yet released: connect its network namespace before the user command runs.
      await req.network?.attach(child.pid);
    } catch (e) {
      await abandon(child);
      await Promise.resolve().then(() => req.network?.detach()).catch(() => {});
      throw e instanceof JobletError ? e : internal(`Cannot launch job ${req.jobId}: ${message(e)}`, e);
    }
    await release(child);
    return {
      pid: child.pid,
      stdout: child.stdout,
      stderr: child.stderr,
      status: child.status.then(({ code, signal }): ExitStatus => ({ code, signal })),
    };
  }

  /** First launch only: the run dir, the host layout and the thread's own namespaces. */
  #prepare(): { ns: ThreadNamespaces; hostPaths: HostPath[] } {
    if (!this.#ns || !this.#hostPaths) {
      for (const tool of [SH, MOUNT, SETPRIV]) {
        if (!isFile(tool)) throw failedPrecondition(`Cannot launch jobs: ${tool} is missing on this host`);
      }
      Deno.mkdirSync(this.#newRoot, { recursive: true, mode: 0o700 });
      this.#hostPaths = resolveHostPaths(this.#hostBinds);
      this.#ns = ThreadNamespaces.capture();
    }
    return { ns: this.#ns, hostPaths: this.#hostPaths };
  }

  /** The synchronous part. Whatever happens, the thread is back in the host namespaces and cwd on return. */
  #spawnInside(ns: ThreadNamespaces, req: LaunchRequest, steps: Step[]): Deno.ChildProcess {
    const oldCwd = Deno.cwd();
    try {
      ns.enter();
    } catch (e) {
      throw internal(`Cannot launch job ${req.jobId}: unshare of new namespaces failed: ${message(e)}`, e);
    }
    let child: Deno.ChildProcess | undefined;
    let failure: string | undefined;
    let cause: unknown;
    try {
      executePlan(steps);
      failure = `spawn ${SH} in the job root`;
      // fork copies the agent's signal dispositions and exec keeps SIG_IGN: some hosts (e.g. `deno test`)
      // run the agent with glibc's internal signal 32 ignored, which no program in the job could undo.
      const command = new Deno.Command(SH, {
        args: stage2Args({ useTini: this.#useTini, unsetPwd: !("PWD" in req.env) }, req.command, req.args),
        clearEnv: true,
        env: req.env,
        // Asking for uid/gid (root's own) makes Rust fork+exec instead of posix_spawn. glibc's posix_spawn
        // child sets its internal signals 32 and 33 to SIG_IGN and exec keeps that, so every job process
        // would start with SigIgn 0x180000000; after fork+exec SigIgn and SigBlk are 0 (Rust also resets the
        // SIGPIPE that Deno ignores). No sh or setpriv could undo it: glibc's sigaction refuses 32 and 33.
        uid: 0,
        gid: 0,
        cwd: "/work",
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      });
      child = withDefaultSignals([32, 33], () => command.spawn());
      failure = undefined;
    } catch (e) {
      failure = failure ? `${failure} failed: ${message(e)}` : message(e);
      cause = e;
    }
    // Not in `finally`: the catch above takes every error, so this always runs.
    try {
      ns.restore();
      chdir(oldCwd);
      const strayed = ns.strayed();
      if (strayed.length > 0) throw new Error(`still in the job's ${strayed.join(", ")} namespace`);
    } catch (e) {
      this.#broken = `the agent thread could not return to its own namespaces (${
        message(e)
      }); restart joblet`;
      try {
        child?.kill("SIGKILL");
      } catch { /* already gone */ }
      throw internal(`Cannot launch job ${req.jobId}: ${this.#broken}`, e);
    }
    if (failure !== undefined || !child) {
      throw internal(`Cannot launch job ${req.jobId}: ${failure ?? "no child"}`, cause);
    }
    return child;
  }
}

/** Puts the network's /etc/hosts lines and resolv.conf into the planned /etc files (before pivot_root). */
function withNetworkEtc(
  steps: Step[],
  newRoot: string,
  hostname: string,
  net: EtcNetwork & { hostsFile?: string },
): void {
  for (const f of etcFiles(hostname, net)) {
    const path = `${newRoot}/etc/${f.name}`;
    const step = steps.find((s) => s.op === "file" && s.path === path);
    if (step?.op === "file") step.content = f.content;
    else {
      const at = steps.findIndex((s) => s.op === "pivot-root");
      steps.splice(at, 0, { op: "file", path, content: f.content, mode: 0o644 });
    }
  }
  if (net.hostsFile) {
    // The root is remounted read-only; a bind of the agent's file lets the agent keep /etc/hosts current.
    const at = steps.findIndex((s) => s.op === "pivot-root");
    const target = `${newRoot}/etc/hosts`;
    const flags: MountFlag[] = ["rdonly", "nosuid", "nodev"];
    steps.splice(at, 0, { op: "bind", source: net.hostsFile, target, recursive: false, flags });
  }
}

/** Stage 2 runs inside the runtime's root: it must have the tools (ADR 0010: every runtime has them). */
function checkRuntimeRoot(jobId: string, root: string): void {
  for (const tool of [SH, MOUNT, SETPRIV]) {
    if (!isFile(root + tool)) {
      throw failedPrecondition(
        `Cannot launch job ${jobId}: the runtime at ${root} has no ${tool}; reinstall it (rnx runtime install NAME --force)`,
      );
    }
  }
}

/** Lets stage 2 go on: one line, then EOF. A child that died already shows it in its status. */
async function release(child: Deno.ChildProcess): Promise<void> {
  const w = child.stdin.getWriter();
  try {
    await w.write(GO);
    await w.close();
  } catch {
    // EPIPE: the child is gone; `status` reports how.
  }
}

async function abandon(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await Promise.allSettled([child.stdin.close(), child.stdout.cancel(), child.stderr.cancel(), child.status]);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isDir(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
