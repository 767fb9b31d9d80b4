/**
 * The runtime use cases: list the installed and built-in runtimes, install one (streaming progress), remove one,
 * and lend runtimes to jobs. A runtime in use by a job cannot be removed or reinstalled; the jobs are named.
 */
import { failedPrecondition, invalidArgument, JobletError, notFound } from "../domain/errors.ts";
import { etcOf, runtimeName, type RuntimeRecord, type RuntimeSpec } from "../domain/runtime.ts";
import type {
  InstallProgress,
  JobRuntime,
  JobRuntimes,
  PackChunk,
  PackedSource,
  RuntimeDriver,
} from "./runtime_ports.ts";

export interface RuntimeView {
  spec: RuntimeSpec;
  /** Absent for a built-in runtime that is not installed. */
  installed?: RuntimeRecord;
  builtin: boolean;
  /** Ids of the jobs using it now. */
  jobs: string[];
}

export class RuntimeService implements JobRuntimes {
  readonly #driver: RuntimeDriver;
  readonly #builtin: Map<string, RuntimeSpec>;
  readonly #installed = new Map<string, RuntimeRecord>();
  /** Names being installed or removed. */
  readonly #busy = new Set<string>();
  readonly #users = new Map<string, Set<string>>();
  readonly #byJob = new Map<string, string>();
  /** Names being exported now, with how many exports of each. */
  readonly #exports = new Map<string, number>();

  constructor(driver: RuntimeDriver, builtin: RuntimeSpec[]) {
    this.#driver = driver;
    this.#builtin = new Map(builtin.map((s) => [s.name, s]));
  }

