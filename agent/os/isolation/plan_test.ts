import { assert, assertEquals, assertThrows } from "../../../tests/assert.ts";
import type { HostPath } from "./host_paths.ts";
import { describeStep, planRoot, type RootOptions, type Step } from "./plan.ts";

const debian12: HostPath[] = [
  { path: "/usr", kind: "dir" },
  { path: "/bin", kind: "symlink", linkTarget: "usr/bin" },
  { path: "/lib", kind: "symlink", linkTarget: "usr/lib" },
  { path: "/lib64", kind: "symlink", linkTarget: "usr/lib64" },
  { path: "/sbin", kind: "symlink", linkTarget: "usr/sbin" },
  { path: "/etc/ssl", kind: "dir" },
  { path: "/etc/ca-certificates", kind: "dir" },
  { path: "/usr/share/ca-certificates", kind: "dir" },
];

const opts: RootOptions = {
  newRoot: "/st/run/root",
  hostPaths: debian12,
  workDir: "/st/work/j1",
  hostname: "j1",
};

const binds = (steps: Step[]) =>
  steps.flatMap((s) => s.op === "bind" ? [`${s.source} -> ${s.target} ${s.flags.join(",")}`] : []);
const indexOf = (steps: Step[], pred: (s: Step) => boolean) => steps.findIndex(pred);

Deno.test("planRoot() starts private, names the host and brings lo up before touching the root", () => {
  assertEquals(planRoot(opts).slice(0, 4), [
    { op: "make-private" },
    { op: "sethostname", name: "j1" },
    { op: "link-up", name: "lo" },
    {
      op: "mount",
      fstype: "tmpfs",
      target: "/st/run/root",
      flags: ["nosuid", "nodev"],
      data: "mode=0755,size=1m",
    },
  ]);
});

Deno.test("planRoot() binds host dirs read-only, recreates symlinks and skips paths a bind already covers", () => {
  const steps = planRoot(opts);
  assertEquals(binds(steps).filter((b) => !b.startsWith("/dev/")), [
    "/etc/ca-certificates -> /st/run/root/etc/ca-certificates rdonly,nosuid,nodev",
    "/etc/ssl -> /st/run/root/etc/ssl rdonly,nosuid,nodev",
    "/usr -> /st/run/root/usr rdonly,nosuid,nodev",
    "/st/work/j1 -> /st/run/root/work nosuid,nodev",
  ]);
  for (
    const [link, target] of [["bin", "usr/bin"], ["lib", "usr/lib"], ["lib64", "usr/lib64"], [
      "sbin",
      "usr/sbin",
    ]]
  ) {
    assert(steps.some((s) => s.op === "symlink" && s.path === `/st/run/root/${link}` && s.target === target));
  }
  assertEquals(steps.some((s) => s.op === "bind" && s.source === "/usr/share/ca-certificates"), false);
});

Deno.test("planRoot() gives the job /tmp, a fresh /proc dir and a minimal /dev", () => {
  const steps = planRoot(opts);
  assert(steps.some((s) => s.op === "mount" && s.target === "/st/run/root/tmp" && s.data === "mode=1777"));
  assert(steps.some((s) => s.op === "mkdir" && s.path === "/st/run/root/proc"));
  assertEquals(binds(steps).filter((b) => b.startsWith("/dev/")).map((b) => b.split(" ")[0]), [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
  ]);
  assert(steps.some((s) => s.op === "mount" && s.fstype === "devpts"));
  assert(
    steps.some((s) =>
      s.op === "symlink" && s.path === "/st/run/root/dev/stderr" && s.target === "/proc/self/fd/2"
    ),
  );
  assertEquals(
    planRoot({ ...opts, devPts: false }).some((s) => s.op === "mount" && s.fstype === "devpts"),
    false,
  );
});

Deno.test("planRoot() writes /etc with root, nobody and the hostname in hosts", () => {
  const steps = planRoot(opts);
  const file = (p: string) => steps.find((s) => s.op === "file" && s.path === `/st/run/root/etc/${p}`);
  const passwd = file("passwd");
  const hosts = file("hosts");
  assert(passwd?.op === "file" && passwd.content.includes("nobody:x:65534:65534:"));
  assert(passwd.content.startsWith("root:x:0:0:"));
  assert(
    hosts?.op === "file" && hosts.content.includes("127.0.0.1\tlocalhost") &&
      hosts.content.includes("\tj1\n"),
  );
  assertEquals(steps.some((s) => s.op === "bind" && s.source.startsWith("/etc/shadow")), false);
});

