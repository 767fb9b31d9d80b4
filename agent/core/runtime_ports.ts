/**
 * What the runtime use cases need from the machine (os/runtime implements it), and what the job use cases need
 * from runtimes. Kept beside ports.ts, like volume_ports.ts, so runtimes stay one room.
 */
import type { RuntimeRecord, RuntimeSpec } from "../domain/runtime.ts";

export type InstallPhase = "index" | "resolve" | "download" | "unpack" | "configure" | "done";

/** One step of an install, streamed to the client. Counts are packages; bytes are .deb sizes. */
export interface InstallProgress {
  phase: InstallPhase;
  message: string;
  done: number;
  total: number;
  bytes: number;
  totalBytes: number;
}

/**
 * Installed runtimes on this host. install() leaves a runtime whole or absent: it builds in a staging dir that is
 * renamed into place only when complete; a failure (or abort) removes the staging dir.
 */
export interface RuntimeDriver {
  /** Every installed runtime; leftovers of installs and removals that never finished are cleaned away. */
  recover(): RuntimeRecord[];
  /** Builds `spec`, yielding progress; replaces an installed one of the same name (the caller checks). */
  install(spec: RuntimeSpec, signal?: AbortSignal): AsyncGenerator<InstallProgress, RuntimeRecord>;
  remove(name: string): Promise<void>;
  /** Host path of the runtime's root (what replaces /usr, /bin, /lib*, /sbin in a job). */
  rootOf(name: string): string;
}

/** What a job with a runtime gets: the root to show and the environment under the user's. */
export interface JobRuntime {
  name: string;
  root: string;
  /** Runtime paths under /etc the job sees. */
  etc: string[];
  env: Record<string, string>;
}

/** The job use cases' view of runtimes. */
export interface JobRuntimes {
  /** `--runtime=` spelling → the installed runtime's name; NotFound listing the installed ones. */
  check(ref: string): string;
  /** Marks the runtime in use by `jobId`; throws like check(). */
  acquire(jobId: string, name: string): JobRuntime;
  /** The job has ended. */
  release(jobId: string): void;
}
