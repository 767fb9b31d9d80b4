import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { JobletError } from "../../domain/errors.ts";
import { createCgroupDriver } from "./mod.ts";
import { FakeCgroupFs, fakeV1Host, fakeV2Host } from "./fake_cgroupfs.ts";

function inTemp(fn: (tmp: string) => void) {
  return () => {
    const tmp = Deno.makeTempDirSync({ prefix: "cgroup_mod_test_" });
    try {
      fn(tmp);
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  };
}

Deno.test(
  "createCgroupDriver() drives v1 on the hybrid host and v2 on a pure cgroup2 host",
  inTemp((tmp) => {
    assertEquals(createCgroupDriver({ fs: fakeV1Host(`${tmp}/a`) }).version, "v1");
    assertEquals(
      createCgroupDriver({ fs: fakeV2Host(`${tmp}/b`, { agentPath: "/x.service" }) }).version,
      "v2",
    );
  }),
);

Deno.test(
  "createCgroupDriver() with `root` reads /proc and /sys beneath it",
  inTemp((tmp) => {
    fakeV1Host(tmp); // lays out the files; the driver itself uses plain file access under `root`
    const d = createCgroupDriver({ root: tmp });
    assertEquals(d.version, "v1");
    assertEquals(d.list(), []);
  }),
);

Deno.test(
  "createCgroupDriver() is FailedPrecondition when the only cgroup2 mount has no controllers",
  inTemp((tmp) => {
    const fake = new FakeCgroupFs(tmp, [])
      .put("/proc/self/mountinfo", "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")
      .put("/proc/self/cgroup", "1:name=systemd:/\n0::/\n")
      .put("/sys/fs/cgroup/unified/cgroup.controllers", "\n");
    const err = assertThrowsJoblet(() => createCgroupDriver({ fs: fake }));
    assertEquals(err.code, "FailedPrecondition");
    assertEquals(
      err.message.startsWith(
        "Cannot run jobs: no usable cgroups (cgroup2 mount at /sys/fs/cgroup/unified offers none of cpu, cpuset, " +
          'io, memory, pids in /sys/fs/cgroup/unified/cgroup.controllers (it has "")). ',
      ),
      true,
      err.message,
    );
  }),
);

Deno.test(
  "createCgroupDriver() is FailedPrecondition when /proc is not there",
  inTemp((tmp) => {
    const err = assertThrowsJoblet(() => createCgroupDriver({ root: tmp }));
    assertEquals(err.code, "FailedPrecondition");
  }),
);

Deno.test(
  "createCgroupDriver() rejects a namespace that is not one safe path component or ends in -agent",
  inTemp((tmp) => {
    const fake = fakeV1Host(tmp);
    assertThrows(() => createCgroupDriver({ fs: fake, namespace: "a/b" }), /cgroup namespace "a\/b"/);
    assertThrows(
      () => createCgroupDriver({ fs: fake, namespace: "x-agent" }),
      /reserved for the agent's own leaf/,
    );
  }),
);

function assertThrowsJoblet(fn: () => unknown): JobletError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JobletError) return e;
    throw e;
  }
  throw new Error("expected a JobletError");
}
