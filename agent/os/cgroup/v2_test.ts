import { assert, assertEquals, assertRejects, assertThrows } from "../../../tests/assert.ts";
import { NO_LIMITS } from "../../domain/limits.ts";
import { createCgroupDriver } from "./mod.ts";
import { type FakeCgroupFs, fakeV2Host } from "./fake_cgroupfs.ts";
import type { V2Driver } from "./v2.ts";

const A = "/sys/fs/cgroup/system.slice/joblet.service";
const ALL = ["cpu", "cpuset", "io", "memory", "pids"];

type HostOpts = Parameters<typeof fakeV2Host>[1];

function withV2(opts: HostOpts, fn: (fake: FakeCgroupFs) => void | Promise<void>) {
  return async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "cgroup_v2_test_" });
    try {
      await fn(fakeV2Host(tmp, opts));
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  };
}

function driver(fake: FakeCgroupFs, extra: Parameters<typeof createCgroupDriver>[0] = {}): V2Driver {
  const d = createCgroupDriver({ fs: fake, kill: fake.kill, ...extra });
  assertEquals(d.version, "v2");
  return d as V2Driver;
}

const SERVICE: HostOpts = { agentPath: "/system.slice/joblet.service", pids: [100, 101] };

Deno.test(
  "v2 driver moves every process of the agent's cgroup into <namespace>-agent, then enables controllers",
  withV2(SERVICE, (fake) => {
    const d = driver(fake);
    assertEquals(fake.procs(A), []);
    assertEquals(fake.procs(`${A}/joblet-agent`), [100, 101]);
    assertEquals(fake.read(`${A}/cgroup.subtree_control`), ALL.join(" ") + "\n");
    assertEquals(fake.read(`${A}/joblet/cgroup.subtree_control`), ALL.join(" ") + "\n");
    assertEquals(d.setup, {
      agentDir: A,
      leafDir: `${A}/joblet-agent`,
      namespaceDir: `${A}/joblet`,
      controllers: ALL,
    });
    // The moves came before the first subtree_control write (the kernel refuses the other order).
    const firstEnable = fake.writes.findIndex(([p]) => p.endsWith("subtree_control"));
    const lastMove = fake.writes.findLastIndex(([p]) => p.endsWith("joblet-agent/cgroup.procs"));
    assert(lastMove < firstEnable, "processes move before controllers are enabled");
  }),
);

Deno.test(
  "v2 a second driver, started from the agent's leaf, keeps the same layout",
  withV2(SERVICE, (fake) => {
    driver(fake);
    fake.put("/proc/self/cgroup", "0::/system.slice/joblet.service/joblet-agent\n"); // where the kernel now says we are
    const again = driver(fake);
    assertEquals(again.setup.agentDir, A);
    assertEquals(again.setup.controllers, ALL);
    assert(!fake.exists(`${A}/joblet-agent/joblet-agent`), "no nested leaf");
    const other = driver(fake, { namespace: "other" }); // another namespace, same agent cgroup
    assertEquals(other.setup.namespaceDir, `${A}/other`);
    assertEquals(fake.procs(`${A}/joblet-agent`), [100, 101]);
  }),
);

Deno.test(
  "v2 a driver started from the leaf keeps the layout even after the namespace dir was removed",
  withV2(SERVICE, (fake) => {
    driver(fake);
    fake.rmdir(`${A}/joblet`);
    fake.put("/proc/self/cgroup", "0::/system.slice/joblet.service/joblet-agent\n");
    assertEquals(driver(fake).setup.namespaceDir, `${A}/joblet`);
    assert(!fake.exists(`${A}/joblet-agent/joblet-agent`), "no nested leaf");
  }),
);

