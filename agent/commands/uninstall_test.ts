import { assertEquals } from "../../tests/assert.ts";
import { isJobletLink, jobletNftTables, mountsUnder } from "./uninstall.ts";

const line = (id: number, point: string, fs: string, source: string) =>
  `${id} 1 7:0 / ${point} rw,nosuid - ${fs} ${source} rw`;

Deno.test("mountsUnder() lists the mounts under the state dir, the last mounted first, each once", () => {
  const mountinfo = [
    line(20, "/", "ext4", "/dev/vda1"),
    line(30, "/var/lib/joblet/volumes/data/mnt", "ext4", "/dev/loop0"),
    line(31, "/var/lib/joblet/volumes/scratch/mnt", "tmpfs", "tmpfs"),
    line(32, "/var/lib/joblet-other/x", "tmpfs", "tmpfs"),
    line(33, "/var/lib/joblet/work/a\\040b", "ext4", "/dev/loop1"),
    line(34, "/var/lib/joblet/volumes/data/mnt", "tmpfs", "tmpfs"),
  ].join("\n");
  assertEquals(mountsUnder(mountinfo, "/var/lib/joblet/"), [
    "/var/lib/joblet/volumes/data/mnt",
    "/var/lib/joblet/work/a b",
    "/var/lib/joblet/volumes/scratch/mnt",
  ]);
  assertEquals(mountsUnder(mountinfo, "/srv/joblet"), []);
});

Deno.test("jobletNftTables() picks the joblet tables of every family from `nft list tables`", () => {
  const listing =
    "table inet filter\ntable ip joblet\ntable ip6 joblet-test\ntable ip nat\ntable ip myjoblet\n";
  assertEquals(jobletNftTables(listing), [["ip", "joblet"], ["ip6", "joblet-test"]]);
  assertEquals(jobletNftTables(""), []);
});

Deno.test("isJobletLink() matches the agent's bridges and job veths, not the host's links", () => {
  const names = [
    "joblet0",
    "joblet-iso",
    "joblet3",
    "jv0123456789ab",
    "eth0",
    "jv0123",
    "jvzzzzzzzzzzzz",
    "lo",
  ];
  assertEquals(names.filter(isJobletLink), ["joblet0", "joblet-iso", "joblet3", "jv0123456789ab"]);
});
