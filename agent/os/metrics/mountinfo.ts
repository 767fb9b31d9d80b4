/**
 * /proc/self/mountinfo → the mounted filesystems worth reporting as disks.
 * Format: proc(5), "/proc/pid/mountinfo":
 *   `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue`
 * (mount id, parent id, major:minor, root, mount point, options, optional fields…, "-", fs type, source,
 * super options). Paths escape space, tab, newline and backslash as octal (`\040`).
 */

export interface Mount {
  device: string;
  majorMinor: string;
  mountPoint: string;
  fsType: string;
}

export function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split("\n")) {
    const f = line.split(" ");
    const dash = f.indexOf("-", 6);
    if (f.length < 10 || dash < 0 || dash + 2 >= f.length) continue;
    out.push({
      majorMinor: f[2],
      mountPoint: unescapeOctal(f[4]),
      fsType: f[dash + 1],
      device: unescapeOctal(f[dash + 2]),
    });
  }
  return out;
}

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Kernel and virtual filesystems without a disk behind them, plus read-only images that are always full. */
const PSEUDO = new Set([
  "autofs",
  "binfmt_misc",
  "bpf",
  "cgroup",
  "cgroup2",
  "configfs",
  "debugfs",
  "devpts",
  "devtmpfs",
  "efivarfs",
  "fusectl",
  "hugetlbfs",
  "mqueue",
  "nsfs",
  "proc",
  "pstore",
  "ramfs",
  "rpc_pipefs",
  "securityfs",
  "selinuxfs",
  "squashfs",
  "sysfs",
  "tmpfs",
  "tracefs",
]);

/**
 * The filesystems on local block devices (plus ZFS datasets), one per device: a device mounted (or
 * bind-mounted) several times is reported once, at its shortest mount point. Network filesystems are left
 * out because statvfs on an unreachable server can hang.
 */
export function realFilesystems(mounts: Mount[]): Mount[] {
  const byDevice = new Map<string, Mount>();
  for (const m of mounts) {
    const local = m.device.startsWith("/dev/") || m.fsType === "zfs";
    if (!local || PSEUDO.has(m.fsType)) continue;
    const seen = byDevice.get(m.majorMinor);
    if (!seen || m.mountPoint.length < seen.mountPoint.length) byDevice.set(m.majorMinor, m);
  }
  return [...byDevice.values()].sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
}
