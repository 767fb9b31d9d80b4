/**
 * The agent JS thread's own namespaces, held open as fds for the agent's life, so that the thread can
 * unshare into fresh ones for a job and setns back (feasibility.md §2, "agent-inline").
 *
 * Why the thread must go back at once: after unshare(CLONE_NEWPID) it cannot create threads (clone(CLONE_THREAD)
 * → EINVAL, and Deno panics later), and after unshare(CLONE_NEWNS) async ops (other threads) see other mounts
 * than sync ones. Note that unshare(CLONE_NEWNS) also unshares the thread's cwd/root (CLONE_FS) for good: the
 * launcher restores the cwd, and nobody in the agent may Deno.chdir() afterwards.
 */
import * as C from "../../../ffi/constants.ts";
import { openReadOnly, setns, unshare } from "../../../ffi/sys.ts";

/** The namespaces a job gets; `file` is the name under /proc/<pid>/ns/. */
export const JOB_NAMESPACES = [
  { file: "mnt", flag: C.CLONE_NEWNS },
  { file: "uts", flag: C.CLONE_NEWUTS },
  { file: "ipc", flag: C.CLONE_NEWIPC },
  { file: "net", flag: C.CLONE_NEWNET },
  { file: "pid", flag: C.CLONE_NEWPID },
] as const;

export type NsName = typeof JOB_NAMESPACES[number]["file"];

export const JOB_UNSHARE_FLAGS = JOB_NAMESPACES.reduce((acc, ns) => acc | ns.flag, 0);

export class ThreadNamespaces {
  /** Open fds of the thread's original namespaces, in JOB_NAMESPACES order. */
  readonly #fds: number[];
  /** Their identities as readlink gives them ("mnt:[4026531841]"). */
  readonly ids: Readonly<Record<NsName, string>>;

  private constructor(fds: number[], ids: Record<NsName, string>) {
    this.#fds = fds;
    this.ids = ids;
  }

  /** Captures the calling thread's namespaces. Call once, on the JS thread, while it is in the host's. */
  static capture(): ThreadNamespaces {
    const fds: number[] = [];
    const ids = {} as Record<NsName, string>;
    for (const ns of JOB_NAMESPACES) {
      const path = `/proc/thread-self/ns/${ns.file}`;
      fds.push(openReadOnly(path));
      ids[ns.file] = Deno.readLinkSync(path);
    }
    return new ThreadNamespaces(fds, ids);
  }

  /** Moves the calling thread into fresh mnt, uts, ipc and net namespaces; its next child starts a new pid one. */
  enter(): void {
    unshare(JOB_UNSHARE_FLAGS);
  }

  /** Puts the calling thread back in every captured namespace. Tries all, then throws the first failure. */
  restore(): void {
    let first: unknown;
    JOB_NAMESPACES.forEach((ns, i) => {
      try {
        setns(this.#fds[i], ns.flag, `/proc/thread-self/ns/${ns.file}`);
      } catch (e) {
        first ??= e;
      }
    });
    if (first !== undefined) throw first;
  }

  /** Names of the namespaces the calling thread is not back in (pid: the one its children get). */
  strayed(): NsName[] {
    return JOB_NAMESPACES.filter((ns) => {
      const file = ns.file === "pid" ? "pid_for_children" : ns.file;
      return Deno.readLinkSync(`/proc/thread-self/ns/${file}`) !== this.ids[ns.file];
    }).map((ns) => ns.file);
  }

  /** Names of the namespaces process `pid` shares with the agent (none, for a correctly launched job). */
  sharedWith(pid: number): NsName[] {
    return JOB_NAMESPACES.filter((ns) =>
      Deno.readLinkSync(`/proc/${pid}/ns/${ns.file}`) === this.ids[ns.file]
    )
      .map((ns) => ns.file);
  }
}
