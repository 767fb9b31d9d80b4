/** The reader and sampler over a fake /proc tree in a temp directory (no real /proc, no FFI). */
import assert from "node:assert/strict";
import { HostReader } from "./reader.ts";
import { ProcHostSampler } from "./sampler.ts";

const JOB = "0a1b2c3d-0000-4000-8000-000000000001";

interface FakeHost {
  root: string;
  set(rel: string, text: string): void;
}

function fakeProc(): FakeHost {
  const root = Deno.makeTempDirSync({ prefix: "fake-proc-" });
  const set = (rel: string, text: string) => {
    const path = `${root}/${rel}`;
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(path, text);
  };
  set("loadavg", "0.50 0.25 0.10 2/100 999\n");
  set("meminfo", "MemTotal: 1000 kB\nMemAvailable: 600 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n");
  set("sys/kernel/hostname", "box\n");
  set("sys/kernel/osrelease", "6.1.0-test\n");
  set("self/mountinfo", "27 1 254:0 / / rw - ext4 /dev/vda rw\n22 27 0:21 / /proc rw - proc proc rw\n");
  set("os-release", 'PRETTY_NAME="Test OS 1"\n');
  return { root, set };
}

function tick(h: FakeHost, n: { cpuTicks: number; uptime: number; rx: number; p1: number; p2: number }) {
  // Two cores; core 0 busy for cpuTicks of every 2 × cpuTicks, core 1 idle.
  h.set(
    "stat",
    `cpu  ${n.cpuTicks} 0 0 ${n.cpuTicks * 3} 0 0 0 0\ncpu0 ${n.cpuTicks} 0 0 ${n.cpuTicks} 0 0 0 0\n` +
      `cpu1 0 0 0 ${n.cpuTicks * 2} 0 0 0 0\n`,
  );
  h.set("uptime", `${n.uptime}.00 0.00\n`);
  h.set("net/dev", `Inter-|\n face |\n  eth0: ${n.rx} 1 0 0 0 0 0 0 ${n.rx / 2} 1 0 0 0 0 0 0\n`);
  const stat = (pid: number, comm: string, ticks: number, rss: number) =>
    `${pid} (${comm}) S 1 1 1 0 -1 0 0 0 0 0 ${ticks} 0 0 0 20 0 1 0 100 1000 ${rss} 0\n`;
  h.set("1/stat", stat(1, "init", n.p1, 10));
  h.set("1/cmdline", "/sbin/init\0");
  h.set("1/cgroup", "0::/init.scope\n");
  h.set("42/stat", stat(42, "burner", n.p2, 5));
  h.set("42/cmdline", "sh\0-c\0while :; do :; done\0");
  h.set("42/cgroup", `0::/joblet/${JOB}\n`);
}

function setup(maxWindowMs?: number) {
  const h = fakeProc();
  tick(h, { cpuTicks: 1000, uptime: 100, rx: 10_000, p1: 50, p2: 100 });
  const reader = new HostReader({
    procRoot: h.root,
    osReleasePaths: [`${h.root}/os-release`],
    statvfs: () => ({ totalBytes: 100, usedBytes: 40, availableBytes: 50 }),
    pageSize: 4096,
  });
  const sleeps: number[] = [];
  const sampler = new ProcHostSampler(reader, {
    minWindowMs: 200,
    maxWindowMs,
    sleep: (ms) => {
      sleeps.push(ms);
      // Time passes on the fake host while the sampler waits.
      tick(h, { cpuTicks: 1100, uptime: 101, rx: 12_000, p1: 51, p2: 200 });
      return new Promise((r) => setTimeout(r, Math.min(ms, 5)));
    },
  });
  return { h, sampler, sleeps };
}

Deno.test("HostSampler's first sample takes a baseline, waits, and reports the host", async () => {
  const { h, sampler, sleeps } = setup();
  try {
    const s = await sampler.sample(5);
    assert.equal(sleeps[0], 200);
    assert.equal(s.hostname, "box");
    assert.equal(s.os, "Test OS 1");
    assert.equal(s.kernel, "6.1.0-test");
    assert.equal(s.uptimeSeconds, 101);
    assert.equal(s.load1, 0.5);
    assert.equal(s.memoryUsedBytes, 400 * 1024);
    // 400 ticks passed over both cores, 100 of them busy on core 0.
    assert.equal(s.cpuPercent, 25);
    assert.deepEqual(s.cores.map((c) => c.usagePercent), [50, 0]);
    assert.equal(s.cpuTimes.user, 11);
    assert.deepEqual(s.disks, [{
      mountPoint: "/",
      device: "/dev/vda",
      fsType: "ext4",
      totalBytes: 100,
      usedBytes: 40,
      availableBytes: 50,
    }]);
    assert.equal(s.interfaces[0].name, "eth0");
    assert.equal(s.interfaces[0].rxBytes, 12_000);
    assert.ok(s.interfaces[0].rxBytesPerSecond > 0);
    assert.equal(s.processCount, 2);
  } finally {
    Deno.removeSync(h.root, { recursive: true });
  }
});

Deno.test("HostSampler reports top processes with their command line and job", async () => {
  const { h, sampler } = setup();
  try {
    const s = await sampler.sample(1);
    assert.deepEqual(s.topProcesses.map((p) => [p.pid, p.command, p.jobId, p.memoryBytes]), [
      [42, "sh -c while :; do :; done", JOB, 5 * 4096],
      [1, "/sbin/init", "", 10 * 4096],
    ]);
    assert.ok(s.topProcesses[0].cpuPercent > s.topProcesses[1].cpuPercent);
  } finally {
    Deno.removeSync(h.root, { recursive: true });
  }
});

Deno.test("HostSampler with top = 0 reads no processes", async () => {
  const { h, sampler } = setup();
  try {
    Deno.writeTextFileSync(`${h.root}/42/stat`, "garbage");
    const s = await sampler.sample(0);
    assert.deepEqual(s.topProcesses, []);
    assert.equal(s.processCount, 2);
  } finally {
    Deno.removeSync(h.root, { recursive: true });
  }
});

Deno.test("HostSampler keeps consecutive samples at least the minimum window apart", async () => {
  const { h, sampler, sleeps } = setup();
  try {
    await sampler.sample(0);
    await sampler.sample(0);
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[1] > 0 && sleeps[1] <= 200, `second wait ${sleeps[1]}`);
  } finally {
    Deno.removeSync(h.root, { recursive: true });
  }
});

Deno.test("HostSampler takes a fresh baseline when its previous reading is older than the maximum window", async () => {
  const { h, sampler, sleeps } = setup(0);
  try {
    await sampler.sample(0);
    await new Promise((r) => setTimeout(r, 2));
    await sampler.sample(0);
    assert.deepEqual(sleeps, [200, 200]);
  } finally {
    Deno.removeSync(h.root, { recursive: true });
  }
});
