/**
 * What the volume use cases need from the machine (os/volume implements it), and what the job use cases need
 * from volumes. Kept beside ports.ts, like workflow_ports.ts, so volumes stay one room.
 */
import type { VolumeMount, VolumeRecord } from "../domain/volume.ts";
import type { ExtraMount } from "./ports.ts";

/** Space of a mounted volume. */
export interface VolumeUsage {
  totalBytes: number;
  usedBytes: number;
}

/**
 * Volumes on this host: the records and the mounts behind them. Every method leaves a volume either whole
 * (record + storage + mount) or absent: a failure half-way undoes what it did before throwing.
 */
export interface VolumeDriver {
  /**
   * At agent start: every stored volume, each mounted again where the mount is gone (after a reboot: a
   * filesystem volume keeps its data, a memory volume comes back empty). Leftovers of a create or remove that
   * never finished are cleaned away. A volume that cannot be mounted is returned with `error`.
   */
  recover(): Promise<Array<{ record: VolumeRecord; error?: string }>>;
  /** Makes the storage, mounts it and stores the record (in that order). */
  create(record: VolumeRecord): Promise<void>;
  /** Unmounts, frees the storage (loop device, image) and deletes the record. */
  remove(name: string): Promise<void>;
  /** Host path of the mounted volume (what a job's /volumes/NAME shows). */
  mountPoint(name: string): string;
  usage(name: string): VolumeUsage | undefined;
}

/** The job use cases' view of volumes. */
export interface JobVolumes {
  /** Throws NotFound naming the first unknown volume. */
  check(mounts: readonly VolumeMount[]): void;
  /** Marks the volumes in use by `jobId` and returns the binds for its root; throws like check(). */
  acquire(jobId: string, mounts: readonly VolumeMount[]): ExtraMount[];
  /** The job has ended: its volumes are no longer in use by it. */
  release(jobId: string): void;
}
