/**
 * `joblet doctor` against the real host: the cgroup line must match what the kernel mounts. On our hosts
 * (cgroup v1, hybrid) that is v1 with its hierarchies; the cgroup-v2 guest is checked by tests/vm/systemd_test.sh,
 * which greps the same line from the installed agent's `joblet doctor`.
 */
import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { skip } from "../../tests/_requires.ts";
import { V1_CONTROLLERS } from "../os/cgroup/common.ts";
import { runChecks } from "./doctor.ts";

/** The cgroup mounts, read here without the agent's detection code: [fs type, mount point, super options]. */
function cgroupMounts(): [string, string, string[]][] {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").flatMap((line) => {
    const f = line.split(" ");
    const dash = f.indexOf("-", 6);
    if (dash < 0 || !f[dash + 1]?.startsWith("cgroup")) return [];
    return [[f[dash + 1], f[4], f[dash + 3].split(",")]] as [string, string, string[]][];
  });
}

Deno.test({
  name: "runChecks() on this host reports the cgroup version the kernel mounts, with its controllers",
  ignore: skip("cgroup"),
  fn() {
    const check = runChecks({ stateDir: "/var/lib/joblet", useTini: false }).find((c) =>
      c.name === "cgroups"
    )!;
    const mounts = cgroupMounts();
    const v1 = mounts.filter(([fs]) => fs === "cgroup").flatMap(([, , opts]) => opts)
      .filter((o) => (V1_CONTROLLERS as readonly string[]).includes(o));
    if (v1.includes("memory") || v1.includes("pids")) {
      assertMatch(check.detail, /^v1 \(/);
      for (const c of v1) {
        assert(check.detail.split(/[ ()]/).includes(c), `${c} missing in "${check.detail}"`);
      }
      return;
    }
    const v2 = mounts.find(([fs]) => fs === "cgroup2");
    assert(v2, "cgroup said present, but no cgroup or cgroup2 mount");
    const own = Deno.readTextFileSync("/proc/self/cgroup").match(/^0::(.*)$/m)![1];
    const controllers = Deno.readTextFileSync(`${v2[1]}${own === "/" ? "" : own}/cgroup.controllers`).trim();
    assertEquals(check.detail.split("; missing")[0], `v2 at ${v2[1]}, delegated: ${controllers || "none"}`);
  },
});