Deno.test("planRoot() pivots after the root is complete, then makes / read-only and enters /work", () => {
  const steps = planRoot(opts);
  const pivot = indexOf(steps, (s) => s.op === "pivot-root");
  assertEquals(steps.slice(pivot), [
    { op: "pivot-root", newRoot: "/st/run/root" },
    { op: "remount", target: "/", flags: ["rdonly", "nosuid", "nodev"] },
    { op: "chdir", path: "/work" },
  ]);
  assertEquals(steps[pivot - 1], { op: "mkdir", path: "/st/run/root/.old" });
  // every mount and file lies inside the new root
  for (const s of steps.slice(4, pivot)) {
    const target = "path" in s ? s.path : "target" in s ? s.target : "";
    assert(target.startsWith("/st/run/root/"), describeStep(s));
  }
});

Deno.test("planRoot() rejects host binds that would hide the job's own /work, /dev or /etc files", () => {
  for (const path of ["/work", "/dev/sda", "/etc", "/etc/passwd", "/"]) {
    assertThrows(() => planRoot({ ...opts, hostPaths: [{ path, kind: "dir" }] }), /Host bind/);
  }
});

Deno.test("planRoot() rejects a hostname that is not a host name and a relative work dir", () => {
  assertThrows(() => planRoot({ ...opts, hostname: "a b" }), /hostname "a b" is not a valid host name/);
  assertThrows(() => planRoot({ ...opts, hostname: "-x" }), /hostname "-x"/);
  assertThrows(() => planRoot({ ...opts, workDir: "work" }), /work dir "work" must be an absolute path/);
});

Deno.test("describeStep() says what a bind does", () => {
  assertEquals(
    describeStep({ op: "bind", source: "/usr", target: "/r/usr", recursive: true, flags: ["rdonly"] }),
    "bind /usr -> /r/usr (rdonly)",
  );
});

Deno.test("planRoot() binds each volume at /volumes/NAME before pivot_root, read-only when asked", () => {
  const steps = planRoot({
    ...opts,
    mounts: [
      { source: "/st/volumes/a/mnt", target: "/volumes/a", readOnly: false },
      { source: "/st/volumes/b/mnt", target: "/volumes/b", readOnly: true },
    ],
  });
  const b = binds(steps);
  assert(b.includes("/st/volumes/a/mnt -> /st/run/root/volumes/a nosuid,nodev"));
  assert(b.includes("/st/volumes/b/mnt -> /st/run/root/volumes/b rdonly,nosuid,nodev"));
  const bindA = indexOf(steps, (s) => s.op === "bind" && s.target === "/st/run/root/volumes/a");
  const mkdirA = indexOf(steps, (s) => s.op === "mkdir" && s.path === "/st/run/root/volumes/a");
  const pivot = indexOf(steps, (s) => s.op === "pivot-root");
  assert(mkdirA >= 0 && mkdirA < bindA && bindA < pivot);
  assertEquals(binds(planRoot(opts)).filter((x) => x.includes("volumes")), []);
});

Deno.test("planRoot() refuses a volume target outside /volumes/ or given twice", () => {
  const m = (target: string) => ({ source: "/st/v", target, readOnly: false });
  assertThrows(() => planRoot({ ...opts, mounts: [m("/etc")] }), /must be a distinct \/volumes\/NAME/);
  assertThrows(() => planRoot({ ...opts, mounts: [m("/volumes/../etc")] }), /must be a distinct/);
  assertThrows(() => planRoot({ ...opts, mounts: [m("/volumes/a"), m("/volumes/a")] }), /distinct/);
});

Deno.test("planRoot() binds a runtime's /usr from its root when the host path names a source", () => {
  const steps = planRoot({
    ...opts,
    hostPaths: [
      { path: "/usr", kind: "dir", source: "/st/runtimes/py/root/usr" },
      { path: "/bin", kind: "symlink", linkTarget: "usr/bin", source: "/st/runtimes/py/root/bin" },
      { path: "/etc/ld.so.cache", kind: "file", source: "/st/runtimes/py/root/etc/ld.so.cache" },
    ],
  });
  assertEquals(binds(steps).filter((b) => !b.startsWith("/dev/") && !b.startsWith("/st/work")), [
    "/st/runtimes/py/root/etc/ld.so.cache -> /st/run/root/etc/ld.so.cache rdonly,nosuid,nodev",
    "/st/runtimes/py/root/usr -> /st/run/root/usr rdonly,nosuid,nodev",
  ]);
  assert(steps.some((s) => s.op === "symlink" && s.path === "/st/run/root/bin" && s.target === "usr/bin"));
});
