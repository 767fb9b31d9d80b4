/**
 * Neutral job limits → the control files of each cgroup version, as pure lists of writes (runc's
 * libcontainer/cgroups/utils.go `Convert*` and fs2/*.go do the same). The drivers carry the lists out in order,
 * before any process joins. A limit of 0 / [] writes nothing: a new cgroup is unlimited already.
 * The mapping, and why, is in docs/adr/0004-limits.md.
 */
import { formatCpuCores, type JobLimits } from "../../domain/limits.ts";
import type { BlockDevice } from "./block_devices.ts";

/** One write of one control file. */
export interface ControlWrite {
  /** The controller (v2) or hierarchy (v1) the file belongs to. */
  controller: string;
  file: string;
  value: string;
  /** The limit it carries, to name the flag when the write fails. */
  limit: keyof JobLimits;
  /** Skip the write when the file is missing (a kernel feature that may be compiled out). */
  optional?: boolean;
  /** A block device that vanished since it was listed (ENODEV) is skipped: nothing can touch it. */
  device?: boolean;
}

/** The CFS period used on both versions (the kernel default). */
export const CPU_PERIOD_US = 100_000;

/** --max-cpu percent of one core → CFS quota per 100 ms period: 50 → 50000, 250 → 250000. */
export function cpuQuotaUs(percent: number): number {
  return percent * (CPU_PERIOD_US / 100);
}

// ------------------------------------------------------------------------------------------------- v2

/** v2 `cpu.max` = "$QUOTA $PERIOD". https://docs.kernel.org/admin-guide/cgroup-v2.html#cpu-interface-files */
export function convertCpuMaxV2(percent: number): string {
  return `${cpuQuotaUs(percent)} ${CPU_PERIOD_US}`;
}

/**
 * v2 `io.max` line for one device: "MAJ:MIN rbps=N wbps=N" (riops/wiops stay as they are).
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#io-interface-files
 */
export function convertIoMaxV2(dev: BlockDevice, bps: number | "max"): string {
  return `${dev.major}:${dev.minor} rbps=${bps} wbps=${bps}`;
}

export function convertV2(limits: JobLimits, devices: readonly BlockDevice[]): ControlWrite[] {
  const out: ControlWrite[] = [];
  if (limits.cpuPercent > 0) {
    out.push({
      controller: "cpu",
      file: "cpu.max",
      value: convertCpuMaxV2(limits.cpuPercent),
      limit: "cpuPercent",
    });
  }
  if (limits.cpuCores.length > 0) {
    // cpuset.mems stays empty: on v2 that means "the parent's effective mems" (unlike v1, where it blocks attach).
    out.push({
      controller: "cpuset",
      file: "cpuset.cpus",
      value: formatCpuCores(limits.cpuCores),
      limit: "cpuCores",
    });
  }
  if (limits.memoryBytes > 0) {
    out.push(
      { controller: "memory", file: "memory.max", value: String(limits.memoryBytes), limit: "memoryBytes" },
      // memory.swap.max is swap alone on v2: 0 keeps the job out of swap, so memory.max is a hard RAM limit.
      // It is missing when the kernel has no swap accounting (then there is nothing to disable).
      { controller: "memory", file: "memory.swap.max", value: "0", limit: "memoryBytes", optional: true },
      // An OOM kill takes the whole job, not just its largest process (kernel ≥ 4.19).
      { controller: "memory", file: "memory.oom.group", value: "1", limit: "memoryBytes", optional: true },
    );
  }
  if (limits.ioBps > 0) {
    for (const dev of devices) {
      out.push({
        controller: "io",
        file: "io.max",
        value: convertIoMaxV2(dev, limits.ioBps),
        limit: "ioBps",
        device: true,
      });
    }
  }
  if (limits.pids > 0) {
    out.push({ controller: "pids", file: "pids.max", value: String(limits.pids), limit: "pids" });
  }
  return out;
}

// ------------------------------------------------------------------------------------------------- v1

export interface V1Features {
  /** memory.memsw.limit_in_bytes exists (swap accounting is on). */
  memsw: boolean;
}

/** v1 blkio throttle line: "MAJ:MIN N"; N = 0 removes the device's rule. */
export function convertBlkioV1(dev: BlockDevice, bps: number): string {
  return `${dev.major}:${dev.minor} ${bps}`;
}

export function convertV1(
  limits: JobLimits,
  devices: readonly BlockDevice[],
  features: V1Features,
): ControlWrite[] {
  const out: ControlWrite[] = [];
  if (limits.cpuPercent > 0) {
    // https://docs.kernel.org/scheduler/sched-bwc.html
    out.push(
      { controller: "cpu", file: "cpu.cfs_period_us", value: String(CPU_PERIOD_US), limit: "cpuPercent" },
      {
        controller: "cpu",
        file: "cpu.cfs_quota_us",
        value: String(cpuQuotaUs(limits.cpuPercent)),
        limit: "cpuPercent",
      },
    );
  }
  if (limits.cpuCores.length > 0) {
    // cpuset.mems was copied from the parent when the directory was made (copyCpusetFromParent).
    out.push({
      controller: "cpuset",
      file: "cpuset.cpus",
      value: formatCpuCores(limits.cpuCores),
      limit: "cpuCores",
    });
  }
  if (limits.memoryBytes > 0) {
    out.push({
      controller: "memory",
      file: "memory.limit_in_bytes",
      value: String(limits.memoryBytes),
      limit: "memoryBytes",
    });
    // memsw is memory + swap and must be ≥ limit_in_bytes, so it is written second; equal to it = no swap.
    // https://docs.kernel.org/admin-guide/cgroup-v1/memory.html (2.4 "swap extension")
    if (features.memsw) {
      out.push({
        controller: "memory",
        file: "memory.memsw.limit_in_bytes",
        value: String(limits.memoryBytes),
        limit: "memoryBytes",
      });
    }
  }
  if (limits.ioBps > 0) {
    // Only direct (and synchronous) I/O is throttled on v1: buffered writeback is issued by the flusher
    // threads, outside the job's cgroup. https://docs.kernel.org/admin-guide/cgroup-v1/blkio-controller.html
    for (const dev of devices) {
      for (const file of ["blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device"]) {
        out.push({
          controller: "blkio",
          file,
          value: convertBlkioV1(dev, limits.ioBps),
          limit: "ioBps",
          device: true,
        });
      }
    }
  }
  if (limits.pids > 0) {
    out.push({ controller: "pids", file: "pids.max", value: String(limits.pids), limit: "pids" });
  }
  return out;
}
