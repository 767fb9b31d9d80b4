/**
 * The cgroup driver on the real kernel: v1 on our build machines, v2 under ../shared/tools/vmrun.
 * Each run uses its own namespace (joblet-it-<pid>) beneath the test process's own cgroup and removes it.
 */
import { assert, assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import type { CgroupDriver } from "../../agent/core/ports.ts";
import { createCgroupDriver, hostFs, readLayout } from "../../agent/os/cgroup/mod.ts";
import { NO_LIMITS } from "../../agent/domain/limits.ts";
import { parseProcCgroup } from "../../agent/os/cgroup/detect.ts";

const NS = `joblet-it-${Deno.pid}`;
const needs = skip("root", "cgroup");

/** Where job cgroups must go: <the test process's cgroup>/<NS>, per hierarchy; read before any driver moves us. */
const before = needs ? undefined : readLayout(hostFs(), NS);
const agentDirs = !before
  ? []
  : before.version === "v1"
  ? before.v1.map((h) => h.agentDir)
  : [before.v2!.agentDir];
const selfCgroup = needs ? [] : parseProcCgroup(Deno.readTextFileSync("/proc/self/cgroup"));

function driver(): CgroupDriver {
  return createCgroupDriver({ namespace: NS });
}

function removeNamespace() {
  for (const dir of agentDirs) {
    try {
      Deno.removeSync(`${dir}/${NS}`);
    } catch { /* not there, or a job is left: the assertions say which */ }
  }
}

async function spawnInJob(d: CgroupDriver, jobId: string, script: string) {
  const job = d.create(jobId, NO_LIMITS);
  // `read` holds the shell until it is inside the cgroup, so everything it forks is born there.
  const child = new Deno.Command("sh", { args: ["-c", `read go; ${script}`], stdin: "piped" }).spawn();
  job.addProcess(child.pid);
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode("go\n"));
  await w.close();
  return { job, child };
}

async function waitFor(what: string, cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function gone(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.startsWith("Z") ?? true;
  } catch {
    return true;
  }
}

Deno.test({
  name:
    "a spawned process added to a job cgroup is listed by pids() and its /proc/<pid>/cgroup shows the job",
  ignore: needs,
  async fn() {
    const d = driver();
    const { job, child } = await spawnInJob(d, "job-a", "exec sleep 100");
    try {
      assertEquals(job.pids(), [child.pid]);
      const lines = parseProcCgroup(Deno.readTextFileSync(`/proc/${child.pid}/cgroup`));
      const ours = d.version === "v2"
        ? lines.filter((l) => l.hierarchyId === 0)
        : lines.filter((l) => before!.v1.some((h) => l.controllers.includes(h.controllers[0])));
      assert(ours.length >= 1, "the job is in at least one of our hierarchies");
      for (const l of ours) {
        const self = selfCgroup.find((s) => s.hierarchyId === l.hierarchyId)!.path;
        assertEquals(
          l.path,
          `${self === "/" ? "" : self}/${NS}/job-a`,
          `hierarchy ${l.controllers.join(",")}`,
        );
      }
      console.log(`${d.version}: job cgroup paths: ${ours.map((l) => l.path).join(" ")}`);
    } finally {
      await job.killAll();
      await child.status;
      await job.destroy();
      removeNamespace();
    }
  },
});

Deno.test({
  name: "killAll() leaves nothing of a job that forked 20 sleep children, and destroy() removes its dirs",
  ignore: needs,
  async fn() {
    const d = driver();
    const { job, child } = await spawnInJob(d, "job-b", "for i in $(seq 20); do sleep 100 & done; wait");
    try {
      await waitFor("21 processes in the job", () => job.pids().length === 21);
      const pids = job.pids();
      const t0 = performance.now();
      await job.killAll();
      const killMs = performance.now() - t0;
      assertEquals(job.pids(), []);
      await child.status;
      await waitFor("every pid to be gone", () => pids.every(gone));
      const t1 = performance.now();
      await job.destroy();
      const destroyMs = performance.now() - t1;
      for (const dir of agentDirs) assert(!exists(`${dir}/${NS}/job-b`), `${dir}/${NS}/job-b removed`);
      assertEquals(d.open("job-b"), undefined);
      assertEquals(d.list(), []);
      console.log(
        `${d.version}: killAll() of 21 processes took ${killMs.toFixed(1)} ms, destroy() ${
          destroyMs.toFixed(1)
        } ms`,
      );
    } finally {
      await job.killAll().catch(() => {});
      await job.destroy().catch(() => {});
      removeNamespace();
    }
  },
});

Deno.test({
  name: "namespace dirs exist only beneath the agent's own cgroup, and a second driver reuses them",
  ignore: needs,
  async fn() {
    const first = driver();
    const second = driver(); // the same process again: on v2 it now starts from the leaf
    const a = first.create("job-c", NO_LIMITS);
    const b = second.create("job-d", NO_LIMITS);
    try {
      assertEquals(second.list(), ["job-c", "job-d"]);
      const mounts = before!.version === "v1"
        ? before!.v1.map((h) => h.mountPoint)
        : [before!.v2!.mountPoint];
      const found = mounts.flatMap((m) => findDirs(m, NS, 5)).sort();
      assertEquals(found, agentDirs.map((dir) => `${dir}/${NS}`).sort());
      if (first.version === "v2") {
        const self = parseProcCgroup(Deno.readTextFileSync("/proc/self/cgroup"))[0].path;
        const isRoot = before!.v2!.agentPath === "/";
        // In the root cgroup the agent may stay; anywhere else it now lives in the leaf.
        assertEquals(self, isRoot ? "/" : `${before!.v2!.agentPath}/${NS}-agent`);
        console.log(`v2: agent cgroup ${before!.v2!.agentPath}, now in ${self}`);
      }
    } finally {
      await a.destroy();
      await b.destroy();
      removeNamespace();
    }
  },
});

Deno.test({
  name: "v2 killAll() on a kernel without cgroup.kill (before 5.14) freezes, kills and thaws until empty",
  ignore: skip("root", "cgroup2"),
  async fn() {
    // The real cgroupfs, with cgroup.kill hidden to take the freezer path of older kernels.
    const real = hostFs();
    const d = createCgroupDriver({
      namespace: NS,
      fs: { ...real, exists: (p) => !p.endsWith("/cgroup.kill") && real.exists(p) },
    });
    const { job, child } = await spawnInJob(d, "job-e", "for i in $(seq 20); do sleep 100 & done; wait");
    try {
      await waitFor("21 processes in the job", () => job.pids().length === 21);
      const t0 = performance.now();
      await job.killAll();
      console.log(
        `v2 freezer path: killAll() of 21 processes took ${(performance.now() - t0).toFixed(1)} ms`,
      );
      assertEquals(job.pids(), []);
      await child.status;
      assertEquals(Deno.readTextFileSync(`${agentDirs[0]}/${NS}/job-e/cgroup.freeze`).trim(), "0");
    } finally {
      await job.killAll().catch(() => {});
      await job.destroy().catch(() => {});
      removeNamespace();
    }
  },
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function findDirs(dir: string, name: string, depth: number): string[] {
  if (depth === 0) return [];
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (!e.isDirectory) continue;
    if (e.name === name) out.push(`${dir}/${e.name}`);
    else out.push(...findDirs(`${dir}/${e.name}`, name, depth - 1));
  }
  return out;
}
