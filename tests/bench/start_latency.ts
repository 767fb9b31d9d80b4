/**
 * Server-side start latency, in process: the real NamespaceLauncher and cgroup driver, set up as `joblet serve`
 * sets them up (default host binds, tini, the job environment of a spec with no env), beside `unshare` and
 * `bwrap` doing comparable isolation, all timed in the same run.
 *
 * Each job gets a fresh work dir owned by nobody (as Workspaces.commit makes it) and a fresh cgroup in the
 * namespace `joblet-bench-<pid>`; both are made before the clock starts and removed after it stops, the
 * namespace dirs when the section ends.
 */
import type { LaunchedJob } from "../../agent/core/ports.ts";
import { DEFAULT_CONFIG } from "../../agent/config/load.ts";
import { NO_LIMITS } from "../../agent/domain/limits.ts";
import { jobEnvironment } from "../../agent/domain/spec.ts";
import { AGENT_LEAF_SUFFIX } from "../../agent/os/cgroup/common.ts";
import { createCgroupDriver, hostFs, readLayout } from "../../agent/os/cgroup/mod.ts";
import { NamespaceLauncher } from "../../agent/os/isolation/launcher.ts";
import { type Figure, fromSummary, verdictAtMost } from "./report.ts";
import { sample, sampleMany, type SampleOptions, type Summary, timeMs } from "./stats.ts";

const SECTION = "1. server-side start latency (in process)";
const NOBODY = 65534;

export const UNSHARE_ARGS = ["--fork", "--pid", "--mount", "--uts", "--ipc", "--net", "true"];
export const BWRAP_ARGS = [
  "--unshare-all",
  "--ro-bind",
  "/usr",
  "/usr",
  "--symlink",
  "usr/bin",
  "/bin",
  "--symlink",
  "usr/lib",
  "/lib",
  "--symlink",
  "usr/lib64",
  "/lib64",
  "--proc",
  "/proc",
  "--dev",
  "/dev",
  "true",
];

