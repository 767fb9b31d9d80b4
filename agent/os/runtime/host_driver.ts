/**
 * Runtimes on this host, under `<state>/runtimes`:
 *
 *   <name>/runtime.json        the record (spec, packages inside, size)
 *   <name>/root/               the read-only root jobs see (usr/, bin → usr/bin, lib*, sbin, etc/)
 *   .staging-<name>-<rand>/    an install in progress (apt/ private state, root/); renamed to <name> when whole
 *   .removing-<name>-<rand>/   a runtime being deleted
 */
import { join } from "node:path";
import { internal, JobletError } from "../../domain/errors.ts";
import { checkRuntimeSpec, packagesOf, type RuntimeRecord, type RuntimeSpec } from "../../domain/runtime.ts";
import type { InstallProgress, PackChunk, PackedSource, RuntimeDriver } from "../../core/runtime_ports.ts";
import { aptBuild } from "./apt_build.ts";
import { fetchArchive } from "./archive_fetch.ts";
import { packRuntime, unpackRuntime } from "./pack.ts";
import { configureRoot } from "./maintainer.ts";

/** Environment variable naming a .deb cache shared by builds (tests and CI set it; see docs/runtimes.md). */
export const DEB_CACHE_ENV = "JOBLET_RUNTIME_DEB_CACHE";

export interface HostRuntimeDriverOptions {
  /** `<state>/runtimes`. */
  dir: string;
  /** Where the host's apt sources are read from (default /etc/apt). */
  aptEtc?: string;
  /** .debs kept between installs (apt_build.ts); default: $JOBLET_RUNTIME_DEB_CACHE, else none. */
  debCache?: string;
  log?: (msg: string) => void;
  now?: () => number;
}

export class HostRuntimeDriver implements RuntimeDriver {
  readonly #dir: string;
  readonly #opts: HostRuntimeDriverOptions;

  constructor(opts: HostRuntimeDriverOptions) {
    this.#dir = opts.dir;
    this.#opts = opts;
  }

  recover(): RuntimeRecord[] {
    Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const out: RuntimeRecord[] = [];
    for (const e of Deno.readDirSync(this.#dir)) {
      const path = join(this.#dir, e.name);
      if (e.name.startsWith(".")) {
        this.#opts.log?.(`runtimes: removing leftover ${path}`);
        Deno.removeSync(path, { recursive: true });
        continue;
      }
      try {
        const rec = JSON.parse(Deno.readTextFileSync(join(path, "runtime.json"))) as RuntimeRecord;
        out.push({ ...rec, spec: checkRuntimeSpec(rec.spec) });
      } catch (err) {
        this.#opts.log?.(`runtimes: ${path} is not a runtime (${(err as Error).message}); ignored`);
      }
    }
    return out.sort((a, b) => a.spec.name.localeCompare(b.spec.name));
  }

  async *install(spec: RuntimeSpec, signal?: AbortSignal): AsyncGenerator<InstallProgress, RuntimeRecord> {
    Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const staging = join(this.#dir, `.staging-${spec.name}-${crypto.randomUUID().slice(0, 8)}`);
    Deno.mkdirSync(staging, { mode: 0o700 });
    try {
      const built = yield* aptBuild({
        dir: staging,
        packages: packagesOf(spec),
        aptEtc: this.#opts.aptEtc,
        debCache: this.#opts.debCache ?? (Deno.env.get(DEB_CACHE_ENV) || undefined),
        signal,
      });
      yield* configureRoot(built.root, spec, built.alternativeScripts, signal);
      Deno.removeSync(join(staging, "apt"), { recursive: true });
      const record: RuntimeRecord = {
        spec,
        packages: built.packages,
        sizeBytes: treeBytes(built.root),
        installedAt: this.#opts.now?.() ?? Date.now(),
      };
      Deno.writeTextFileSync(join(staging, "runtime.json"), JSON.stringify(record, null, 2) + "\n");
      signal?.throwIfAborted();
      await this.#commit(staging, spec.name);
      return record;
    } catch (e) {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      if (e instanceof JobletError) {
        throw new JobletError(e.code, `cannot install runtime ${spec.name}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  /** A packed runtime (pack.ts), unpacked in a staging dir like an apt build: whole or absent. */
  async *installPacked(
    from: PackedSource,
    opts: { sha256?: string; admit: (spec: RuntimeSpec) => void; signal?: AbortSignal },
  ): AsyncGenerator<InstallProgress, RuntimeRecord> {
    Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const label = from.kind === "url" ? from.url : from.label;
    const staging = join(this.#dir, `.staging-packed-${crypto.randomUUID().slice(0, 8)}`);
    Deno.mkdirSync(staging, { mode: 0o700 });
    try {
      const src = from.kind === "url" ? await fetchArchive(from.url, opts.signal) : from;
      const record = yield* unpackRuntime({
        ...opts,
        chunks: src.chunks,
        size: src.size,
        phase: from.kind === "url" ? "download" : "receive",
        label,
        dir: staging,
        now: this.#opts.now,
      });
      opts.signal?.throwIfAborted();
      await this.#commit(staging, record.spec.name);
      return record;
    } catch (e) {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      if (e instanceof JobletError) {
        throw new JobletError(e.code, `cannot install packed runtime ${label}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }

  pack(record: RuntimeRecord, signal?: AbortSignal): AsyncGenerator<PackChunk> {
    return packRuntime(join(this.#dir, record.spec.name), record, { signal, now: this.#opts.now });
  }

  /** Renames a whole staging dir into place, replacing (then deleting) an installed runtime of that name. */
  async #commit(staging: string, name: string): Promise<void> {
    const target = join(this.#dir, name);
    const old = exists(target) ? this.#aside(name) : undefined;
    Deno.renameSync(staging, target);
    if (old) await Deno.remove(old, { recursive: true });
  }

  async remove(name: string): Promise<void> {
    const target = join(this.#dir, name);
    if (!exists(target)) throw internal(`runtime ${name} has no directory ${target}`);
    await Deno.remove(this.#aside(name), { recursive: true });
  }

  rootOf(name: string): string {
    return join(this.#dir, name, "root");
  }

  /** Renames an installed runtime out of the way (atomically); returns where it went. */
  #aside(name: string): string {
    const to = join(this.#dir, `.removing-${name}-${crypto.randomUUID().slice(0, 8)}`);
    Deno.renameSync(join(this.#dir, name), to);
    return to;
  }
}

/** Bytes of the regular files under `dir` (symlinks not followed, hard links counted once each). */
export function treeBytes(dir: string): number {
  let n = 0;
  for (const e of Deno.readDirSync(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) n += treeBytes(p);
    else if (e.isFile) n += Deno.lstatSync(p).size;
  }
  return n;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
