import { assertEquals } from "../../../tests/assert.ts";
import { detectCgroups, parseMountinfo, parseProcCgroup } from "./detect.ts";

// Captured on our build machine: v1 hybrid, cpu and cpuacct on separate hierarchies, the memory cgroup nested.
const HOST_MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HOST_CGROUP = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/3f057e90bd33554371b7d873facf3f93
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`;

// Debian 12 / systemd 252 with the default unified layout, agent running as a Delegate=yes service.
const V2_MOUNTINFO = `21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
26 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;
const V2_CGROUP = "0::/system.slice/joblet.service\n";

// Debian 10 style hybrid: cpu and cpuacct co-mounted, unified mount without controllers.
const DEBIAN10_MOUNTINFO =
  `25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:5 - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:6 - cgroup2 cgroup2 rw,nsdelegate
27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:7 - cgroup cgroup rw,xattr,name=systemd
31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct
32 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,pids
`;
const DEBIAN10_CGROUP = `5:pids:/system.slice/joblet.service
4:cpu,cpuacct:/system.slice/joblet.service
1:name=systemd:/system.slice/joblet.service
0::/system.slice/joblet.service
`;

Deno.test("detectCgroups() picks v1 on this host's hybrid layout and finds each hierarchy's agent dir", () => {
  const layout = detectCgroups({ mountinfo: HOST_MOUNTINFO, procSelfCgroup: HOST_CGROUP });
  assertEquals(layout.version, "v1");
  assertEquals(
    layout.v1.map((h) => [h.controllers.join(","), h.agentDir]),
    [
      ["cpu", "/sys/fs/cgroup/cpu"],
      ["cpuacct", "/sys/fs/cgroup/cpuacct"],
      ["cpuset", "/sys/fs/cgroup/cpuset"],
      ["memory", "/sys/fs/cgroup/memory/process_api/3f057e90bd33554371b7d873facf3f93"],
      ["freezer", "/sys/fs/cgroup/freezer"],
      ["blkio", "/sys/fs/cgroup/blkio"],
      ["pids", "/sys/fs/cgroup/pids"],
    ],
  );
  // devices and name=systemd are not ours; the unified mount is seen but not driven.
  assertEquals(layout.v2?.agentDir, "/sys/fs/cgroup/unified");
  assertEquals(layout.v2Controllers, []);
});

Deno.test("detectCgroups() keeps co-mounted cpu,cpuacct as one hierarchy", () => {
  const layout = detectCgroups({ mountinfo: DEBIAN10_MOUNTINFO, procSelfCgroup: DEBIAN10_CGROUP });
  assertEquals(layout.version, "v1");
  assertEquals(layout.v1.map((h) => [h.controllers, h.agentDir]), [
    [["cpu", "cpuacct"], "/sys/fs/cgroup/cpu,cpuacct/system.slice/joblet.service"],
    [["pids"], "/sys/fs/cgroup/pids/system.slice/joblet.service"],
  ]);
});

Deno.test("detectCgroups() picks v2 on a pure cgroup2 host whose agent cgroup offers controllers", () => {
  const layout = detectCgroups({
    mountinfo: V2_MOUNTINFO,
    procSelfCgroup: V2_CGROUP,
    v2Controllers: "cpuset cpu io memory hugetlb pids rdma misc\n",
  });
  assertEquals(layout.version, "v2");
  assertEquals(layout.v1, []);
  assertEquals(layout.v2, {
    mountPoint: "/sys/fs/cgroup",
    agentPath: "/system.slice/joblet.service",
    agentDir: "/sys/fs/cgroup/system.slice/joblet.service",
  });
  assertEquals(layout.v2Controllers, ["cpu", "cpuset", "io", "memory", "pids"]);
});

Deno.test("detectCgroups() finds no usable version when the only cgroup2 mount (unified) has no controllers", () => {
  const mountinfo = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
  const layout = detectCgroups({
    mountinfo,
    procSelfCgroup: "1:name=systemd:/\n0::/\n",
    v2Controllers: "hugetlb\n",
  });
  assertEquals(layout.version, undefined);
  assertEquals(layout.v2?.agentDir, "/sys/fs/cgroup/unified");
  assertEquals(
    layout.notes,
    [
      "cgroup2 mount at /sys/fs/cgroup/unified offers none of cpu, cpuset, io, memory, pids in " +
      '/sys/fs/cgroup/unified/cgroup.controllers (it has "hugetlb")',
    ],
  );
});

Deno.test("detectCgroups() finds nothing when no cgroup filesystem is mounted", () => {
  const layout = detectCgroups({
    mountinfo: "27 1 254:0 / / rw - ext4 /dev/vda rw\n",
    procSelfCgroup: "0::/\n",
  });
  assertEquals(layout.version, undefined);
  assertEquals(layout.v1, []);
  assertEquals(layout.v2, undefined);
});

Deno.test("detectCgroups() maps a container's mounted subtree to the mount point", () => {
  // Docker on v1 without a cgroup namespace: only /docker/<id> of each hierarchy is mounted.
  const mountinfo = `700 690 0:31 /docker/abc /sys/fs/cgroup/pids ro,nosuid - cgroup cgroup rw,pids
701 690 0:32 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
`;
  const layout = detectCgroups({
    mountinfo,
    procSelfCgroup: "8:pids:/docker/abc\n4:memory:/elsewhere\n",
  });
  assertEquals(layout.v1.map((h) => h.agentDir), ["/sys/fs/cgroup/pids"]);
  assertEquals(layout.notes, [
    "v1 memory at /sys/fs/cgroup/memory: the agent's cgroup /elsewhere is outside the mounted part /docker/abc",
  ]);
});

Deno.test("parseMountinfo() reads optional fields and octal escapes", () => {
  assertEquals(
    parseMountinfo(
      "36 35 98:0 /mnt1 /mnt\\040two rw,noatime master:1 shared:2 - cgroup2 none rw,nsdelegate\n",
    ),
    [{ root: "/mnt1", mountPoint: "/mnt two", fstype: "cgroup2", superOptions: ["rw", "nsdelegate"] }],
  );
});

Deno.test("parseProcCgroup() keeps a path that contains a colon", () => {
  assertEquals(parseProcCgroup("0::/a:b\n"), [{ hierarchyId: 0, controllers: [], path: "/a:b" }]);
});
