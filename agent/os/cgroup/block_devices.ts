/**
 * The block devices an I/O limit covers: every whole disk in /sys/block with a non-zero size, read when a job's
 * cgroup is created. Partitions are not listed there (the kernel takes io.max / blkio rules for whole disks
 * only); detached loop devices, empty drives and an unused zram have size 0 and nothing to throttle. Loop, zram,
 * md and dm devices that are in use are included: the job's I/O reaches them first. A device attached after a
 * job started is not limited for that job. See docs/adr/0004-limits.md.
 */
import type { CgroupFs } from "./fs.ts";

export interface BlockDevice {
  name: string;
  major: number;
  minor: number;
}

export interface BlockDeviceEntry {
  name: string;
  /** Text of /sys/block/<name>/dev: "MAJ:MIN\n". */
  dev: string | undefined;
  /** Text of /sys/block/<name>/size: 512-byte sectors. */
  size: string | undefined;
}

/** Picks the devices to limit from what /sys/block shows. Pure. */
export function selectBlockDevices(entries: readonly BlockDeviceEntry[]): BlockDevice[] {
  const out: BlockDevice[] = [];
  for (const e of entries) {
    const m = /^(\d+):(\d+)$/.exec((e.dev ?? "").trim());
    if (!m || Number(m[1]) === 0) continue; // major 0: not a real block device
    if (!(Number((e.size ?? "0").trim()) > 0)) continue;
    out.push({ name: e.name, major: Number(m[1]), minor: Number(m[2]) });
  }
  return out.sort((a, b) => a.major - b.major || a.minor - b.minor);
}

export function listBlockDevices(fs: CgroupFs): BlockDevice[] {
  return selectBlockDevices(
    fs.entries("/sys/block").map((name) => ({
      name,
      dev: fs.read(`/sys/block/${name}/dev`),
      size: fs.read(`/sys/block/${name}/size`),
    })),
  );
}
