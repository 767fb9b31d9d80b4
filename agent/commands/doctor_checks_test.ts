import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import type { CgroupLayout } from "../os/cgroup/detect.ts";
import {
  checkCgroups,
  checkClock,
  checkDisk,
  checkIpForward,
  checkKernel,
  checkNamespaces,
  checkTools,
  exitStatus,
  renderChecks,
} from "./doctor_checks.ts";

const v2 = (controllers: string[]): CgroupLayout => ({
  version: "v2",
  v1: [],
  v2: { mountPoint: "/sys/fs/cgroup", agentPath: "/system.slice/joblet.service", agentDir: "/x" },
  v2Controllers: controllers,
  notes: [],
});

Deno.test("checkKernel() fails before 4.18, warns before 5.4, and reads distro suffixes", () => {
  assertEquals(checkKernel("4.14.0-1-amd64").verdict, "fail");
  assertEquals(checkKernel("4.19.0-21-amd64").verdict, "warn");
  assertEquals(checkKernel("6.1.0-18-amd64").verdict, "ok");
  assertEquals(checkKernel("garbage").verdict, "warn");
});

Deno.test("checkCgroups() on v2 names the delegated and the missing controllers", () => {
  const ok = checkCgroups(v2(["cpuset", "cpu", "io", "memory", "pids"]), true);
  assertEquals(ok.verdict, "ok");
  assertMatch(ok.detail, /delegated: cpuset cpu io memory pids/);
  const noIo = checkCgroups(v2(["cpu", "cpuset", "memory", "pids"]), false);
  assertEquals([noIo.verdict, noIo.detail.endsWith("missing: io")], ["warn", true]);
  assertMatch(noIo.fix!, /\+io/);
  const none = checkCgroups(v2([]), true);
  assertEquals(none.verdict, "fail");
  assertMatch(none.fix!, /Delegate=yes/);
});

Deno.test("checkCgroups() on v1 and hybrid hosts lists the hierarchies; no cgroups at all fails", () => {
  const layout: CgroupLayout = {
    version: "v1",
    v1: [
      { controllers: ["cpu", "cpuacct"], mountPoint: "/a", agentPath: "/", agentDir: "/a" },
      {
        controllers: ["memory", "pids", "cpuset", "blkio", "freezer"],
        mountPoint: "/b",
        agentPath: "/",
        agentDir: "/b",
      },
    ],
    v2: { mountPoint: "/sys/fs/cgroup/unified", agentPath: "/", agentDir: "/u" },
    v2Controllers: [],
    notes: [],
  };
  const c = checkCgroups(layout, false);
  assertEquals(c.verdict, "ok");
  assertMatch(
    c.detail,
    /^v1 \(cpu cpuacct memory pids cpuset blkio freezer\); the v2 mount has no controllers/,
  );
  const bare = checkCgroups(
    { version: undefined, v1: [], v2: undefined, v2Controllers: [], notes: ["x"] },
    false,
  );
  assertEquals([bare.verdict, bare.detail], ["fail", "x"]);
});

Deno.test("checkNamespaces() fails naming each missing kind", () => {
  assertEquals(checkNamespaces(["mnt", "pid", "net", "ipc", "uts", "user"]).verdict, "ok");
  assertEquals(checkNamespaces(["mnt", "uts"]).detail, "missing: pid net ipc");
});

Deno.test("checkTools(): sh, mount and setpriv are required; tini only when use_tini is on", () => {
  const has = (p: string) => p === "/bin/sh" || p === "/bin/mount";
  const verdicts = (useTini: boolean) => checkTools(has, useTini).map((c) => `${c.name}:${c.verdict}`);
  assertEquals(verdicts(true), ["sh:ok", "mount:ok", "setpriv:fail", "tini:fail"]);
  assertEquals(verdicts(false), ["sh:ok", "mount:ok", "setpriv:fail", "tini:warn"]);
});

Deno.test("checkIpForward() and checkDisk() turn numbers into verdicts", () => {
  assertEquals([checkIpForward("1\n").verdict, checkIpForward("0\n").verdict], ["ok", "warn"]);
  assertEquals(checkIpForward(undefined).detail, "cannot read net.ipv4.ip_forward");
  const G = 1024 ** 3;
  assertEquals(checkDisk("/var", 0.5 * G, 100 * G).verdict, "fail");
  assertEquals(checkDisk("/var", 3 * G, 100 * G).verdict, "warn");
  assertEquals(checkDisk("/var", 50 * G, 100 * G).verdict, "ok");
  assertEquals(checkDisk("/var", 9 * G, 1000 * G).verdict, "warn");
  assertEquals(checkDisk("/var", 50 * G, 100 * G).detail, "50.0 GiB free on /var");
});

Deno.test("checkClock() fails before the CA existed and warns when NTP is off", () => {
  const now = new Date("2025-06-01T00:00:00Z");
  assertEquals(checkClock(now, true).verdict, "ok");
  assertEquals(checkClock(now, false).verdict, "warn");
  assertEquals(checkClock(now, undefined, new Date("2025-07-01T00:00:00Z")).verdict, "fail");
  assertEquals(checkClock(new Date("2001-01-01T00:00:00Z"), true).verdict, "fail");
});

Deno.test("renderChecks() prints a table, the fixes, a summary; exitStatus() is 1 only on a failure", () => {
  const checks = [checkKernel("6.1.0"), checkIpForward("0"), checkNamespaces([])];
  const text = renderChecks(checks);
  const lines = text.split("\n");
  assertEquals(lines.slice(0, 2), ["CHECK       RESULT  DETAIL", "kernel      OK      Linux 6.1.0"]);
  assert(lines[2].startsWith("ip_forward  WARN    "), lines[2]);
  assertEquals(lines[5], "To fix:");
  assertMatch(lines[6], /^ {2}ip_forward: .*sysctl -w net\.ipv4\.ip_forward=1$/);
  assert(lines[7].startsWith("  namespaces: "), lines[7]);
  assertMatch(text, /1 check\(s\) failed/);
  assertEquals([exitStatus(checks), exitStatus(checks.slice(0, 2))], [1, 0]);
});
