import assert from "node:assert/strict";
import { parseMountinfo, realFilesystems } from "./mountinfo.ts";

const MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334460k,nr_inodes=3083615,mode=755
25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684084k
27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
50 27 254:16 / /srv/my\\040data rw,noatime shared:7 master:2 - xfs /dev/vdb1 rw,attr2
51 27 254:0 /var/lib/x /mnt/bind rw,relatime - ext4 /dev/vda rw,discard
52 27 0:45 / /tank/home rw - zfs tank/home rw,xattr
53 27 0:46 / /net rw - nfs4 server:/export rw
54 27 7:3 / /snap/core/1 ro - squashfs /dev/loop3 ro
`;

Deno.test("parseMountinfo() reads device, mount point and type, past optional fields and escapes", () => {
  const m = parseMountinfo(MOUNTINFO);
  assert.equal(m.length, 13);
  assert.deepEqual(m[4], { majorMinor: "254:0", mountPoint: "/", fsType: "ext4", device: "/dev/vda" });
  assert.deepEqual(m[8], {
    majorMinor: "254:16",
    mountPoint: "/srv/my data",
    fsType: "xfs",
    device: "/dev/vdb1",
  });
});

Deno.test("realFilesystems() keeps local disks once each and drops pseudo, network and image mounts", () => {
  const real = realFilesystems(parseMountinfo(MOUNTINFO));
  assert.deepEqual(real.map((m) => `${m.mountPoint} ${m.fsType}`), [
    "/ ext4",
    "/srv/my data xfs",
    "/tank/home zfs",
  ]);
});
