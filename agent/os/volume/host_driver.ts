/**
 * VolumeDriver on this host: records and mounts under <state>/volumes (layout.ts), storage by storage.ts.
 * Never half-made: create() undoes every step it took when a later one fails; remove() unmounts before it
 * deletes anything; recover() clears what a crash in the middle of either left.
 */
import type { VolumeDriver, VolumeUsage } from "../../core/volume_ports.ts";
import { JobletError, notFound } from "../../domain/errors.ts";
import type { VolumeRecord } from "../../domain/volume.ts";
import { NOBODY } from "../isolation/etc_files.ts";
import { statvfs } from "../metrics/statvfs.ts";
import { VolumeLayout } from "./layout.ts";
import {
  checkLoopSupport,
  isMounted,
  makeExt4Image,
  mountImage,
  mountTmpfs,
  type Owner,
  unmount,
} from "./storage.ts";

export interface HostVolumeDriverOptions {
  /** Directory that holds the volumes (e.g. /var/lib/joblet/volumes); created 0700. */
  root: string;
  /** Owner of each volume's root directory (default nobody, whom jobs run as). */
  owner?: Owner;
  log?: (msg: string) => void;
}

export class HostVolumeDriver implements VolumeDriver {
  readonly #layout: VolumeLayout;
  readonly #owner: Owner;
  readonly #log: (msg: string) => void;

  constructor(opts: HostVolumeDriverOptions) {
    Deno.mkdirSync(opts.root, { recursive: true, mode: 0o700 });
    Deno.chmodSync(opts.root, 0o700);
    // Mount points in /proc/self/mountinfo are real paths.
    this.#layout = new VolumeLayout(Deno.realPathSync(opts.root));
    this.#owner = opts.owner ?? { uid: NOBODY, gid: NOBODY };
    this.#log = opts.log ?? (() => {});
  }

  mountPoint(name: string): string {
    return this.#layout.mountPoint(name);
  }

  usage(name: string): VolumeUsage | undefined {
    const mnt = this.#layout.mountPoint(name);
    if (!isMounted(mnt)) return undefined;
    const s = statvfs(mnt);
    return { totalBytes: s.totalBytes, usedBytes: s.usedBytes };
  }

  async create(record: VolumeRecord): Promise<void> {
    const { name } = record;
    const L = this.#layout;
    if (record.type === "filesystem") checkLoopSupport();
    if (L.readRecord(name)) {
      throw new JobletError("AlreadyExists", `volume "${name}" already exists`);
    }
    this.#discard(name); // a leftover of an unfinished create
    try {
      Deno.mkdirSync(L.dir(name), { mode: 0o700 });
      Deno.mkdirSync(L.mountPoint(name), { mode: 0o755 });
      if (record.type === "filesystem") {
        await makeExt4Image(L.image(name), record.sizeBytes, this.#owner);
        await mountImage(L.image(name), L.mountPoint(name));
      } else {
        mountTmpfs(L.mountPoint(name), record.sizeBytes, this.#owner);
      }
      L.writeRecord(record);
    } catch (e) {
      try {
        this.#discard(name);
      } catch (e2) {
        this.#log(`volume ${name}: clean-up after a failed create failed: ${(e2 as Error).message}`);
      }
      if (e instanceof JobletError) throw e;
      throw new JobletError("Internal", `Cannot create volume "${name}": ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  // deno-lint-ignore require-await
  async remove(name: string): Promise<void> {
    const L = this.#layout;
    if (!L.readRecord(name)) throw notFound(`volume "${name}" does not exist`);
    try {
      unmount(L.mountPoint(name));
    } catch (e) {
      throw new JobletError(
        "FailedPrecondition",
        `Cannot remove volume "${name}": unmounting ${L.mountPoint(name)} failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
    Deno.removeSync(L.record(name));
    this.#discard(name);
  }

  async recover(): Promise<Array<{ record: VolumeRecord; error?: string }>> {
    const L = this.#layout;
    const out: Array<{ record: VolumeRecord; error?: string }> = [];
    for (const name of L.names()) {
      const record = L.readRecord(name);
      if (!record) {
        this.#log(`volume directory ${L.dir(name)} has no record (an unfinished create or remove): removed`);
        try {
          this.#discard(name);
        } catch (e) {
          this.#log(`volume ${name}: cannot remove the leftover: ${(e as Error).message}`);
        }
        continue;
      }
      const mnt = L.mountPoint(name);
      if (isMounted(mnt)) {
        out.push({ record });
        continue;
      }
      try {
        Deno.mkdirSync(mnt, { recursive: true, mode: 0o755 });
        if (record.type === "filesystem") {
          Deno.statSync(L.image(name));
          await mountImage(L.image(name), mnt);
        } else {
          // The host rebooted (or someone unmounted it): a memory volume comes back empty.
          mountTmpfs(mnt, record.sizeBytes, this.#owner);
        }
        this.#log(`volume ${name}: mounted again`);
        out.push({ record });
      } catch (e) {
        out.push({ record, error: (e as Error).message });
      }
    }
    return out;
  }

  /** Unmounts (lazily: nothing may stay behind) and deletes a volume's directory. Safe on a partial one. */
  #discard(name: string): void {
    const L = this.#layout;
    const mnt = L.mountPoint(name);
    if (isMounted(mnt)) unmount(mnt, true);
    if (isMounted(mnt)) throw new Error(`${mnt} is still mounted`);
    try {
      Deno.removeSync(L.dir(name), { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}
