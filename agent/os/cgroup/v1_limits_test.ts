import { assert, assertEquals, assertThrows } from "../../../tests/assert.ts";
import { type JobLimits, NO_LIMITS } from "../../domain/limits.ts";
import { createCgroupDriver } from "./mod.ts";
import { FAKE_MEMORY_PATH, type FakeCgroupFs, fakeV1Host } from "./fake_cgroupfs.ts";

const CG = "/sys/fs/cgroup";
const MiB = 1024 ** 2;
const LIMITS: JobLimits = {
  cpuPercent: 50,
  cpuCores: [1],
  memoryBytes: 64 * MiB,
  ioBps: 10 * MiB,
  pids: 64,
  timeoutMs: 0,
};
const dir = (c: string) => `${CG}/${c}${c === "memory" ? FAKE_MEMORY_PATH : ""}/joblet/job1`;

function withV1(fn: (fake: FakeCgroupFs) => void | Promise<void>) {
  return async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "cgroup_v1_limits_test_" });
    try {
      await fn(fakeV1Host(tmp));
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  };
}

const driver = (fake: FakeCgroupFs) => createCgroupDriver({ fs: fake, kill: fake.kill });
const read = (fake: FakeCgroupFs, c: string, file: string) => fake.read(`${dir(c)}/${file}`)?.trim();

Deno.test(
  "v1 create() writes every limit into its hierarchy: cfs quota, cpuset, memory = memsw, blkio per disk, pids",
  withV1((fake) => {
    driver(fake).create("job1", LIMITS);
    assertEquals(read(fake, "cpu", "cpu.cfs_quota_us"), "50000");
    assertEquals(read(fake, "cpu", "cpu.cfs_period_us"), "100000");
    assertEquals(read(fake, "cpuset", "cpuset.cpus"), "1");
    assertEquals(read(fake, "cpuset", "cpuset.mems"), "0", "mems still copied from the parent");
    assertEquals(read(fake, "memory", "memory.limit_in_bytes"), String(64 * MiB));
    assertEquals(read(fake, "memory", "memory.memsw.limit_in_bytes"), String(64 * MiB));
    assertEquals(read(fake, "blkio", "blkio.throttle.read_bps_device"), "254:0 10485760\n259:0 10485760");
    assertEquals(read(fake, "blkio", "blkio.throttle.write_bps_device"), "254:0 10485760\n259:0 10485760");
    assertEquals(read(fake, "pids", "pids.max"), "64");
  }),
);

Deno.test(
  "v1 create() without memsw (no swap accounting) sets only limit_in_bytes",
  withV1((fake) => {
    fake.noMemsw = true;
    driver(fake).create("job1", { ...NO_LIMITS, memoryBytes: 64 * MiB });
    assertEquals(read(fake, "memory", "memory.limit_in_bytes"), String(64 * MiB));
    assertEquals(fake.exists(`${dir("memory")}/memory.memsw.limit_in_bytes`), false);
  }),
);

Deno.test(
  "v1 create() names the flag when the kernel refuses a value, and removes the job dirs in every hierarchy",
  withV1((fake) => {
    const d = driver(fake);
    const real = fake.write.bind(fake);
    fake.write = (p, v) => {
      if (p.endsWith("/cpuset.cpus") && p.includes("job1") && v === "1") {
        throw Object.assign(new Error("EINVAL"), { code: "EINVAL" });
      }
      real(p, v);
    };
    assertThrows(
      () => d.create("job1", { ...NO_LIMITS, cpuCores: [1] }),
      /^JobletError: Cannot apply --cpu-cores to job job1: Cannot write "1" to .*\/cpuset\/joblet\/job1\/cpuset.cpus: EINVAL$/,
    );
    for (const c of ["pids", "memory", "cpu", "cpuset", "blkio"]) {
      assert(!fake.exists(dir(c)), `${c} removed`);
    }
  }),
);

Deno.test(
  "v1 create() skips a disk that vanished since /sys/block was read (ENODEV)",
  withV1((fake) => {
    const d = driver(fake);
    const real = fake.read.bind(fake);
    // /sys/block still lists nvme0n1, but the kernel no longer knows 259:0.
    fake.read = (p) => p === "/sys/block/nvme0n1/dev" ? "259:0\n" : real(p);
    Deno.removeSync(`${fake.root}/sys/block/nvme0n1/dev`);
    d.create("job1", { ...NO_LIMITS, ioBps: MiB });
    assertEquals(read(fake, "blkio", "blkio.throttle.write_bps_device"), "254:0 1048576");
  }),
);

Deno.test(
  "v1 stats() reads cpuacct, cpu.stat, memory, blkio, pids and oom_kill from their hierarchies",
  withV1((fake) => {
    const job = driver(fake).create("job1", LIMITS);
    fake.put(`${dir("cpuacct")}/cpuacct.usage`, "2010000000\n");
    fake.put(`${dir("cpu")}/cpu.stat`, "nr_periods 41\nnr_throttled 40\nthrottled_time 1990000000\n");
    fake.put(`${dir("memory")}/memory.usage_in_bytes`, "1000\n");
    fake.put(`${dir("memory")}/memory.max_usage_in_bytes`, "67108864\n");
    fake.put(`${dir("memory")}/memory.oom_control`, "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
    fake.put(
      `${dir("blkio")}/blkio.throttle.io_service_bytes_recursive`,
      "254:0 Read 0\n254:0 Write 8388608\nTotal 8388608\n",
    );
    fake.put(`${dir("pids")}/pids.current`, "2\n");
    assertEquals(job.stats(), {
      cpuUsageUs: 2_010_000,
      cpuThrottledUs: 1_990_000,
      nrThrottled: 40,
      memoryCurrent: 1000,
      memoryPeak: 67_108_864,
      ioReadBytes: 0,
      ioWriteBytes: 8_388_608,
      pids: 2,
      oomKills: 1,
    });
  }),
);

Deno.test(
  "v1 killAll() removes the blkio rules before freezing and killing",
  withV1(async (fake) => {
    const job = driver(fake).create("job1", LIMITS);
    fake.spawn(10);
    job.addProcess(10);
    await job.killAll();
    assertEquals(read(fake, "blkio", "blkio.throttle.write_bps_device"), "");
    assertEquals(read(fake, "blkio", "blkio.throttle.read_bps_device"), "");
    const lift = fake.writes.findIndex(([p, v]) => p.endsWith("write_bps_device") && v.endsWith(" 0"));
    const freeze = fake.writes.findIndex(([p, v]) => p.endsWith("freezer.state") && v === "FROZEN");
    assert(lift >= 0 && lift < freeze);
  }),
);
