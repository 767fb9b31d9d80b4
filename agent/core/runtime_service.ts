/**
 * The runtime use cases: list the installed and built-in runtimes, install one (streaming progress), remove one,
 * and lend runtimes to jobs. A runtime in use by a job cannot be removed or reinstalled; the jobs are named.
 */
import { failedPrecondition, JobletError, notFound } from "../domain/errors.ts";
import { etcOf, runtimeName, type RuntimeRecord, type RuntimeSpec } from "../domain/runtime.ts";
import type { InstallProgress, JobRuntime, JobRuntimes, RuntimeDriver } from "./runtime_ports.ts";

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
    if (this.#busy.has(name)) throw failedPrecondition(`runtime ${name} is being installed or removed now`);
    if (this.#installed.has(name) && !opts.force) {
      throw new JobletError(
        "AlreadyExists",
        `runtime ${name} is already installed (reinstall it with: rnx runtime install ${name} --force)`,
      );
    }
    this.#refuseInUse(name, "reinstalled");
    this.#busy.add(name);
    try {
      const started = Date.now();
      const record = yield* this.#driver.install(spec, opts.signal);
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
    } finally {
      this.#busy.delete(name);
    }
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
