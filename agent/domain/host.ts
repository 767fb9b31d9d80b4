/**
 * What the host is and what it consumes, as the host collector (agent/os/metrics) reports it. Counters are
 * cumulative since boot; rates and percentages cover the time since the previous sample of the same
 * `HostSampler`.
 */

/** Seconds a CPU spent in each mode since boot (/proc/stat, divided by USER_HZ). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export const CPU_MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

export interface CoreStatus {
  id: number;
  /** Busy share of this core since the previous sample, 0–100. */
  usagePercent: number;
  times: CpuTimes;
}

export interface DiskStatus {
  mountPoint: string;
  device: string;
  fsType: string;
  totalBytes: number;
  usedBytes: number;
  /** Free bytes an unprivileged user may still write (df's "Avail"). */
  availableBytes: number;
}

export interface InterfaceStatus {
  name: string;
  rxBytes: number;
  txBytes: number;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
}

export interface ProcessStatus {
  pid: number;
  command: string;
  /** CPU use since the previous sample in percent of one core (a busy 2-thread process shows 200). */
  cpuPercent: number;
  /** Resident set size. */
  memoryBytes: number;
  /** The job the process belongs to ("" when none). */
  jobId: string;
}

export interface HostStatus {
  /** Unix milliseconds. */
  time: number;
  hostname: string;
  /** PRETTY_NAME from /etc/os-release, e.g. "Debian GNU/Linux 12 (bookworm)". */
  os: string;
  /** Kernel release, e.g. "6.1.0-18-amd64". */
  kernel: string;
  uptimeSeconds: number;
  /** Busy share of all cores together since the previous sample, 0–100. */
  cpuPercent: number;
  cpuTimes: CpuTimes;
  cores: CoreStatus[];
  load1: number;
  load5: number;
  load15: number;
  memoryTotalBytes: number;
  /** Total minus available (what `free` calls used). */
  memoryUsedBytes: number;
  memoryAvailableBytes: number;
  swapTotalBytes: number;
  swapUsedBytes: number;
  disks: DiskStatus[];
  interfaces: InterfaceStatus[];
  processCount: number;
  /** The union of the top N processes by CPU and the top N by memory, busiest CPU first. */
  topProcesses: ProcessStatus[];
}

/** Samples host status; each sampler keeps its own previous reading, so rates cover its own interval. */
export interface HostSampler {
  /**
   * The host now. CPU, process and network rates cover the time since this sampler's previous call; the first
   * call (or the first asking for processes) takes a short extra reading to have something to compare with.
   * `top` = how many processes by CPU and by memory to include (0 = none, and no per-process reading).
   */
  sample(top: number): Promise<HostStatus>;
}

/** The host collector: one shared sampler for one-off requests, and new ones for streams and scrapes. */
export interface HostMonitor extends HostSampler {
  /** A sampler with its own baseline, for one watcher. */
  sampler(): HostSampler;
}
