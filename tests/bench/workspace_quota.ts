/**
 * What a size-limited /work adds to job start (docs/adr/0009-workspace-quota.md): the real Workspaces store,
 * NamespaceLauncher and cgroup driver, timed from commit() (what `rnx job run` does once the uploads are in)
 * to the exit of /bin/true, with a plain directory, with a 1 GiB ext4 image taken from the pool of ready images
 * (the default jobs.max_disk, as `joblet serve` sets it up; the pool refills in the background while the next
 * jobs run, as in the agent) and with a 512 MiB image, which is not the pool's size and is formatted at open()
 * (`--max-disk=512MB`), beside `unshare` in the same run. The cgroup namespace dirs are removed at the end.
 */
import { DEFAULT_CONFIG } from "../../agent/config/load.ts";
import { NO_LIMITS } from "../../agent/domain/limits.ts";
import { jobEnvironment } from "../../agent/domain/spec.ts";
import { createCgroupDriver, hostFs, readLayout } from "../../agent/os/cgroup/mod.ts";
import { NamespaceLauncher } from "../../agent/os/isolation/launcher.ts";
import { Ext4DiskImages } from "../../agent/os/workspace/disk_image.ts";
import { Workspaces } from "../../agent/os/workspace/workspaces.ts";
import { type Figure, fromSummary, verdictAtMost } from "./report.ts";
import { sample, sampleMany, type SampleOptions, timeMs } from "./stats.ts";
import { removeNamespace, UNSHARE_ARGS } from "./start_latency.ts";

const SECTION = "1b. start latency with a size-limited /work";

const GiB = 1024 ** 3;

export async function benchWorkspaceQuota(opts: SampleOptions, skipped: string[] = []): Promise<Figure[]> {
  const base = await Deno.makeTempDir({ prefix: "joblet-bench-quota-", dir: "/var/tmp" });
  const namespace = `joblet-bench-quota-${Deno.pid}`;
  // Where the namespace dirs will go, read before the driver may move this process (v2) — for the cleanup.
  const layout = readLayout(hostFs(), namespace);
  const cgroups = createCgroupDriver({ namespace });
  const launcher = new NamespaceLauncher({
    runDir: `${base}/run`,
    hostBinds: DEFAULT_CONFIG.jobs.hostBinds,
    useTini: DEFAULT_CONFIG.jobs.useTini,
  });
  const store = new Workspaces(base, { images: new Ext4DiskImages(), poolBytes: GiB });
  const env = jobEnvironment({ env: {}, secretEnv: {} });
  let seq = 0;

  /** commit → open → launch → exit of /bin/true; the workspace's close and removal are not timed. */
  const run = async (diskBytes: number) => {
    const id = `q${++seq}`;
    const staging = store.stage({ maxFiles: 10, maxBytes: 1 << 20, diskBytes });
    const cgroup = cgroups.create(id, NO_LIMITS);
    let opened: { ms: number; open: number; launch: number };
    try {
      const t0 = performance.now();
      store.commit(id, staging);
      const workDir = await store.open(id);
      const open = performance.now() - t0;
      const job = await launcher.launch({
        jobId: id,
        hostname: id,
        command: "/bin/true",
        args: [],
        env,
        workDir,
        cgroup,
      });
      await Promise.all([drain(job.stdout), drain(job.stderr)]);
      const st = await job.status;
      if (st.code !== 0) throw new Error(`/bin/true exited ${st.code}`);
      opened = { ms: performance.now() - t0, open, launch: performance.now() - t0 - open };
    } finally {
      await cgroup.killAll();
      await cgroup.destroy();
      await store.close(id);
      store.remove(id);
    }
    return opened;
  };

  const figures: Figure[] = [];
  try {
    await store.pool?.filled();
    const s = await sampleMany(opts, async () => {
      const plain = await run(0);
      const quota = await run(GiB);
      const slow = await run(GiB / 2);
      return {
        plain: plain.ms,
        quota: quota.ms,
        quotaOpen: quota.open,
        quotaLaunch: quota.launch,
        slow: slow.ms,
        slowOpen: slow.open,
      };
    });
    const unshare = await sample(opts, () => spawnMs("unshare", UNSHARE_ARGS));
    const ratio = (m: number) => m / unshare.median;
    const target = (m: number): Partial<Figure> => ({
      ratio: ratio(m),
      ratioTo: "unshare",
      target: "p50 ≤ 10× unshare; goal ≤ 3×",
      verdict: verdictAtMost(ratio(m), 10, 3),
    });
    figures.push(
      fromSummary(SECTION, "commit → exit of /bin/true, plain /work", s.plain, target(s.plain.median)),
      fromSummary(
        SECTION,
        "commit → exit of /bin/true, 1 GiB ext4 /work (default size: ready image from the pool)",
        s.quota,
        target(s.quota.median),
      ),
      fromSummary(
        SECTION,
        "of which commit + open() of the pooled 1 GiB /work (rename + mount)",
        s.quotaOpen,
        {
          ratio: ratio(s.quotaOpen.median),
          ratioTo: "unshare",
        },
      ),
      fromSummary(SECTION, "of which launch() → exit of /bin/true on the mounted /work", s.quotaLaunch, {
        ratio: ratio(s.quotaLaunch.median),
        ratioTo: "unshare",
      }),
      fromSummary(
        SECTION,
        "commit → exit of /bin/true, 512 MiB ext4 /work (other size: mkfs at open)",
        s.slow,
        target(s.slow.median),
      ),
      fromSummary(SECTION, "of which commit + open() of the 512 MiB /work (mkfs + mount)", s.slowOpen, {
        ratio: ratio(s.slowOpen.median),
        ratioTo: "unshare",
      }),
      fromSummary(SECTION, "baseline: unshare --fork --pid --mount --uts --ipc --net true", unshare, {
        ratio: 1,
        ratioTo: "unshare",
      }),
    );
  } finally {
    await store.stopPool();
    await Deno.remove(base, { recursive: true }).catch(() => {});
    removeNamespace(layout, namespace, skipped);
  }
  return figures;
}

async function spawnMs(cmd: string, args: string[]): Promise<number> {
  return await timeMs(async () => {
    const out = await new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).output();
    if (!out.success) throw new Error(`${cmd} exited ${out.code}`);
  });
}

async function drain(s: ReadableStream<Uint8Array>): Promise<void> {
  try {
    for await (const _ of s) { /* discard */ }
  } catch { /* cancelled */ }
}