Deno.test(
  "v2 with the agent in the root cgroup moves nothing and enables controllers at the root",
  withV2({ agentPath: "/", pids: [1, 200] }, (fake) => {
    const d = driver(fake);
    assertEquals(d.setup.leafDir, undefined);
    assertEquals(fake.procs("/sys/fs/cgroup"), [1, 200]);
    assertEquals(fake.read("/sys/fs/cgroup/cgroup.subtree_control"), ALL.join(" ") + "\n");
    assertEquals(d.setup.namespaceDir, "/sys/fs/cgroup/joblet");
  }),
);

Deno.test(
  "v2 enables only the controllers the agent's cgroup offers",
  withV2({ ...SERVICE, offered: ["memory", "pids"] }, (fake) => {
    assertEquals(driver(fake).setup.controllers, ["memory", "pids"]);
  }),
);

Deno.test(
  "v2 create() makes <agent>/<namespace>/<job>; addProcess() moves the pid there; list() and open() find it",
  withV2(SERVICE, (fake) => {
    const d = driver(fake);
    const job = d.create("job1", NO_LIMITS);
    assertEquals(fake.read(`${A}/joblet/job1/cgroup.controllers`), ALL.join(" ") + "\n");
    fake.spawn(500);
    job.addProcess(500);
    assertEquals(job.pids(), [500]);
    assertEquals(fake.procs(`${A}/joblet/job1`), [500]);
    assertEquals(d.list(), ["job1"]);
    assertEquals(d.open("job1")?.pids(), [500]);
    assertEquals(d.open("nope"), undefined);
    assertThrows(
      () => d.create("job1", NO_LIMITS),
      /Cannot create the cgroup of job job1: .*joblet\/job1 already exists/,
    );
  }),
);

Deno.test(
  "v2 killAll() writes cgroup.kill when the kernel has it",
  withV2(SERVICE, async (fake) => {
    const job = driver(fake).create("job1", NO_LIMITS);
    fake.spawn(500).spawn(501);
    job.addProcess(500);
    job.addProcess(501);
    await job.killAll();
    assertEquals(job.pids(), []);
    assertEquals(fake.writes.filter(([p]) => p.endsWith("cgroup.kill")), [[
      `${A}/joblet/job1/cgroup.kill`,
      "1",
    ]]);
    assertEquals(fake.writes.filter(([p]) => p.endsWith("cgroup.freeze")), []);
  }),
);

Deno.test(
  "v2 killAll() without cgroup.kill freezes, SIGKILLs each pid and thaws",
  withV2({ ...SERVICE, cgroupKill: false }, async (fake) => {
    const job = driver(fake).create("job1", NO_LIMITS);
    fake.spawn(500);
    job.addProcess(500);
    await job.killAll();
    assertEquals(job.pids(), []);
    assertEquals(fake.signals, [[500, "SIGKILL"]]);
    assertEquals(fake.writes.filter(([p]) => p.endsWith("cgroup.freeze")).map(([, v]) => v), ["1", "0"]);
  }),
);

Deno.test(
  "v2 destroy() removes the job cgroup, retrying while its last process leaves",
  withV2(SERVICE, async (fake) => {
    const d = driver(fake);
    const job = d.create("job1", NO_LIMITS);
    fake.spawn(500);
    job.addProcess(500);
    // The process exits a moment after destroy() starts: the first rmdir sees EBUSY.
    let slept = 0;
    const slow = driver(fake, {
      sleep: (ms) => {
        if (slept++ === 0) fake.kill(500, "SIGKILL");
        return new Promise((r) => setTimeout(r, ms));
      },
    });
    await slow.open("job1")!.destroy();
    assert(!fake.exists(`${A}/joblet/job1`));
    assertEquals(d.list(), []);
  }),
);

Deno.test(
  "v2 destroy() fails clearly while a process stays",
  withV2(SERVICE, async (fake) => {
    const job = driver(fake, { destroyTimeoutMs: 20 }).create("job1", NO_LIMITS);
    fake.spawn(500);
    job.addProcess(500);
    await assertRejects(() => job.destroy(), /still holds process\(es\) 500; call killAll\(\) first/);
  }),
);
