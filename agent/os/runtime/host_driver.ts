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
import type { InstallProgress, RuntimeDriver } from "../../core/runtime_ports.ts";
import { aptBuild } from "./apt_build.ts";

export interface HostRuntimeDriverOptions {
  /** `<state>/runtimes`. */
  dir: string;
  /** Where the host's apt sources are read from (default /etc/apt). */
  aptEtc?: string;
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
        signal,
      });
      Deno.removeSync(join(staging, "apt"), { recursive: true });
      const record: RuntimeRecord = {
        spec,
        packages: built.packages,
        sizeBytes: treeBytes(built.root),
        installedAt: this.#opts.now?.() ?? Date.now(),
      };
      Deno.writeTextFileSync(join(staging, "runtime.json"), JSON.stringify(record, null, 2) + "\n");
      signal?.throwIfAborted();
      const target = join(this.#dir, spec.name);
      const old = exists(target) ? this.#aside(spec.name) : undefined;
      Deno.renameSync(staging, target);
      if (old) await Deno.remove(old, { recursive: true });
      return record;
    } catch (e) {
      await Deno.remove(staging, { recursive: true }).catch(() => {});
      if (e instanceof JobletError) {
        throw new JobletError(e.code, `cannot install runtime ${spec.name}: ${e.message}`, { cause: e });
      }
      throw e;
    }
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
