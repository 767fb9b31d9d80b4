/**
 * The volume use cases: create, list, remove, re-attach at start-up, and lending volumes to jobs. A volume in
 * use by a running job cannot be removed; the jobs that use it are named.
 */
import { failedPrecondition, invalidArgument, JobletError, notFound } from "../domain/errors.ts";
import {
  checkVolumeName,
  type VolumeMount,
  type VolumeRecord,
  VOLUMES_DIR,
  type VolumeType,
} from "../domain/volume.ts";
import type { Clock, ExtraMount } from "./ports.ts";
import type { JobVolumes, VolumeDriver } from "./volume_ports.ts";

export interface VolumeView {
  record: VolumeRecord;
  /** Bytes in use now (undefined when the volume is not mounted). */
  usedBytes?: number;
  /** Ids of the running jobs that use it. */
  jobs: string[];
  /** Why the volume is unusable (it could not be mounted at start-up), or "". */
  error: string;
}

export interface VolumeServiceDeps {
  driver: VolumeDriver;
  clock: Clock;
  log?: (msg: string) => void;
}

export class VolumeService implements JobVolumes {
  readonly #driver: VolumeDriver;
  readonly #clock: Clock;
  readonly #log: (msg: string) => void;
  readonly #volumes = new Map<string, { record: VolumeRecord; error: string }>();
  /** Names being created or removed: nobody else may touch them meanwhile. */
  readonly #busy = new Set<string>();
  /** Volume name → ids of the jobs using it. */
  readonly #users = new Map<string, Set<string>>();
  /** Job id → the volumes it uses. */
  readonly #byJob = new Map<string, string[]>();

  constructor(deps: VolumeServiceDeps) {
    this.#driver = deps.driver;
    this.#clock = deps.clock;
    this.#log = deps.log ?? (() => {});
  }

  /** Agent start-up: every stored volume, mounted again where needed. Returns how many there are. */
  async start(): Promise<number> {
    for (const { record, error } of await this.#driver.recover()) {
      if (error) this.#log(`volume ${record.name}: cannot be mounted: ${error}`);
      this.#volumes.set(record.name, { record, error: error ?? "" });
    }
    return this.#volumes.size;
  }

  async create(name: string, sizeBytes: number, type: VolumeType): Promise<VolumeView> {
    checkVolumeName(name);
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) {
      throw invalidArgument(`volume size ${sizeBytes} is not a positive number of bytes`);
    }
    if (this.#volumes.has(name) || this.#busy.has(name)) {
      throw new JobletError("AlreadyExists", `volume "${name}" already exists (rnx volume list shows it)`);
    }
    const record: VolumeRecord = { name, type, sizeBytes, createdAt: this.#clock.now() };
    this.#busy.add(name);
    try {
      await this.#driver.create(record);
    } finally {
      this.#busy.delete(name);
    }
    this.#volumes.set(name, { record, error: "" });
    return this.#view(name);
  }

  list(): VolumeView[] {
    return [...this.#volumes.keys()].sort().map((n) => this.#view(n));
  }

  get(name: string): VolumeView {
    if (!this.#volumes.has(name)) throw this.#unknown(name);
    return this.#view(name);
  }

  async remove(name: string): Promise<void> {
    checkVolumeName(name);
    if (this.#busy.has(name)) throw failedPrecondition(`volume "${name}" is being created or removed`);
    if (!this.#volumes.has(name)) throw this.#unknown(name);
    const jobs = [...this.#users.get(name) ?? []];
    if (jobs.length > 0) {
      throw failedPrecondition(
        `volume "${name}" is in use by job${jobs.length > 1 ? "s" : ""} ${jobs.join(", ")}; ` +
          `stop ${jobs.length > 1 ? "them" : "it"} first`,
      );
    }
    this.#busy.add(name);
    try {
      await this.#driver.remove(name);
      this.#volumes.delete(name);
    } finally {
      this.#busy.delete(name);
    }
  }

  check(mounts: readonly VolumeMount[]): void {
    for (const m of mounts) {
      const v = this.#volumes.get(m.name);
      if (!v || this.#busy.has(m.name)) throw this.#unknown(m.name);
      if (v.error) {
        throw failedPrecondition(`volume "${m.name}" is not usable: ${v.error}`);
      }
    }
  }

  acquire(jobId: string, mounts: readonly VolumeMount[]): ExtraMount[] {
    if (mounts.length === 0) return [];
    this.check(mounts);
    const names = mounts.map((m) => m.name);
    for (const n of names) {
      let set = this.#users.get(n);
      if (!set) this.#users.set(n, set = new Set());
      set.add(jobId);
    }
    this.#byJob.set(jobId, [...this.#byJob.get(jobId) ?? [], ...names]);
    return mounts.map((m) => ({
      source: this.#driver.mountPoint(m.name),
      target: `${VOLUMES_DIR}/${m.name}`,
      readOnly: m.readOnly,
    }));
  }

  release(jobId: string): void {
    for (const n of this.#byJob.get(jobId) ?? []) {
      const set = this.#users.get(n);
      set?.delete(jobId);
      if (set?.size === 0) this.#users.delete(n);
    }
    this.#byJob.delete(jobId);
  }

  #view(name: string): VolumeView {
    const v = this.#volumes.get(name)!;
    let usedBytes: number | undefined;
    if (!v.error) {
      try {
        usedBytes = this.#driver.usage(name)?.usedBytes;
      } catch (e) {
        this.#log(`volume ${name}: cannot read its usage: ${e instanceof Error ? e.message : e}`);
      }
    }
    return { record: v.record, usedBytes, jobs: [...this.#users.get(name) ?? []].sort(), error: v.error };
  }

  #unknown(name: string): JobletError {
    return notFound(
      `volume "${name}" does not exist (create it with: rnx volume create ${name} --size=SIZE)`,
    );
  }
}
