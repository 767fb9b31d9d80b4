import { assert, assertEquals, assertRejects, assertThrows } from "../../../tests/assert.ts";
import { NO_LIMITS } from "../../domain/limits.ts";
import { createCgroupDriver } from "./mod.ts";
import { FAKE_MEMORY_PATH, type FakeCgroupFs, fakeV1Host } from "./fake_cgroupfs.ts";

const CG = "/sys/fs/cgroup";

function withV1(fn: (fake: FakeCgroupFs) => void | Promise<void>) {
  return async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "cgroup_v1_test_" });
    try {
      await fn(fakeV1Host(tmp));
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  };
}

function driver(fake: FakeCgroupFs, extra: Parameters<typeof createCgroupDriver>[0] = {}) {
  return createCgroupDriver({ fs: fake, kill: fake.kill, ...extra });
}

const JOB_DIRS = [
  `${CG}/pids/joblet/job1`,
  `${CG}/memory${FAKE_MEMORY_PATH}/joblet/job1`,
  `${CG}/cpu/joblet/job1`,
  `${CG}/cpuacct/joblet/job1`,
  `${CG}/cpuset/joblet/job1`,
  `${CG}/blkio/joblet/job1`,
  `${CG}/freezer/joblet/job1`,
];

Deno.test(
  "v1 create() makes <agent cgroup>/joblet/<job> in every hierarchy we use, beneath the nested memory cgroup",
  withV1((fake) => {
    const d = driver(fake);
    assertEquals(d.version, "v1");
    d.create("job1", NO_LIMITS);
    for (const dir of JOB_DIRS) assert(fake.exists(dir), `${dir} should exist`);
    assert(!fake.exists(`${CG}/devices/joblet`), "devices is not a hierarchy we use");
    assert(
      !fake.exists(`${CG}/memory/joblet`),
      "memory jobs go beneath the agent's memory cgroup, not the root",
    );
  }),
);

Deno.test(
  "v1 create() copies cpuset.cpus and cpuset.mems from the parent into the namespace and job dirs",
  withV1((fake) => {
    driver(fake).create("job1", NO_LIMITS);
    for (const dir of [`${CG}/cpuset/joblet`, `${CG}/cpuset/joblet/job1`]) {
      assertEquals(fake.read(`${dir}/cpuset.cpus`), "0-1");
      assertEquals(fake.read(`${dir}/cpuset.mems`), "0");
    }
  }),
);

Deno.test(
  "v1 addProcess() writes the pid to cgroup.procs in every hierarchy and pids() lists it",
  withV1((fake) => {
    const job = driver(fake).create("job1", NO_LIMITS);
    fake.spawn(777);
    job.addProcess(777);
    for (const dir of JOB_DIRS) assertEquals(fake.procs(dir), [777], dir);
    assertEquals(job.pids(), [777]);
  }),
);

Deno.test(
  "v1 addProcess() of a process that does not exist is NotFound",
  withV1((fake) => {
    const job = driver(fake).create("job1", NO_LIMITS);
    assertThrows(() => job.addProcess(999), /Cannot move process 999 into .*: no such process/);
  }),
);

Deno.test(
  "v1 create() refuses a job that exists, and a job id that is not one path component",
  withV1((fake) => {
    const d = driver(fake);
    d.create("job1", NO_LIMITS);
    assertThrows(
      () => d.create("job1", NO_LIMITS),
      /Cannot create the cgroup of job job1: \/sys\/fs\/cgroup\/cpu\/joblet\/job1 already exists/,
    );
    assertThrows(() => d.create("../escape", NO_LIMITS), /Cannot use job id "..\/escape" as a cgroup name/);
  }),
);

Deno.test(
  "v1 list() and open() find existing job cgroups, also from a second driver",
  withV1((fake) => {
    const first = driver(fake);
    first.create("b", NO_LIMITS);
    first.create("a", NO_LIMITS);
    const second = driver(fake); // a restarted agent: the namespace dirs exist already
    second.create("c", NO_LIMITS);
    assertEquals(second.list(), ["a", "b", "c"]);
    assertEquals(second.open("a")?.jobId, "a");
    assertEquals(second.open("zzz"), undefined);
  }),
);

Deno.test(
  "v1 namespace option: job cgroups go to <agent cgroup>/<namespace>",
  withV1((fake) => {
    driver(fake, { namespace: "test-ns" }).create("j", NO_LIMITS);
    assert(fake.exists(`${CG}/pids/test-ns/j`));
    assert(!fake.exists(`${CG}/pids/joblet`));
  }),
);

Deno.test(
  "v1 killAll() freezes, SIGKILLs each pid, thaws, and repeats until cgroup.procs is empty",
  withV1(async (fake) => {
    const job = driver(fake).create("job1", NO_LIMITS);
    fake.spawn(10).spawn(11);
    job.addProcess(10);
    job.addProcess(11);
    fake.survives.set(11, 1); // 11 survives the first pass (e.g. it was mid-fork)
    await job.killAll();
    assertEquals(job.pids(), []);
    assertEquals(fake.signals, [[10, "SIGKILL"], [11, "SIGKILL"], [11, "SIGKILL"]]);
    const freezer = fake.writes.filter(([p]) => p.endsWith("freezer.state")).map(([, v]) => v);
    assertEquals(freezer, ["FROZEN", "THAWED", "FROZEN", "THAWED"]);
  }),
);

Deno.test(
  "v1 killAll() gives up with an error naming the survivors when a process never dies",
  withV1(async (fake) => {
    const job = driver(fake, { killTimeoutMs: 40 }).create("job1", NO_LIMITS);
    fake.spawn(10);
    job.addProcess(10);
    fake.survives.set(10, Infinity);
    await assertRejects(
      () => job.killAll(),
      /Cannot empty the cgroup of job job1 .*1 process\(es\) \(10\) survived/,
    );
    // The freezer is left thawed even so.
    assertEquals(fake.read(`${CG}/freezer/joblet/job1/freezer.state`), "THAWED");
  }),
);

Deno.test(
  "v1 signal() sends the signal to every pid in the cgroup",
  withV1((fake) => {
    const job = driver(fake).create("job1", NO_LIMITS);
    fake.spawn(10).spawn(11);
    job.addProcess(10);
    job.addProcess(11);
    job.signal("SIGTERM");
    assertEquals(fake.signals, [[10, "SIGTERM"], [11, "SIGTERM"]]);
  }),
);

Deno.test(
  "v1 destroy() removes the job dir in every hierarchy and keeps the namespace dirs",
  withV1(async (fake) => {
    const d = driver(fake);
    const job = d.create("job1", NO_LIMITS);
    await job.destroy();
    for (const dir of JOB_DIRS) assert(!fake.exists(dir), `${dir} should be gone`);
    assert(fake.exists(`${CG}/pids/joblet`));
    assertEquals(d.list(), []);
    await job.destroy(); // idempotent
  }),
);

Deno.test(
  "v1 destroy() fails clearly, after retrying, while a process is still inside",
  withV1(async (fake) => {
    const job = driver(fake, { destroyTimeoutMs: 30 }).create("job1", NO_LIMITS);
    fake.spawn(10);
    job.addProcess(10);
    await assertRejects(
      () => job.destroy(),
      /Cannot remove cgroup .*job1 after 30 ms of EBUSY: .*process\(es\) 10/,
    );
  }),
);
