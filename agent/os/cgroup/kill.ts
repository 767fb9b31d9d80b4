/**
 * Emptying a cgroup, the same loop for both versions. A process can fork between our reading cgroup.procs and
 * our kill(2), so one pass is never enough: we repeat until cgroup.procs is empty, with a bound.
 *
 * - v2 with cgroup.kill (kernel ≥ 5.14): one write kills every process, including ones forked meanwhile.
 *   https://docs.kernel.org/admin-guide/cgroup-v2.html#core-interface-files (cgroup.kill)
 * - otherwise, as runc's signalAllProcesses (libcontainer/init_linux.go): freeze the cgroup so nothing forks,
 *   SIGKILL each pid, thaw. On v1 a frozen task only acts on its SIGKILL once thawed
 *   (https://docs.kernel.org/admin-guide/cgroup-v1/freezer-subsystem.html); on v2 a fatal signal kills frozen
 *   tasks, and we thaw so the cgroup is usable again.
 * - without any freezer (a v1 host with no freezer hierarchy) we just SIGKILL each pid every pass.
 */
import { JobletError } from "../../domain/errors.ts";
import { errnoOf, type Kill, type Sleep } from "./common.ts";

export interface KillTarget {
  /** Where the processes are, for error messages. */
  describe: string;
  pids(): number[];
  /** v2 `cgroup.kill`; undefined where the kernel lacks it or on v1. */
  killAtOnce?: () => void;
  /** Freezes the cgroup and resolves once it is frozen (or after a short bound: a task in D state never is). */
  freeze?: () => Promise<void>;
  thaw?: () => void;
}

export async function killUntilEmpty(
  target: KillTarget,
  io: { kill: Kill; sleep: Sleep; timeoutMs: number },
): Promise<void> {
  const deadline = performance.now() + io.timeoutMs;
  let pause = 5;
  for (;;) {
    const pids = target.pids();
    if (pids.length === 0) return;
    if (performance.now() > deadline) {
      throw new JobletError(
        "Internal",
        `Cannot empty ${target.describe}: ${pids.length} process(es) (${pids.slice(0, 10).join(", ")}) ` +
          `survived SIGKILL for ${io.timeoutMs} ms; a process stuck in uninterruptible sleep (state D in ` +
          `/proc/<pid>/stat) cannot die until its I/O returns`,
      );
    }
    if (target.killAtOnce) {
      target.killAtOnce();
    } else {
      if (target.freeze) await target.freeze();
      try {
        signalEach(io.kill, pids, "SIGKILL");
      } finally {
        target.thaw?.();
      }
    }
    await io.sleep(pause);
    pause = Math.min(pause * 2, 100);
  }
}

/** Sends a signal to each pid; processes that exit meanwhile are skipped. */
export function signalEach(kill: Kill, pids: number[], signal: Deno.Signal): void {
  for (const pid of pids) {
    try {
      kill(pid, signal);
    } catch (e) {
      if (errnoOf(e) !== "ESRCH" && !(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
