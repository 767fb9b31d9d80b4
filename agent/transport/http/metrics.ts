/**
 * What joblet exposes to Prometheus: build info, job counts, host gauges and counters (node-exporter-like
 * names under `joblet_host_`), and per-job series labelled `{job_id, job_name}` for running jobs that have a
 * sample. The host part is absent when no host status could be read.
 */
import { CPU_MODES, type HostStatus } from "../../domain/host.ts";
import { JOB_STATUSES } from "../../domain/job.ts";
import type { JobMetricsView } from "../../domain/metrics.ts";
import { Exposition, type Labels } from "./exposition.ts";

export interface BuildInfo {
  version: string;
  apiVersion: string;
  cgroupVersion: string;
}

export function renderMetrics(host: HostStatus | undefined, jobs: JobMetricsView, info: BuildInfo): string {
  const e = new Exposition();
  e.family("joblet_build_info", "gauge", "Always 1; labels carry the agent's version.", [[{
    version: info.version,
    api_version: info.apiVersion,
    cgroup_version: info.cgroupVersion,
  }, 1]]);
  const counts = jobs.counts();
  const statuses = [...new Set([...JOB_STATUSES, ...Object.keys(counts)])];
  e.family(
    "joblet_jobs",
    "gauge",
    "Jobs known to the agent, by status.",
    statuses.map((s) => [{ status: s }, counts[s] ?? 0]),
  );
  if (host) hostMetrics(e, host);
  jobMetrics(e, jobs);
  return e.text();
}

function hostMetrics(e: Exposition, h: HostStatus): void {
  e.single("joblet_host_uptime_seconds", "gauge", "Seconds since the host booted.", h.uptimeSeconds);
  e.single("joblet_host_cpus", "gauge", "CPU cores the host has online.", h.cores.length);
  e.family(
    "joblet_host_cpu_seconds_total",
    "counter",
    "Seconds each CPU spent in each mode since boot (/proc/stat).",
    h.cores.flatMap((c) =>
      CPU_MODES.map((mode): [Labels, number] => [{ cpu: String(c.id), mode }, c.times[mode]])
    ),
  );
  e.single(
    "joblet_host_cpu_usage_ratio",
    "gauge",
    "Busy share of all CPUs together (0-1) since the previous scrape.",
    h.cpuPercent / 100,
  );
  e.single("joblet_host_load1", "gauge", "1-minute load average.", h.load1);
  e.single("joblet_host_load5", "gauge", "5-minute load average.", h.load5);
  e.single("joblet_host_load15", "gauge", "15-minute load average.", h.load15);
  e.single("joblet_host_memory_total_bytes", "gauge", "Physical memory (MemTotal).", h.memoryTotalBytes);
  e.single(
    "joblet_host_memory_available_bytes",
    "gauge",
    "Memory available for new work without swapping (MemAvailable).",
    h.memoryAvailableBytes,
  );
  e.single("joblet_host_memory_used_bytes", "gauge", "MemTotal minus MemAvailable.", h.memoryUsedBytes);
  e.single("joblet_host_swap_total_bytes", "gauge", "Swap space (SwapTotal).", h.swapTotalBytes);
  e.single("joblet_host_swap_used_bytes", "gauge", "SwapTotal minus SwapFree.", h.swapUsedBytes);
  const fs = (d: HostStatus["disks"][number]): Labels => ({
    mountpoint: d.mountPoint,
    device: d.device,
    fstype: d.fsType,
  });
  e.family(
    "joblet_host_filesystem_size_bytes",
    "gauge",
    "Size of each local filesystem.",
    h.disks.map((d) => [fs(d), d.totalBytes]),
  );
  e.family(
    "joblet_host_filesystem_used_bytes",
    "gauge",
    "Bytes used on each local filesystem.",
    h.disks.map((d) => [fs(d), d.usedBytes]),
  );
  e.family(
    "joblet_host_filesystem_avail_bytes",
    "gauge",
    "Bytes an unprivileged user may still write on each local filesystem.",
    h.disks.map((d) => [fs(d), d.availableBytes]),
  );
  e.family(
    "joblet_host_network_receive_bytes_total",
    "counter",
    "Bytes received per network interface (/proc/net/dev).",
    h.interfaces.map((n) => [{ device: n.name }, n.rxBytes]),
  );
  e.family(
    "joblet_host_network_transmit_bytes_total",
    "counter",
    "Bytes sent per network interface (/proc/net/dev).",
    h.interfaces.map((n) => [{ device: n.name }, n.txBytes]),
  );
  e.single("joblet_host_processes", "gauge", "Processes on the host.", h.processCount);
}

function jobMetrics(e: Exposition, jobs: JobMetricsView): void {
  const sampled = jobs.running().flatMap((j) =>
    j.sample ? [{ labels: { job_id: j.id, job_name: j.name }, s: j.sample }] : []
  );
  const fam = (
    name: string,
    type: "counter" | "gauge",
    help: string,
    value: (s: (typeof sampled)[number]["s"]) => number,
  ) => e.family(name, type, help, sampled.map((j) => [j.labels, value(j.s)]));
  fam("joblet_job_cpu_seconds_total", "counter", "CPU time a running job has used.", (s) => s.cpuSeconds);
  fam(
    "joblet_job_cpu_throttled_seconds_total",
    "counter",
    "Time a running job was held back by its CPU limit.",
    (s) => s.cpuThrottledUs / 1e6,
  );
  fam("joblet_job_memory_bytes", "gauge", "Memory a running job uses now.", (s) => s.memoryBytes);
  fam(
    "joblet_job_memory_peak_bytes",
    "gauge",
    "Most memory a running job has used.",
    (s) => s.memoryPeakBytes,
  );
  fam(
    "joblet_job_io_read_bytes_total",
    "counter",
    "Bytes a running job has read from block devices.",
    (s) => s.ioReadBytes,
  );
  fam(
    "joblet_job_io_write_bytes_total",
    "counter",
    "Bytes a running job has written to block devices.",
    (s) => s.ioWriteBytes,
  );
  fam("joblet_job_pids", "gauge", "Processes and threads in a running job.", (s) => s.pids);
}
