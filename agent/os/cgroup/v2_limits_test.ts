import { assert, assertEquals, assertThrows } from "../../../tests/assert.ts";
import { type JobLimits, NO_LIMITS } from "../../domain/limits.ts";
import { createCgroupDriver } from "./mod.ts";
import { type FakeCgroupFs, fakeV2Host } from "./fake_cgroupfs.ts";

const A = "/sys/fs/cgroup/system.slice/joblet.service";
const JOB = `${A}/joblet/job1`;
const MiB = 1024 ** 2;
const LIMITS: JobLimits = {
  cpuPercent: 50,
  cpuCores: [1],
  memoryBytes: 64 * MiB,
  ioBps: 10 * MiB,
  pids: 64,
  timeoutMs: 0,
};

function withV2(offered: string[] | undefined, fn: (fake: FakeCgroupFs) => void | Promise<void>) {
  return async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "cgroup_v2_limits_test_" });
    try {
      await fn(fakeV2Host(tmp, { agentPath: "/system.slice/joblet.service", offered }));
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  };
}

const driver = (fake: FakeCgroupFs) => createCgroupDriver({ fs: fake, kill: fake.kill });
const read = (fake: FakeCgroupFs, file: string) => fake.read(`${JOB}/${file}`)?.trim();

Deno.test(
  "v2 create() writes every limit into the job's files before anything joins; io.max only for disks in use",
  withV2(undefined, (fake) => {
    driver(fake).create("job1", LIMITS);
    assertEquals(read(fake, "cpu.max"), "50000 100000");
    assertEquals(read(fake, "cpuset.cpus"), "1");
    assertEquals(read(fake, "memory.max"), String(64 * MiB));
    assertEquals(read(fake, "memory.swap.max"), "0");
    assertEquals(read(fake, "memory.oom.group"), "1");
    assertEquals(
      read(fake, "io.max"),
      "254:0 rbps=10485760 wbps=10485760\n259:0 rbps=10485760 wbps=10485760",
    );
    assertEquals(read(fake, "pids.max"), "64");
    assertEquals(fake.procs(JOB), []);
  }),
);

Deno.test(
  "v2 create() with no limits writes no control file",
  withV2(undefined, (fake) => {
    driver(fake).create("job1", NO_LIMITS);
    assertEquals(fake.writes.filter(([p]) => p.startsWith(JOB)), []);
    assertEquals(read(fake, "memory.max"), "max");
  }),
);

Deno.test(
  "v2 create() names the flag and the missing controller, and leaves no cgroup behind",
  withV2(["cpu", "pids"], (fake) => {
    const d = driver(fake);
    assertThrows(
      () => d.create("job1", { ...NO_LIMITS, memoryBytes: 64 * MiB }),
      /^JobletError: Cannot apply --max-memory to job job1: the memory controller is not enabled for job cgroups \(.*\/joblet\/cgroup.subtree_control has "cpu pids"\)/,
    );
    assert(!fake.exists(JOB), "the half-made cgroup is removed");
    d.create("job1", { ...NO_LIMITS, pids: 10 }); // what the host has still works
    assertEquals(read(fake, "pids.max"), "10");
  }),
);

Deno.test(
  "v2 create() skips a memory.swap.max that the kernel lacks (no swap accounting)",
  withV2(undefined, (fake) => {
    const d = driver(fake);
    const orig = fake.mkdir.bind(fake);
    fake.mkdir = (p) => {
      const made = orig(p);
      if (made) Deno.removeSync(`${fake.root}${p}/memory.swap.max`);
      return made;
    };
    d.create("job1", { ...NO_LIMITS, memoryBytes: 64 * MiB });
    assertEquals(read(fake, "memory.max"), String(64 * MiB));
  }),
);

Deno.test(
  "v2 stats() reads cpu.stat, memory, io.stat, pids and oom_kill; peak falls back to the largest current seen",
  withV2(undefined, (fake) => {
    const job = driver(fake).create("job1", LIMITS);
    fake.put(
      `${JOB}/cpu.stat`,
      "usage_usec 1500000\nuser_usec 1400000\nnr_periods 30\nnr_throttled 29\nthrottled_usec 1400000\n",
    );
    fake.put(`${JOB}/memory.current`, "50000000\n").put(`${JOB}/memory.peak`, "67108864\n");
    fake.put(`${JOB}/io.stat`, "254:0 rbytes=4096 wbytes=20971520 rios=1 wios=20 dbytes=0 dios=0\n");
    fake.put(`${JOB}/pids.current`, "3\n").put(
      `${JOB}/memory.events`,
      "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n",
    );
    assertEquals(job.stats(), {
      cpuUsageUs: 1_500_000,
      cpuThrottledUs: 1_400_000,
      nrThrottled: 29,
      memoryCurrent: 50_000_000,
      memoryPeak: 67_108_864,
      ioReadBytes: 4096,
      ioWriteBytes: 20_971_520,
      pids: 3,
      oomKills: 1,
    });
    Deno.removeSync(`${fake.root}${JOB}/memory.peak`); // kernel < 5.19
    fake.put(`${JOB}/memory.current`, "1000\n");
    assertEquals(job.stats().memoryPeak, 67_108_864, "the largest value read so far");
  }),
);

Deno.test(
  "v2 killAll() lifts the io limit first, so a task waiting on a throttled bio can die",
  withV2(undefined, async (fake) => {
    const job = driver(fake).create("job1", LIMITS);
    fake.spawn(500);
    job.addProcess(500);
    await job.killAll();
    assertEquals(read(fake, "io.max"), "");
    const lift = fake.writes.findIndex(([p, v]) => p === `${JOB}/io.max` && v.includes("rbps=max"));
    const kill = fake.writes.findIndex(([p]) => p === `${JOB}/cgroup.kill`);
    assert(lift >= 0 && lift < kill, "io.max is lifted before cgroup.kill");
  }),
);
