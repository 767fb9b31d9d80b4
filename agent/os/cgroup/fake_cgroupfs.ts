/**
 * A fake cgroupfs for unit tests: a temp directory laid out like /sys/fs/cgroup (plus /proc/self/{mountinfo,
 * cgroup}), with the few kernel rules the drivers depend on acted out on write, so that a driver that breaks one
 * fails its test the way it would fail on a real kernel:
 *
 * - writing a pid to cgroup.procs moves it (out of every other cgroup of that hierarchy); ESRCH for unknown pids;
 * - v1 cpuset: attaching to a cgroup with empty cpuset.cpus or cpuset.mems fails with ENOSPC;
 * - v2: enabling a controller the cgroup does not offer fails (ENOENT), and a non-root cgroup cannot both hold
 *   processes and have controllers in cgroup.subtree_control (EBUSY either way round);
 * - cgroup.kill kills the cgroup's processes; cgroup.freeze updates cgroup.events;
 * - mkdir populates the control files; a v2 child's cgroup.controllers reads as its parent's subtree_control;
 * - rmdir fails with EBUSY while the cgroup has processes or children;
 * - limits: a new cgroup gets the control and stat files of its controllers (v2: only those enabled in the
 *   parent's subtree_control); io.max / blkio.throttle.*_bps_device take one "MAJ:MIN …" line per write, merge
 *   per device and refuse a device missing from /sys/block (ENODEV); v1 memory.memsw.limit_in_bytes below
 *   memory.limit_in_bytes is EINVAL.
 *
 * Every write is recorded in `writes`, every signal in `signals`. Only tests import this file.
 */
import { parsePids } from "./common.ts";
import { type CgroupFs, hostFs } from "./fs.ts";

export interface FakeMount {
  mountPoint: string;
  version: "v1" | "v2";
  /** v1: the controllers of the hierarchy; v2: those the root offers. */
  controllers: string[];
  /** v2: whether cgroup.kill exists (kernel ≥ 5.14). */
  cgroupKill?: boolean;
}

export class FakeCgroupFs implements CgroupFs {
  readonly writes: [string, string][] = [];
  readonly signals: [number, Deno.Signal][] = [];
  /** pid → how many more SIGKILLs it survives (Infinity: a task stuck in D state). */
  readonly survives = new Map<number, number>();
  readonly #host: CgroupFs;
  readonly #alive = new Set<number>();

  constructor(readonly root: string, readonly mounts: FakeMount[]) {
    this.#host = hostFs(root);
  }