  /** Agent start-up: the installed runtimes. Returns how many. */
  start(): number {
    for (const r of this.#driver.recover()) this.#installed.set(r.spec.name, r);
    return this.#installed.size;
  }

  /** Installed runtimes and the built-in ones not installed yet, by name. */
  list(): RuntimeView[] {
    const names = new Set([...this.#installed.keys(), ...this.#builtin.keys()]);
    return [...names].sort().map((n) => this.#view(n));
  }

  get(ref: string): RuntimeView {
    const name = runtimeName(ref);
    if (!this.#installed.has(name) && !this.#builtin.has(name)) throw this.#unknown(ref, true);
    return this.#view(name);
  }

  /**
   * Installs a built-in runtime by name, or `spec` (a user's own). Refused when it is installed (unless `force`),
   * being installed, or in use by jobs. Yields progress and ends with a "done" event.
   */
  async *install(
    ref: string,
    opts: { force: boolean; spec?: RuntimeSpec; signal?: AbortSignal },
  ): AsyncGenerator<InstallProgress, RuntimeView> {
    const spec = opts.spec ?? this.#builtin.get(runtimeName(ref));
    if (!spec) throw this.#unknown(ref, true);
    const name = spec.name;
    this.#admit(name, opts.force, `rnx runtime install ${name} --force`);
    try {
      const started = Date.now();
      const record = yield* this.#driver.install(spec, opts.signal);
      return yield* this.#finish(record, started);
    } finally {
      this.#busy.delete(name);
    }
  }

  /**
   * Installs a packed runtime (`rnx runtime export`) from the client's bytes or a URL (which needs `sha256`).
   * Its name comes from the archive's manifest; the same refusals as install() apply, checked before anything
   * is extracted.
   */
  async *installPacked(
    from: PackedSource,
    opts: { force: boolean; sha256?: string; signal?: AbortSignal },
  ): AsyncGenerator<InstallProgress, RuntimeView> {
    const sha256 = opts.sha256 ? checkSha256(opts.sha256) : undefined;
    if (from.kind === "url") {
      checkArchiveUrl(from.url);
      if (!sha256) {
        throw invalidArgument(
          `installing from a URL needs --sha256=HEX (the archive's sha256, as rnx runtime export prints it)`,
        );
      }
    }
    let admitted: string | undefined;
    const admit = (spec: RuntimeSpec) => {
      const again = from.kind === "url" ? `${from.url} --sha256=${sha256}` : from.label;
      this.#admit(spec.name, opts.force, `rnx runtime install ${again} --force`);
      admitted = spec.name;
    };
    try {
      const started = Date.now();
      const record = yield* this.#driver.installPacked(from, { sha256, admit, signal: opts.signal });
      return yield* this.#finish(record, started);
    } finally {
      if (admitted !== undefined) this.#busy.delete(admitted);
    }
  }

  /**
   * Streams an installed runtime packed (`NAME.tar.zst`). While it runs the runtime cannot be removed or
   * reinstalled (jobs may still use it).
   */
  async *exportRuntime(ref: string, signal?: AbortSignal): AsyncGenerator<PackChunk> {
    const name = runtimeName(ref);
    const record = this.#installed.get(name);
    if (!record) throw this.#unknown(ref, false);
    if (this.#busy.has(name)) throw failedPrecondition(`runtime ${name} is being installed or removed now`);
    this.#exports.set(name, (this.#exports.get(name) ?? 0) + 1);
    try {
      yield* this.#driver.pack(record, signal);
    } finally {
      const n = this.#exports.get(name)! - 1;
      if (n === 0) this.#exports.delete(name);
      else this.#exports.set(name, n);
    }
  }

  /** Refuses an install of `name` (busy, installed without force, in use), else marks it busy. */
  #admit(name: string, force: boolean, reinstall: string): void {
    if (this.#busy.has(name)) throw failedPrecondition(`runtime ${name} is being installed or removed now`);
    if (this.#installed.has(name) && !force) {
      throw new JobletError(
        "AlreadyExists",
        `runtime ${name} is already installed (reinstall it with: ${reinstall})`,
      );
    }
    this.#refuseInUse(name, "reinstalled");
    this.#busy.add(name);
  }

  async *#finish(record: RuntimeRecord, started: number): AsyncGenerator<InstallProgress, RuntimeView> {
    const name = record.spec.name;
    this.#installed.set(name, record);
    yield {
      phase: "done",
      message: `${name} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      done: record.packages.length,
      total: record.packages.length,
      bytes: record.sizeBytes,
      totalBytes: record.sizeBytes,
    };
    return this.#view(name);
  }

  async remove(ref: string): Promise<string> {
    const name = runtimeName(ref);
    if (!this.#installed.has(name)) throw this.#unknown(ref, false);
    if (this.#busy.has(name)) throw failedPrecondition(`runtime ${name} is being installed or removed now`);
    this.#refuseInUse(name, "removed");
    this.#busy.add(name);
    try {
      await this.#driver.remove(name);
      this.#installed.delete(name);
    } finally {
      this.#busy.delete(name);
    }
    return name;
  }

  check(ref: string): string {
    const name = runtimeName(ref);
    if (!this.#installed.has(name) || this.#busy.has(name)) throw this.#unknown(ref, false);
    return name;
  }

  acquire(jobId: string, ref: string): JobRuntime {
    const name = this.check(ref);
    const rec = this.#installed.get(name)!;
    let set = this.#users.get(name);
    if (!set) this.#users.set(name, set = new Set());
    set.add(jobId);
    this.#byJob.set(jobId, name);
    return { name, root: this.#driver.rootOf(name), etc: etcOf(rec.spec), env: { ...rec.spec.env } };
  }

  release(jobId: string): void {
    const name = this.#byJob.get(jobId);
    if (name === undefined) return;
    this.#byJob.delete(jobId);
    const set = this.#users.get(name);
    set?.delete(jobId);
    if (set?.size === 0) this.#users.delete(name);
  }

  #refuseInUse(name: string, what: string): void {
    if (this.#exports.has(name)) {
      throw failedPrecondition(`runtime ${name} cannot be ${what}: it is being exported`);
    }
    const jobs = [...this.#users.get(name) ?? []].sort();
    if (jobs.length === 0) return;
    throw failedPrecondition(
      `runtime ${name} cannot be ${what}: it is in use by job${jobs.length > 1 ? "s" : ""} ${
        jobs.join(", ")
      }; ` +
        `stop ${jobs.length > 1 ? "them" : "it"} first`,
    );
  }

  #view(name: string): RuntimeView {
    const installed = this.#installed.get(name);
    return {
      spec: installed?.spec ?? this.#builtin.get(name)!,
      installed,
      builtin: this.#builtin.has(name),
      jobs: [...this.#users.get(name) ?? []].sort(),
    };
  }

  #unknown(ref: string, anyKnown: boolean): JobletError {
    const installed = [...this.#installed.keys()].sort();
    const available = [...this.#builtin.keys()].filter((n) => !this.#installed.has(n)).sort();
    const have = installed.length ? `installed: ${installed.join(", ")}` : "none is installed";
    const can = available.length ? `; rnx runtime install NAME adds one of: ${available.join(", ")}` : "";
    return notFound(`runtime "${ref}" is not ${anyKnown ? "known" : "installed"} (${have}${can})`);
  }
}

/** A sha256 given as 64 hex digits (case ignored), lower-cased. */
export function checkSha256(value: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) {
    throw invalidArgument(`--sha256 "${value}" is not a sha256 (64 hex digits, as sha256sum prints it)`);
  }
  return value.toLowerCase();
}

/** Only http and https URLs are fetched. */
export function checkArchiveUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch { /* below */ }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw invalidArgument(`"${value}" is not an http:// or https:// URL of a packed runtime (NAME.tar.zst)`);
  }
}