export async function benchStartLatency(
  opts: SampleOptions,
  skipped: string[],
): Promise<Figure[]> {
  const namespace = `joblet-bench-${Deno.pid}`;
  // Where the namespace dirs will go, read before the driver may move this process (v2) — for the cleanup.
  const layout = readLayout(hostFs(), namespace);
  const base = await Deno.makeTempDir({ prefix: "joblet-bench-" });
  const cgroups = createCgroupDriver({ namespace });
  const launcher = new NamespaceLauncher({
    runDir: `${base}/run`,
    hostBinds: DEFAULT_CONFIG.jobs.hostBinds,
    useTini: DEFAULT_CONFIG.jobs.useTini,
  });
  let seq = 0;
  const env = jobEnvironment({ env: {}, secretEnv: {} });

  /** Makes a job's work dir and cgroup, runs `measure` on the launched job, then cleans up untimed. */
  async function withJob<T>(
    command: string,
    args: string[],
    measure: (launch: () => Promise<LaunchedJob>) => Promise<T>,
  ): Promise<T> {
    const jobId = `bench-${++seq}`;
    const workDir = `${base}/work-${jobId}`;
    Deno.mkdirSync(workDir, { mode: 0o755 });
    Deno.chownSync(workDir, NOBODY, NOBODY);
    const cgroup = cgroups.create(jobId, NO_LIMITS); // a job with no limit flags, as `rnx job run true`
    let job: LaunchedJob | undefined;
    try {
      return await measure(async () =>
        job = await launcher.launch({ jobId, hostname: jobId, command, args, env, workDir, cgroup })
      );
    } finally {
      if (job) await Promise.allSettled([drain(job.stdout), drain(job.stderr), job.status]);
      await cgroup.killAll();
      await cgroup.destroy();
      Deno.removeSync(workDir, { recursive: true });
    }
  }

  const figures: Figure[] = [];
  try {
    const hasUnshare = await runs("unshare", UNSHARE_ARGS);
    if (!hasUnshare) {
      skipped.push("unshare baseline (and every ratio): unshare is missing (Debian package util-linux)");
    }
    const hasBwrap = await runs("/usr/bin/bwrap", BWRAP_ARGS);
    if (!hasBwrap) {
      skipped.push("bwrap baseline: /usr/bin/bwrap is missing or fails here (Debian package bubblewrap)");
    }

    // The two job figures alternate (jobs follow jobs, as in the agent); each baseline then runs in a block of
    // its own. Not all interleaved: a run leaves work behind — the kernel tears namespaces down in the
    // background, and a job that then sets up its loopback waits for it (rtnl) — so a job run right after
    // bwrap measured ≈ 6 ms slower, a cost of the bench's baselines, not of joblet.
    const jobs = await sampleMany(opts, async () => {
      const trueRun = await withJob("/bin/true", [], async (launch) => {
        const t0 = performance.now();
        const job = await launch();
        const launched = performance.now() - t0;
        const st = await job.status;
        const exited = performance.now() - t0;
        if (st.code !== 0) throw new Error(`job /bin/true exited ${st.code} (signal ${st.signal})`);
        return { launched, exited };
      });
      const echo = await withJob("echo", ["x"], async (launch) => {
        const t0 = performance.now();
        const job = await launch();
        const reader = job.stdout.getReader();
        const { value } = await reader.read();
        const firstByte = performance.now() - t0;
        reader.releaseLock();
        if (!value || value[0] !== 0x78) throw new Error(`job echo x printed ${JSON.stringify(value)}`);
        return firstByte;
      });
      return { ...trueRun, echo };
    });
    const s: Partial<Record<string, Summary>> = {
      ...jobs,
      unshare: hasUnshare ? await sample(opts, () => spawnMs("unshare", UNSHARE_ARGS)) : undefined,
      bwrap: hasBwrap ? await sample(opts, () => spawnMs("/usr/bin/bwrap", BWRAP_ARGS)) : undefined,
      plain: await sample(opts, () => spawnMs("/bin/true", [])),
    };
    const unshareMs = s.unshare?.median;
    const vsUnshare = (median: number, target: boolean): Partial<Figure> => {
      if (unshareMs === undefined) return {};
      const ratio = median / unshareMs;
      return target
        ? {
          ratio,
          ratioTo: "unshare",
          target: "p50 ≤ 10× unshare; goal ≤ 3×",
          verdict: verdictAtMost(ratio, 10, 3),
        }
        : { ratio, ratioTo: "unshare" };
    };
    const row = (name: string, sum: Summary | undefined, target = false) => {
      if (sum) figures.push(fromSummary(SECTION, name, sum, vsUnshare(sum.median, target)));
    };
    row("joblet launch() → exit of /bin/true", s.exited, true);
    row("joblet launch() → first stdout byte of `echo x`", s.echo, true);
    row("joblet launch() resolves (job in cgroup, released)", s.launched);
    row("baseline: unshare --fork --pid --mount --uts --ipc --net true", s.unshare);
    row("baseline: bwrap --unshare-all … true", s.bwrap);
    row("reference: spawn → exit of /bin/true (no isolation)", s.plain);
  } finally {
    await Deno.remove(base, { recursive: true }).catch(() => {});
    removeNamespace(layout, namespace, skipped);
  }
  return figures;
}

async function spawnMs(cmd: string, args: string[]): Promise<number> {
  let code = 0;
  const ms = await timeMs(async () => {
    ({ code } = await new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" })
      .output());
  });
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${code}`);
  return ms;
}

/** True when the tool exists and one run succeeds. */
async function runs(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

async function drain(s: ReadableStream<Uint8Array>): Promise<void> {
  try {
    for await (const _ of s) { /* discard */ }
  } catch { /* a cancelled or locked stream */ }
}

/**
 * Removes <agent cgroup>/<namespace> in each hierarchy (`layout` read before the driver was made). On v2 the driver moved this process into
 * <agent cgroup>/<namespace>-agent, which cannot be removed while the bench lives: it is named for removal.
 */
export function removeNamespace(
  layout: ReturnType<typeof readLayout>,
  namespace: string,
  skipped: string[],
): void {
  const dirs = layout.version === "v1"
    ? layout.v1.map((h) => h.agentDir)
    : layout.v2
    ? [layout.v2.agentDir]
    : [];
  for (const dir of dirs) {
    try {
      Deno.removeSync(`${dir}/${namespace}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        skipped.push(`cleanup: cannot remove ${dir}/${namespace}: ${e}`);
      }
    }
  }
  if (layout.version === "v2" && layout.v2) {
    skipped.push(
      `cleanup: the bench process lives in ${layout.v2.agentDir}/${namespace}${AGENT_LEAF_SUFFIX}; ` +
        `rmdir it after the bench exits`,
    );
  }
}
