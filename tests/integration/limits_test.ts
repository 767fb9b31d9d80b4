/**
 * Limits on the real kernel, through the real NamespaceLauncher and cgroup driver: v1 on our build machines, v2
 * under ../shared/tools/vmrun (tests/v2.sh). Each test prints what it measured. The jobs use the host's /usr
 * binaries (sh, dd, perl).
 */
import { assert, assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import type { CgroupDriver, CgroupStats, JobCgroup, LaunchedJob } from "../../agent/core/ports.ts";
import { type JobLimits, NO_LIMITS } from "../../agent/domain/limits.ts";
import { createCgroupDriver, hostFs, readLayout } from "../../agent/os/cgroup/mod.ts";
import { NamespaceLauncher } from "../../agent/os/isolation/launcher.ts";

const ignore = skip("root", "cgroup", "tini");
const NS = `joblet-limits-${Deno.pid}`;
const MiB = 1024 ** 2;
const ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/work", PWD: "/work", LANG: "C.UTF-8" };
const BURN = "while :; do :; done & while :; do :; done";

/** Read before any driver moves the test process (v2 leaf). */
const layout = ignore ? undefined : readLayout(hostFs(), NS);

interface Ctx {
  base: string;
  driver: CgroupDriver;
  launcher: NamespaceLauncher;
}
let ctx: Ctx | undefined;
let seq = 0;

function setup(): Ctx {
  if (ctx) return ctx;
  // Also when a --filter leaves tests out: remove the temp dir and the cgroup namespace when the run ends.
  globalThis.addEventListener("unload", () => {
    if (ctx) Deno.removeSync(ctx.base, { recursive: true });
    removeNamespace();
  });
  const base = Deno.makeTempDirSync({ prefix: "joblet-limits-" });
  ctx = {
    base,
    driver: createCgroupDriver({ namespace: NS }),
    launcher: new NamespaceLauncher({ runDir: `${base}/run` }),
  };
  return ctx;
}

interface Finished {
  code: number;
  signal: string | null;
  out: string;
  err: string;
  /** Read after the job exited, before destroy(). */
  stats: CgroupStats;
}

/**
 * Runs `script` under `limits`; `during` runs while the job does (then the job is killed if still running).
 * The cgroup is destroyed afterwards whatever happens.
 */
async function run(
  jobId: string,
  script: string,
  limits: Partial<JobLimits>,
  opts: { during?: (cg: JobCgroup, job: LaunchedJob) => Promise<void>; workDir?: string } = {},
): Promise<Finished> {
  const c = setup();
  const workDir = opts.workDir ?? Deno.makeTempDirSync({ dir: c.base });
  Deno.chownSync(workDir, 65534, 65534);
  const cg = c.driver.create(jobId, { ...NO_LIMITS, ...limits });
  try {
    const job = await c.launcher.launch({
      jobId,
      hostname: jobId,
      command: "sh",
      args: ["-c", script],
      env: ENV,
      workDir,
      cgroup: cg,
    });
    const out = new Response(job.stdout).text();
    const err = new Response(job.stderr).text();
    if (opts.during) {
      try {
        await opts.during(cg, job);
      } finally {
        await cg.killAll();
      }
    }
    const st = await job.status;
    return { code: st.code, signal: st.signal, out: await out, err: await err, stats: cg.stats() };
  } finally {
    await cg.killAll().catch(() => {});
    await cg.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const id = (what: string) => `${what}-${Deno.pid}-${++seq}`;

function removeNamespace() {
  const dirs = layout?.version === "v1" ? layout.v1.map((h) => h.agentDir) : [layout?.v2?.agentDir ?? ""];
  for (const dir of dirs) {
    try {
      Deno.removeSync(`${dir}/${NS}`);
    } catch { /* not made in this hierarchy */ }
  }
}

Deno.test({
  name: "--max-cpu=50: two busy loops together use 40–60% of one core over 3 s, and are throttled",
  ignore,
  async fn() {
    let pct = 0;
    let throttled = 0;
    await run(id("cpu"), BURN, { cpuPercent: 50 }, {
      during: async (cg) => {
        await sleep(500);
        const s0 = cg.stats();
        const t0 = performance.now();
        await sleep(3000);
        const s1 = cg.stats();
        pct = (s1.cpuUsageUs - s0.cpuUsageUs) / ((performance.now() - t0) * 1000) * 100;
        throttled = s1.nrThrottled - s0.nrThrottled;
      },
    });
    console.log(
      `${setup().driver.version}: --max-cpu=50 used ${
        pct.toFixed(1)
      }% of one core, throttled in ${throttled} periods`,
    );
    assert(pct >= 40 && pct <= 60, `used ${pct.toFixed(1)}% of one core`);
    assert(throttled > 0, "cpu.stat nr_throttled went up");
  },
});

Deno.test({
  name: "--max-memory=64: a 200 MB hog is OOM-killed (SIGKILL, oom_kill ≥ 1) and a 20 MB job completes",
  ignore,
  async fn() {
    const hog = await run(id("hog"), `perl -e '$x = "x" x (200 * 1024 * 1024); print "survived\\n"'`, {
      memoryBytes: 64 * MiB,
    });
    console.log(
      `${setup().driver.version}: hog exit code=${hog.code} signal=${hog.signal}, oomKills=${hog.stats.oomKills}, ` +
        `peak ${(hog.stats.memoryPeak / MiB).toFixed(1)} MiB`,
    );
    assert(
      hog.code === 137 || hog.signal === "SIGKILL",
      `killed by SIGKILL (code ${hog.code}, ${hog.signal})`,
    );
    assert(hog.stats.oomKills >= 1, `oomKills = ${hog.stats.oomKills}`);
    assert(!hog.out.includes("survived"));
    assert(hog.stats.memoryPeak <= 64 * MiB, `peak ${hog.stats.memoryPeak} stays within the limit`);

    const small = await run(id("small"), `perl -e '$x = "x" x (20 * 1024 * 1024); print length($x), "\\n"'`, {
      memoryBytes: 64 * MiB,
    });
    console.log(`${setup().driver.version}: 20 MB job peak ${(small.stats.memoryPeak / MiB).toFixed(1)} MiB`);
    assertEquals([small.code, small.out, small.stats.oomKills], [0, `${20 * MiB}\n`, 0]);
  },
});

Deno.test({
  name: "--max-pids=64: a fork bomb hits pids.max, never exceeds it, the job ends and the host still forks",
  ignore,
  async fn() {
    let most = 0;
    let maxEvents = 0;
    const jobId = id("bomb");
    const t0 = performance.now();
    // Every process forks forever and shrugs off failures, so the bomb stays at pids.max until the job ends.
    // The script's shell forks only before the bomb starts (dash dies when its own fork fails), and its
    // `wait` lets the job end after 1 s: the job's PID 1 exits and the kernel kills the rest of its PID namespace.
    const r = await run(jobId, `sleep 1 & s=$!; perl -e '1 while 1 + fork' & wait $s; echo survived`, {
      pids: 64,
      cpuPercent: 50,
      memoryBytes: 256 * MiB,
    }, {
      during: async (cg) => {
        while (cg.pids().length > 0 && performance.now() - t0 < 20_000) {
          most = Math.max(most, cg.stats().pids);
          maxEvents = Math.max(maxEvents, pidsMaxEvents(jobId));
          await sleep(20);
        }
      },
    });
    const ms = performance.now() - t0;
    console.log(
      `${setup().driver.version}: fork bomb: at most ${most} pids seen, pids.events max ${maxEvents}, job over ` +
        `after ${ms.toFixed(0)} ms`,
    );
    assert(most <= 64, `pids.current reached ${most}`);
    assert(most >= 60, `the bomb did grow to the limit (${most} pids)`);
    assert(maxEvents > 0, "pids.events counts refused forks");
    assertEquals([r.code, r.out], [0, "survived\n"], r.err);
    assert(ms < 20_000, "the job ended by itself (its PID 1 exited, taking the bomb along)");
    assertEquals(r.stats.pids, 0);
    assertEquals((await new Deno.Command("true").output()).code, 0);
  },
});

Deno.test({
  name: "--cpu-cores=0: every job process may run on CPU 0 only, and all its CPU time is spent there",
  ignore,
  async fn() {
    const jobId = id("cores");
    const allowed = new Set<string>();
    let perCpu: number[] = [];
    await run(jobId, BURN, { cpuCores: [0], cpuPercent: 50 }, {
      during: async (cg) => {
        await sleep(300);
        for (const pid of cg.pids()) {
          const status = Deno.readTextFileSync(`/proc/${pid}/status`);
          allowed.add(/^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? "?");
        }
        if (layout?.version === "v1") {
          const h = layout.v1.find((h) => h.controllers.includes("cpuacct"))!;
          const file = `${h.agentDir}/${NS}/${jobId}/cpuacct.usage_percpu`;
          const read = () => Deno.readTextFileSync(file).trim().split(/\s+/).map(Number);
          const before = read();
          await sleep(1000);
          perCpu = read().map((n, i) => n - before[i]);
        }
      },
    });
    console.log(`${setup().driver.version}: Cpus_allowed_list ${[...allowed]}; per-CPU ns in 1 s: ${perCpu}`);
    assertEquals([...allowed], ["0"]);
    if (perCpu.length > 0) {
      const total = perCpu.reduce((a, b) => a + b, 0);
      assert(total > 0.3e9, `the job ran (${total} ns)`);
      assertEquals(perCpu.slice(1).reduce((a, b) => a + b, 0), 0, `usage off CPU 0: ${perCpu}`);
    }
  },
});

Deno.test({
  name: "--max-iobps=10MB/s: direct-I/O writes and reads in /work run within 20% of the limit",
  ignore,
  async fn() {
    const c = setup();
    const disk = await blockBackedDir(c.base);
    try {
      const limit = 10 * MiB;
      const jobId = id("io");
      let rulesAfterKill: string | undefined;
      const r = await run(
        jobId,
        "dd if=/dev/zero of=/work/f bs=1M count=20 oflag=direct 2>&1 && dd if=/work/f of=/dev/null bs=1M iflag=direct 2>&1",
        { ioBps: limit },
        {
          workDir: disk.dir,
          // killAll() lifts the limit first (so no task stays in D state on a throttled bio): check it did.
          during: async (cg, job) => {
            await job.status;
            await cg.killAll();
            rulesAfterKill = ioRules(jobId);
          },
        },
      );
      assertEquals(r.code, 0, r.out + r.err);
      const [write, read] = [...r.out.matchAll(/^(\d+) bytes .* copied, ([\d.]+) s/gm)].map((m) =>
        Number(m[1]) / Number(m[2])
      );
      console.log(
        `${c.driver.version}: on ${disk.device}: direct write ${(write / MiB).toFixed(2)} MiB/s, read ${
          (read / MiB).toFixed(2)
        } MiB/s (limit 10 MiB/s); io.stat read ${r.stats.ioReadBytes} B, write ${r.stats.ioWriteBytes} B`,
      );
      assert(Math.abs(write - limit) / limit <= 0.2, `write ${write} B/s`);
      assert(Math.abs(read - limit) / limit <= 0.2, `read ${read} B/s`);
      assert(r.stats.ioWriteBytes >= 20 * MiB, `ioWriteBytes ${r.stats.ioWriteBytes}`);
      assertEquals(rulesAfterKill, "", "no io rule is left after killAll()");
    } finally {
      disk.remove();
    }
  },
});

/** How many forks pids.max refused ("max N" in pids.events; 0 once the cgroup is gone). */
function pidsMaxEvents(jobId: string): number {
  const dir = layout?.version === "v2"
    ? `${layout.v2!.agentDir}/${NS}/${jobId}`
    : `${layout!.v1.find((h) => h.controllers.includes("pids"))!.agentDir}/${NS}/${jobId}`;
  try {
    return Number(/^max (\d+)/m.exec(Deno.readTextFileSync(`${dir}/pids.events`))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The job's I/O throttle rules as the kernel lists them (v2 io.max; v1 both blkio bps files). */
function ioRules(jobId: string): string {
  if (layout?.version === "v2") {
    return Deno.readTextFileSync(`${layout.v2!.agentDir}/${NS}/${jobId}/io.max`).trim();
  }
  const h = layout!.v1.find((h) => h.controllers.includes("blkio"))!;
  return ["read", "write"].map((rw) =>
    Deno.readTextFileSync(`${h.agentDir}/${NS}/${jobId}/blkio.throttle.${rw}_bps_device`).trim()
  ).join("");
}

/**
 * A directory on a block device. The host's /tmp is on one; the vmrun guest has none (9p, overlay, tmpfs), so
 * there the test makes a loop device with ext4 on it.
 */
async function blockBackedDir(base: string): Promise<{ dir: string; device: string; remove: () => void }> {
  const dir = Deno.makeTempDirSync({ dir: base });
  const dev = Deno.statSync(dir).dev;
  const majmin = `${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  try {
    const name = Deno.realPathSync(`/sys/dev/block/${majmin}`).split("/").pop();
    return { dir, device: `${name} (${majmin})`, remove: () => {} };
  } catch { /* not a block device: make one */ }
  const sh = async (cmd: string) => {
    const o = await new Deno.Command("sh", { args: ["-c", cmd] }).output();
    const text = new TextDecoder().decode(o.stdout).trim();
    if (o.code !== 0) throw new Error(`${cmd}: ${new TextDecoder().decode(o.stderr)}`);
    return text;
  };
  const img = `${base}/disk.img`;
  await sh(`modprobe loop 2>/dev/null; truncate -s 96M ${img}`);
  const loop = await sh(`losetup --find --show ${img}`);
  await sh(`mkfs.ext4 -q ${loop} && mount ${loop} ${dir}`);
  return {
    dir,
    device: `${loop} on ${img}`,
    remove: () => {
      new Deno.Command("sh", { args: ["-c", `umount ${dir}; losetup -d ${loop}; rm -f ${img}`] })
        .outputSync();
    },
  };
}
