/**
 * Runtimes (docs/runtimes.md): install time and size of each built-in runtime, built in process with the real
 * HostRuntimeDriver into a temporary dir (apt index, resolve, download or the .deb cache, unpack, configure),
 * then job start latency with a runtime beside the same job without one, alternating, in the same run: the
 * real NamespaceLauncher and cgroup driver, as in section 1. Needs root, cgroups, apt-get and the mirror.
 *
 * The .deb cache ($JOBLET_RUNTIME_DEB_CACHE, else none) makes the download part warm; the figure's note says
 * which it was.
 */
import type { LaunchedJob } from "../../agent/core/ports.ts";
import { DEFAULT_CONFIG } from "../../agent/config/load.ts";
import { NO_LIMITS } from "../../agent/domain/limits.ts";
import { etcOf } from "../../agent/domain/runtime.ts";
import { jobEnvironment } from "../../agent/domain/spec.ts";
import { createCgroupDriver, hostFs, readLayout } from "../../agent/os/cgroup/mod.ts";
import { NamespaceLauncher } from "../../agent/os/isolation/launcher.ts";
import { builtinSpecs } from "../../agent/os/runtime/builtin.ts";
import { DEB_CACHE_ENV, HostRuntimeDriver } from "../../agent/os/runtime/host_driver.ts";
import { type Figure, fromSummary } from "./report.ts";
import { sampleMany, type SampleOptions } from "./stats.ts";
import { removeNamespace } from "./start_latency.ts";

const SECTION = "9. runtimes: install and job start";
const NOBODY = 65534;

export async function benchRuntimes(
  opts: SampleOptions,
  names: string[],
  progress: (msg: string) => void,
  skipped: string[],
): Promise<Figure[]> {
  try {
    Deno.statSync("/usr/bin/apt-get");
  } catch {
    skipped.push("runtimes: apt-get is missing (runtimes are built on Debian and Ubuntu hosts)");
    return [];
  }
  const base = await Deno.makeTempDir({ prefix: "joblet-bench-rt-" });
  const cache = Deno.env.get(DEB_CACHE_ENV) || undefined;
  const driver = new HostRuntimeDriver({ dir: `${base}/runtimes`, debCache: cache });
  const figures: Figure[] = [];
  try {
    for (const spec of builtinSpecs().filter((s) => names.includes(s.name))) {
      progress(`runtime ${spec.name}: installing${cache ? ` (.deb cache ${cache})` : " (no .deb cache)"}`);
      const t0 = performance.now();
      const gen = driver.install(spec);
      let r = await gen.next();
      while (!r.done) r = await gen.next();
      const ms = performance.now() - t0;
      const note = `${r.value.packages.length} packages; ${
        cache ? "with the .deb cache" : "downloads included"
      }`;
      figures.push(
        { section: SECTION, name: `install ${spec.name}`, unit: "ms", n: 1, median: ms, note },
        {
          section: SECTION,
          name: `size of ${spec.name}`,
          unit: "MiB",
          n: 1,
          median: r.value.sizeBytes / 1024 ** 2,
        },
      );
    }
    const spec = builtinSpecs().find((s) => s.name === names[0])!;
    progress(`job start with runtime ${spec.name} vs without: ${opts.warmups} warm-ups + ${opts.runs} runs`);
    figures.push(
      ...await startLatency(
        opts,
        `${base}/run`,
        {
          root: driver.rootOf(spec.name),
          etc: etcOf(spec),
        },
        spec.name,
        skipped,
      ),
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
  return figures;
}

async function startLatency(
  opts: SampleOptions,
  runDir: string,
  runtime: { root: string; etc: string[] },
  name: string,
  skipped: string[],
): Promise<Figure[]> {
  const namespace = `joblet-bench-rt-${Deno.pid}`;
  const layout = readLayout(hostFs(), namespace);
  const cgroups = createCgroupDriver({ namespace });
  const launcher = new NamespaceLauncher({
    runDir,
    hostBinds: DEFAULT_CONFIG.jobs.hostBinds,
    useTini: DEFAULT_CONFIG.jobs.useTini,
  });
  const env = jobEnvironment({ env: {}, secretEnv: {} });
  let seq = 0;
  const once = async (withRuntime: boolean): Promise<number> => {
    const jobId = `bench-rt-${++seq}`;
    const workDir = `${runDir}/work-${jobId}`;
    Deno.mkdirSync(workDir, { recursive: true, mode: 0o755 });
    Deno.chownSync(workDir, NOBODY, NOBODY);
    const cgroup = cgroups.create(jobId, NO_LIMITS);
    let job: LaunchedJob | undefined;
    try {
      const t0 = performance.now();
      job = await launcher.launch({
        jobId,
        hostname: jobId,
        command: "/bin/sh",
        args: ["-c", "exit 0"],
        env,
        workDir,
        cgroup,
        ...(withRuntime ? { runtime } : {}),
      });
      const st = await job.status;
      const ms = performance.now() - t0;
      if (st.code !== 0) throw new Error(`job sh -c 'exit 0' exited ${st.code} (signal ${st.signal})`);
      return ms;
    } finally {
      if (job) await Promise.allSettled([job.stdout.cancel(), job.stderr.cancel(), job.status]);
      await cgroup.killAll();
      await cgroup.destroy();
      Deno.removeSync(workDir, { recursive: true });
    }
  };
  let s;
  try {
    s = await sampleMany(opts, async () => ({ without: await once(false), with: await once(true) }));
  } finally {
    removeNamespace(layout, namespace, skipped);
  }
  return [
    // sh -c 'exit 0': a runtime has no coreutils (no /bin/true), every runtime and the host have /bin/sh.
    fromSummary(SECTION, "job start → exit, no runtime", s.without),
    fromSummary(SECTION, `job start → exit, --runtime=${name}`, s.with, {
      ratio: s.with.median / s.without.median,
      ratioTo: "no runtime",
    }),
  ];
}
