import { assertEquals } from "../../../tests/assert.ts";
import { NO_LIMITS } from "../../domain/limits.ts";
import { convertV1, convertV2, cpuQuotaUs } from "./convert.ts";

const MiB = 1024 ** 2;
const DISKS = [{ name: "vda", major: 254, minor: 0 }, { name: "nvme0n1", major: 259, minor: 0 }];
const ALL = {
  cpuPercent: 50,
  cpuCores: [0, 1, 3],
  memoryBytes: 64 * MiB,
  ioBps: 10 * MiB,
  pids: 100,
  timeoutMs: 5000,
};
const files = (w: { file: string; value: string }[]) => w.map(({ file, value }) => `${file}=${value}`);

Deno.test("cpuQuotaUs() is the percent of one 100 ms period", () => {
  assertEquals([cpuQuotaUs(1), cpuQuotaUs(50), cpuQuotaUs(250)], [1000, 50_000, 250_000]);
});

Deno.test("convertV2() maps every limit to its v2 file, swap off and io per device", () => {
  assertEquals(files(convertV2(ALL, DISKS)), [
    "cpu.max=50000 100000",
    "cpuset.cpus=0-1,3",
    "memory.max=67108864",
    "memory.swap.max=0",
    "memory.oom.group=1",
    "io.max=254:0 rbps=10485760 wbps=10485760",
    "io.max=259:0 rbps=10485760 wbps=10485760",
    "pids.max=100",
  ]);
  assertEquals(convertV2(ALL, DISKS).filter((w) => w.optional).map((w) => w.file), [
    "memory.swap.max",
    "memory.oom.group",
  ]);
});

Deno.test("convertV1() maps every limit to its v1 file, memsw after limit_in_bytes when it exists", () => {
  assertEquals(files(convertV1(ALL, DISKS, { memsw: true })), [
    "cpu.cfs_period_us=100000",
    "cpu.cfs_quota_us=50000",
    "cpuset.cpus=0-1,3",
    "memory.limit_in_bytes=67108864",
    "memory.memsw.limit_in_bytes=67108864",
    "blkio.throttle.read_bps_device=254:0 10485760",
    "blkio.throttle.write_bps_device=254:0 10485760",
    "blkio.throttle.read_bps_device=259:0 10485760",
    "blkio.throttle.write_bps_device=259:0 10485760",
    "pids.max=100",
  ]);
  assertEquals(files(convertV1({ ...NO_LIMITS, memoryBytes: MiB * 8 }, [], { memsw: false })), [
    "memory.limit_in_bytes=8388608",
  ]);
});

Deno.test("unlimited (0 / []) writes nothing on either version; timeout never reaches the cgroup", () => {
  assertEquals(convertV2({ ...NO_LIMITS, timeoutMs: 1000 }, DISKS), []);
  assertEquals(convertV1({ ...NO_LIMITS, timeoutMs: 1000 }, DISKS, { memsw: true }), []);
});
