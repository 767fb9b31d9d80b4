/**
 * Reads the host's counters from /proc, /sys-backed files and /etc/os-release — no external commands. Every
 * path is rooted at `procRoot` so a test can point it at a directory of fixtures. One reading is a snapshot;
 * rates come from comparing two (see compose.ts).
 */
import type { DiskStatus } from "../../domain/host.ts";
import { type CpuStat, parseCpuStat, USER_HZ } from "./cpu_stat.ts";
import { type MemoryInfo, parseMeminfo } from "./meminfo.ts";
import { parseMountinfo, realFilesystems } from "./mountinfo.ts";
import { type NetCounters, parseNetDev } from "./net_dev.ts";
import { jobIdFromCgroup, parseCmdline, parsePidStat, type PidStat } from "./process.ts";
import { type LoadAverage, parseLoadavg, parseOsRelease, parseUptime } from "./system_info.ts";
import type { FsSize } from "./statvfs.ts";

/** Longest command line reported for a process (the rest is cut). */
const MAX_COMMAND = 512;

export interface HostReading {
  /** Unix ms, for the report. */
  time: number;
  /** Monotonic ms (performance.now), for rates. */
  mono: number;
  hostname: string;
  os: string;
  kernel: string;
  uptimeSeconds: number;
  /** Seconds since boot with sub-second precision, in USER_HZ ticks (to compare with process start times). */
  bootTicks: number;
  cpu: CpuStat;
  load: LoadAverage;
  memory: MemoryInfo;
  disks: DiskStatus[];
  net: NetCounters[];
  processCount: number;
  /** Present when the reading was asked to include processes. */
  procs?: PidStat[];
}

export interface HostReaderOptions {
  /** Default "/proc". */
  procRoot?: string;
  /** Default /etc/os-release, then /usr/lib/os-release. */
  osReleasePaths?: string[];
  /** Filesystem sizes (FFI statvfs in production). */
  statvfs: (path: string) => FsSize;
  pageSize: number;
  /** The cgroup namespace job cgroups live under (default "joblet"). */
  cgroupNamespace?: string;
}

export class HostReader {
  readonly pageSize: number;
  private readonly proc: string;
  private os?: string;

  constructor(private readonly opts: HostReaderOptions) {
    this.proc = opts.procRoot ?? "/proc";
    this.pageSize = opts.pageSize;
  }

  async read(withProcesses: boolean): Promise<HostReading> {
    const p = (rel: string) => `${this.proc}/${rel}`;
    const [stat, loadavg, meminfo, uptime, netDev, hostname, kernel, mountinfo] = await Promise.all([
      text(p("stat")),
      text(p("loadavg")),
      text(p("meminfo")),
      text(p("uptime")),
      text(p("net/dev")),
      text(p("sys/kernel/hostname")),
      text(p("sys/kernel/osrelease")),
      text(p("self/mountinfo")),
    ]);
    const pids = await this.pids();
    const uptimeExact = Number(uptime.trim().split(/\s+/)[0]);
    return {
      time: Date.now(),
      mono: performance.now(),
      hostname: hostname.trim(),
      os: await this.osName(),
      kernel: kernel.trim(),
      uptimeSeconds: parseUptime(uptime),
      bootTicks: uptimeExact * USER_HZ,
      cpu: parseCpuStat(stat),
      load: parseLoadavg(loadavg),
      memory: parseMeminfo(meminfo),
      disks: this.disks(mountinfo),
      net: parseNetDev(netDev),
      processCount: pids.length,
      procs: withProcesses ? await this.pidStats(pids) : undefined,
    };
  }

  /** The command line and job of one process ("" and "" when it has gone). */
  async describe(pid: number): Promise<{ command: string; jobId: string }> {
    const [cmdline, cgroup] = await Promise.all([
      text(`${this.proc}/${pid}/cmdline`).catch(() => ""),
      text(`${this.proc}/${pid}/cgroup`).catch(() => ""),
    ]);
    return {
      command: parseCmdline(cmdline).slice(0, MAX_COMMAND),
      jobId: jobIdFromCgroup(cgroup, this.opts.cgroupNamespace),
    };
  }

  private async osName(): Promise<string> {
    if (this.os === undefined) {
      this.os = "Linux";
      for (const path of this.opts.osReleasePaths ?? ["/etc/os-release", "/usr/lib/os-release"]) {
        const t = await text(path).catch(() => undefined);
        if (t !== undefined) {
          this.os = parseOsRelease(t);
          break;
        }
      }
    }
    return this.os;
  }

  private disks(mountinfo: string): DiskStatus[] {
    const out: DiskStatus[] = [];
    for (const m of realFilesystems(parseMountinfo(mountinfo))) {
      try {
        const size = this.opts.statvfs(m.mountPoint);
        out.push({ mountPoint: m.mountPoint, device: m.device, fsType: m.fsType, ...size });
      } catch {
        // Not readable by us (EACCES) or unmounted since we read mountinfo: leave it out of this reading.
      }
    }
    return out;
  }

  private async pids(): Promise<number[]> {
    const out: number[] = [];
    for await (const e of Deno.readDir(this.proc)) {
      if (e.isDirectory && /^\d+$/.test(e.name)) out.push(Number(e.name));
    }
    return out;
  }

  private async pidStats(pids: number[]): Promise<PidStat[]> {
    const stats = await Promise.all(
      pids.map((pid) => text(`${this.proc}/${pid}/stat`).then(parsePidStat, () => undefined)),
    );
    // A process that exited between readdir and the read is simply absent.
    return stats.filter((s): s is PidStat => s !== undefined);
  }
}

function text(path: string): Promise<string> {
  return Deno.readTextFile(path);
}