  /** Writes a file for the test's set-up (creating parent directories), outside the kernel rules. */
  put(path: string, text: string): this {
    const full = this.root + path;
    Deno.mkdirSync(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(full, text);
    for (const pid of path.endsWith("/cgroup.procs") ? parsePids(text) : []) this.#alive.add(pid);
    return this;
  }

  /** A process exists (outside any cgroup the test looks at) and may be attached. */
  spawn(pid: number): this {
    this.#alive.add(pid);
    return this;
  }

  procs(dir: string): number[] {
    return parsePids(this.read(`${dir}/cgroup.procs`));
  }

  /** A Kill for the driver: records, and SIGKILL removes the process from every cgroup. */
  readonly kill = (pid: number, signal: Deno.Signal): void => {
    this.signals.push([pid, signal]);
    if (!this.#alive.has(pid)) throw new Deno.errors.NotFound("ESRCH: No such process");
    if (signal !== "SIGKILL") return;
    const left = this.survives.get(pid) ?? 0;
    if (left > 0) {
      this.survives.set(pid, left - 1);
      return;
    }
    this.#alive.delete(pid);
    for (const m of this.mounts) this.#removeEverywhere(m.mountPoint, pid);
  };

  read(path: string): string | undefined {
    // A v2 child's cgroup.controllers is whatever its parent enables in cgroup.subtree_control, live.
    const dir = path.slice(0, path.lastIndexOf("/"));
    if (
      path.endsWith("/cgroup.controllers") && this.#mountOf(dir)?.version === "v2" && this.#isNonRootV2(dir)
    ) {
      return this.#host.read(`${dir.slice(0, dir.lastIndexOf("/"))}/cgroup.subtree_control`);
    }
    return this.#host.read(path);
  }

  exists(path: string): boolean {
    return this.#host.exists(path);
  }

  subdirs(path: string): string[] {
    return this.#host.subdirs(path);
  }

  entries(path: string): string[] {
    return this.#host.entries(path);
  }

  /** A block device as /sys/block shows it. */
  disk(name: string, dev: string, sectors: number): this {
    return this.put(`/sys/block/${name}/dev`, `${dev}\n`).put(`/sys/block/${name}/size`, `${sectors}\n`);
  }

  write(path: string, data: string): void {
    this.writes.push([path, data]);
    const dir = path.slice(0, path.lastIndexOf("/"));
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (!this.exists(dir)) throw errno("ENOENT", path);
    const mount = this.#mountOf(dir);
    if (name === "cgroup.procs") return this.#attach(mount, dir, Number(data.trim()));
    if (name === "cgroup.subtree_control" && mount?.version === "v2") return this.#subtree(dir, data.trim());
    if (name === "cgroup.kill" && mount?.cgroupKill) {
      for (const pid of this.#pidsBeneath(dir)) this.kill(pid, "SIGKILL");
      return;
    }
    if (name === "cgroup.freeze" && mount?.version === "v2") {
      this.#host.write(`${dir}/cgroup.events`, `populated 1\nfrozen ${data.trim()}\n`);
    }
    if (!this.exists(path) && mount) throw errno("ENOENT", path); // cgroupfs files cannot be created
    if (
      name === "io.max" || name === "blkio.throttle.read_bps_device" ||
      name === "blkio.throttle.write_bps_device"
    ) {
      return this.#deviceRule(path, data.trim(), name === "io.max");
    }
    if (name === "memory.memsw.limit_in_bytes") {
      const limit = Number((this.read(`${dir}/memory.limit_in_bytes`) ?? "").trim());
      if (Number(data.trim()) < limit) throw errno("EINVAL", path);
    }
    Deno.writeTextFileSync(this.root + path, data);
  }

  mkdir(path: string): boolean {
    if (!this.#host.mkdir(path)) return false;
    const mount = this.#mountOf(path);
    const files: Record<string, string> = { "cgroup.procs": "" };
    if (mount?.version === "v1") {
      for (const c of mount.controllers) Object.assign(files, V1_FILES[c] ?? {});
      if (this.noMemsw) delete files["memory.memsw.limit_in_bytes"];
    } else if (mount?.version === "v2") {
      files["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\n";
      for (const c of this.#words(`${parent(path)}/cgroup.subtree_control`)) {
        Object.assign(files, V2_FILES[c] ?? {});
      }
      Object.assign(files, {
        "cgroup.type": "domain\n",
        "cgroup.subtree_control": "",
        "cgroup.freeze": "0\n",
        "cgroup.events": "populated 0\nfrozen 0\n",
      });
      if (mount.cgroupKill) files["cgroup.kill"] = "";
    }
    for (const [file, text] of Object.entries(files)) {
      Deno.writeTextFileSync(`${this.root}${path}/${file}`, text);
    }
    return true;
  }

  rmdir(path: string): void {
    if (!this.exists(path)) throw errno("ENOENT", path);
    if (this.subdirs(path).length > 0 || this.procs(path).length > 0) throw errno("EBUSY", path);
    Deno.removeSync(this.root + path, { recursive: true });
  }

  /** v1 without swap accounting: no memory.memsw.* files. */
  noMemsw = false;

  #deviceRule(path: string, line: string, v2: boolean): void {
    const [dev, ...rest] = line.split(/\s+/);
    if (!/^\d+:\d+$/.test(dev) || rest.length === 0) throw errno("EINVAL", path);
    const known = this.entries("/sys/block").some((n) =>
      (this.#host.read(`/sys/block/${n}/dev`) ?? "").trim() === dev
    );
    if (!known) throw errno("ENODEV", path);
    const rules = new Map<string, string>();
    for (const l of (this.read(path) ?? "").split("\n").filter((l) => l.trim() !== "")) {
      rules.set(l.split(" ")[0], l.slice(l.indexOf(" ") + 1));
    }
    const value = rest.join(" ");
    const unlimited = v2 ? /^(rbps=max wbps=max riops=max wiops=max)$/.test(value) : value === "0";
    if (unlimited) rules.delete(dev);
    else rules.set(dev, value);
    this.#host.write(path, [...rules].map(([d, v]) => `${d} ${v}\n`).join(""));
  }

  #mountOf(dir: string): FakeMount | undefined {
    return this.mounts.find((m) => dir === m.mountPoint || dir.startsWith(m.mountPoint + "/"));
  }

  #attach(mount: FakeMount | undefined, dir: string, pid: number): void {
    const path = `${dir}/cgroup.procs`;
    if (!this.#alive.has(pid)) throw errno("ESRCH", path);
    if (mount?.version === "v1" && mount.controllers.includes("cpuset")) {
      const empty = ["cpuset.cpus", "cpuset.mems"].some((f) =>
        (this.read(`${dir}/${f}`) ?? "").trim() === ""
      );
      if (empty) throw errno("ENOSPC", path);
    }
    if (
      mount?.version === "v2" && this.#isNonRootV2(dir) && this.#words(`${dir}/cgroup.subtree_control`).length
    ) {
      throw errno("EBUSY", path);
    }
    if (mount) this.#removeEverywhere(mount.mountPoint, pid);
    this.#host.write(path, [...this.procs(dir), pid].map((p) => `${p}\n`).join(""));
  }

  #subtree(dir: string, data: string): void {
    const path = `${dir}/cgroup.subtree_control`;
    const enabled = new Set(this.#words(path));
    for (const token of data.split(/\s+/)) {
      const c = token.slice(1);
      if (!this.#words(`${dir}/cgroup.controllers`).includes(c)) throw errno("ENOENT", path);
      if (token.startsWith("+")) enabled.add(c);
      else enabled.delete(c);
    }
    if (this.#isNonRootV2(dir) && this.procs(dir).length > 0) throw errno("EBUSY", path);
    this.#host.write(path, [...enabled].join(" ") + "\n");
  }

  #isNonRootV2(dir: string): boolean {
    return this.exists(`${dir}/cgroup.type`);
  }

  #words(path: string): string[] {
    return (this.read(path) ?? "").split(/\s+/).filter((w) => w !== "");
  }

  #pidsBeneath(dir: string): number[] {
    return [...this.procs(dir), ...this.subdirs(dir).flatMap((d) => this.#pidsBeneath(`${dir}/${d}`))];
  }

  #removeEverywhere(dir: string, pid: number): void {
    const procs = this.procs(dir);
    if (procs.includes(pid)) {
      this.#host.write(`${dir}/cgroup.procs`, procs.filter((p) => p !== pid).map((p) => `${p}\n`).join(""));
    }
    for (const d of this.subdirs(dir)) this.#removeEverywhere(`${dir}/${d}`, pid);
  }
}

function parent(dir: string): string {
  return dir.slice(0, dir.lastIndexOf("/"));
}

/** Files a new v1 cgroup of each hierarchy has (the ones the driver writes or reads). */
const V1_FILES: Record<string, Record<string, string>> = {
  cpu: {
    "cpu.cfs_period_us": "100000\n",
    "cpu.cfs_quota_us": "-1\n",
    "cpu.stat": "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n",
  },
  cpuacct: { "cpuacct.usage": "0\n" },
  cpuset: { "cpuset.cpus": "", "cpuset.mems": "" },
  memory: {
    "memory.limit_in_bytes": "9223372036854771712\n",
    "memory.memsw.limit_in_bytes": "9223372036854771712\n",
    "memory.usage_in_bytes": "0\n",
    "memory.max_usage_in_bytes": "0\n",
    "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n",
  },
  blkio: {
    "blkio.throttle.read_bps_device": "",
    "blkio.throttle.write_bps_device": "",
    "blkio.throttle.io_service_bytes_recursive": "Total 0\n",
  },
  pids: { "pids.max": "max\n", "pids.current": "0\n" },
  freezer: { "freezer.state": "THAWED\n" },
};

/** Files a new v2 cgroup has for each controller enabled in its parent's subtree_control. */
const V2_FILES: Record<string, Record<string, string>> = {
  cpu: { "cpu.max": "max 100000\n" },
  cpuset: { "cpuset.cpus": "", "cpuset.mems": "" },
  memory: {
    "memory.max": "max\n",
    "memory.swap.max": "max\n",
    "memory.oom.group": "0\n",
    "memory.current": "0\n",
    "memory.peak": "0\n",
    "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
  },
  io: { "io.max": "", "io.stat": "" },
  pids: { "pids.max": "max\n", "pids.current": "0\n" },
};

function errno(name: string, path: string): Error {
  return Object.assign(new Error(`${name}: fake cgroupfs refused ${path}`), { code: name });
}

// ------------------------------------------------------------------------------------------- ready-made hosts

const V1_HOST_CONTROLLERS = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids"];
export const FAKE_AGENT_PID = 4242;
export const FAKE_MEMORY_PATH = "/process_api/3f05";

/**
 * Our build machine's layout: v1 hybrid, cpu and cpuacct separate, the agent's memory cgroup nested at
 * /process_api/3f05 and every other at "/", an unified cgroup2 mount without controllers.
 */
export function fakeV1Host(root: string): FakeCgroupFs {
  const mounts: FakeMount[] = V1_HOST_CONTROLLERS.map((c) => ({
    mountPoint: `/sys/fs/cgroup/${c}`,
    version: "v1",
    controllers: [c],
  }));
  const fake = new FakeCgroupFs(root, mounts);
  const lines = mounts.map((m, i) =>
    `${32 + i} 31 0:${29 + i} / ${m.mountPoint} rw,relatime - cgroup cgroup rw,${m.controllers[0]}`
  );
  fake.put(
    "/proc/self/mountinfo",
    [
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
      ...lines,
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
      "",
    ].join("\n"),
  );
  fake.put(
    "/proc/self/cgroup",
    V1_HOST_CONTROLLERS.map((c, i) => `${i + 1}:${c}:${c === "memory" ? FAKE_MEMORY_PATH : "/"}`).join("\n") +
      "\n0::/\n",
  );
  for (const c of V1_HOST_CONTROLLERS) {
    const agentDir = `/sys/fs/cgroup/${c}${c === "memory" ? FAKE_MEMORY_PATH : ""}`;
    fake.put(`${agentDir}/cgroup.procs`, `${FAKE_AGENT_PID}\n`);
  }
  fake.put("/sys/fs/cgroup/cpuset/cpuset.cpus", "0-1\n").put("/sys/fs/cgroup/cpuset/cpuset.mems", "0\n");
  fake.put("/sys/fs/cgroup/unified/cgroup.controllers", "hugetlb\n");
  return addDisks(fake);
}

/** Like our build machine: one disk in use, a detached loop device and an unused zram (both size 0). */
function addDisks(fake: FakeCgroupFs): FakeCgroupFs {
  return fake.disk("vda", "254:0", 536870912).disk("loop0", "7:0", 0).disk("zram0", "253:0", 0)
    .disk("nvme0n1", "259:0", 1000);
}

export const V2_ROOT_CONTROLLERS = ["cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"];

/**
 * A pure cgroup v2 host. `agentPath` "/" puts the agent in the root cgroup (as vmrun does); otherwise every
 * ancestor delegates all controllers (as systemd with Delegate=yes) and the agent's cgroup holds `pids`.
 */
export function fakeV2Host(
  root: string,
  opts: { agentPath: string; pids?: number[]; cgroupKill?: boolean; offered?: string[] },
): FakeCgroupFs {
  const mountPoint = "/sys/fs/cgroup";
  const fake = new FakeCgroupFs(root, [{
    mountPoint,
    version: "v2",
    controllers: V2_ROOT_CONTROLLERS,
    cgroupKill: opts.cgroupKill ?? true,
  }]);
  fake.put(
    "/proc/self/mountinfo",
    `30 25 0:26 / ${mountPoint} rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n`,
  );
  fake.put("/proc/self/cgroup", `0::${opts.agentPath}\n`);
  const offered = (opts.offered ?? V2_ROOT_CONTROLLERS).join(" ") + "\n";
  fake.put(`${mountPoint}/cgroup.controllers`, V2_ROOT_CONTROLLERS.join(" ") + "\n");
  fake.put(`${mountPoint}/cgroup.subtree_control`, opts.agentPath === "/" ? "" : offered);
  fake.put(`${mountPoint}/cgroup.procs`, "1\n");
  let dir = mountPoint;
  for (const part of opts.agentPath.split("/").filter((p) => p !== "")) {
    dir = `${dir}/${part}`;
    fake.put(`${dir}/cgroup.type`, "domain\n").put(`${dir}/cgroup.controllers`, offered);
    fake.put(`${dir}/cgroup.subtree_control`, "").put(`${dir}/cgroup.procs`, "");
    fake.put(`${dir}/cgroup.freeze`, "0\n").put(`${dir}/cgroup.events`, "populated 0\nfrozen 0\n");
    if (opts.cgroupKill ?? true) fake.put(`${dir}/cgroup.kill`, "");
  }
  // Intermediate cgroups delegate to the next level; the agent's own cgroup holds its processes.
  let up = mountPoint;
  const parts = opts.agentPath.split("/").filter((p) => p !== "");
  for (const part of parts.slice(0, -1)) {
    up = `${up}/${part}`;
    fake.put(`${up}/cgroup.subtree_control`, offered);
  }
  fake.put(`${dir}/cgroup.procs`, (opts.pids ?? [FAKE_AGENT_PID]).map((p) => `${p}\n`).join(""));
  return addDisks(fake);
}
