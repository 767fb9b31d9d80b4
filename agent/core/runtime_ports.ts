/**
 * What the runtime use cases need from the machine (os/runtime implements it), and what the job use cases need
 * from runtimes. Kept beside ports.ts, like volume_ports.ts, so runtimes stay one room.
 */
import type { RuntimeRecord, RuntimeSpec } from "../domain/runtime.ts";

export type InstallPhase =
  | "index"
  | "resolve"
  | "download"
  | "receive"
  | "unpack"
  | "verify"
  | "configure"
  | "done";

/**
 * One step of an install, streamed to the client. Counts are packages; bytes are .deb sizes (for a packed
 * runtime: archive bytes received or downloaded, with no counts).
 */
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
  /**
   * Installs a packed runtime (`rnx runtime export`) from a byte stream or a URL. `admit` sees the manifest's spec
   * before anything is extracted and throws to refuse it. Whole or absent, like install(); `sha256` (hex) is
   * checked against the archive's bytes.
   */
  installPacked(
    from: PackedSource,
    opts: { sha256?: string; admit: (spec: RuntimeSpec) => void; signal?: AbortSignal },
  ): AsyncGenerator<InstallProgress, RuntimeRecord>;
  /** Packs an installed runtime (`NAME.tar.zst`: manifest + root), streamed in pieces. */
  pack(record: RuntimeRecord, signal?: AbortSignal): AsyncGenerator<PackChunk>;
  remove(name: string): Promise<void>;
  /** Host path of the runtime's root (what replaces /usr, /bin, /lib*, /sbin in a job). */
  rootOf(name: string): string;
}

/** Where a packed runtime comes from: bytes streamed by the client, or a URL the agent fetches. */
export type PackedSource =
  | { kind: "stream"; chunks: AsyncIterable<Uint8Array>; size?: number; label: string }
  | { kind: "url"; url: string };

/** A piece of a packed runtime; `packedBytes` of `totalBytes` (the root's size) are in the archive so far. */
export interface PackChunk {
  data: Uint8Array;
  packedBytes: number;
  totalBytes: number;
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
