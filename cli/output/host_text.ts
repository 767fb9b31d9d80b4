/**
 * Human and JSON output for `rnx monitor`: the host summary (status, watch) and the process tables (top).
 * JSON keys are snake_case and mirror proto/joblet.proto's HostStatus field names.
 */
import type { HostStatus, JobNow, ProcessInfo } from "../../proto/gen/joblet.ts";
import { shortId } from "../../agent/domain/job.ts";
import { humanBytes, humanDuration, localTime, rfc3339 } from "./format.ts";
import { renderTable } from "./table.ts";

const COMMAND_WIDTH = 60;
/** Cores per line in the summary. */
const CORES_PER_LINE = 8;

export function processToJson(p: ProcessInfo) {
  return {
    pid: p.pid,
    command: p.command,
    cpu_percent: round(p.cpuPercent),
    memory_bytes: p.memoryBytes,
    job_id: p.jobId || null,
  };
}

export function hostToJson(h: HostStatus) {
  return {
    time: rfc3339(h.timeUnixMs),
    hostname: h.hostname,
    os: h.os,
    kernel: h.kernel,
    uptime_seconds: h.uptimeSeconds,
    cpu_percent: round(h.cpuPercent),
    cores: h.cores.map((c) => ({ id: c.id, usage_percent: round(c.usagePercent) })),
    load1: h.load1,
    load5: h.load5,
    load15: h.load15,
    memory_total_bytes: h.memoryTotalBytes,
    memory_used_bytes: h.memoryUsedBytes,
    memory_available_bytes: h.memoryAvailableBytes,
    swap_total_bytes: h.swapTotalBytes,
    swap_used_bytes: h.swapUsedBytes,
    disks: h.disks.map((d) => ({
      mount_point: d.mountPoint,
      device: d.device,
      fs_type: d.fsType,
      total_bytes: d.totalBytes,
      used_bytes: d.usedBytes,
    })),
    interfaces: h.interfaces.map((n) => ({
      name: n.name,
      rx_bytes: n.rxBytes,
      tx_bytes: n.txBytes,
      rx_bytes_per_second: round(n.rxBytesPerSecond),
      tx_bytes_per_second: round(n.txBytesPerSecond),
    })),
    process_count: h.processCount,
    joblet_version: h.jobletVersion,
    cgroup_version: h.cgroupVersion,
    jobs: { ...h.jobs },
    top_processes: h.topProcesses.map(processToJson),
  };
}

/** `rnx monitor top --json`: the n busiest by CPU and the n largest by memory. */
export function topToJson(h: HostStatus, n: number) {
  return {
    time: rfc3339(h.timeUnixMs),
    process_count: h.processCount,
    by_cpu: byCpu(h.topProcesses).slice(0, n).map(processToJson),
    by_memory: byMemory(h.topProcesses).slice(0, n).map(processToJson),
    jobs: topJobs(h).slice(0, n).map((j) => ({
      id: j.id,
      name: j.name,
      cpu_percent: round(j.cpuPercent),
      memory_bytes: j.memoryBytes,
      pids: j.pids,
    })),
  };
}

/** Running jobs, busiest first (CPU, then memory). */
function topJobs(h: HostStatus): JobNow[] {
  return [...(h.topJobs ?? [])].sort((a, b) => b.cpuPercent - a.cpuPercent || b.memoryBytes - a.memoryBytes);
}

/** JOB, NAME, CPU%, MEM, PIDS. */
export function jobTable(jobs: JobNow[]): string {
  if (jobs.length === 0) return "  no running jobs\n";
  return renderTable(
    ["JOB", "NAME", "CPU%", "MEM", "PIDS"],
    jobs.map((
      j,
    ) => [shortId(j.id), j.name || "-", j.cpuPercent.toFixed(1), humanBytes(j.memoryBytes), String(j.pids)]),
  );
}

/** The summary `rnx monitor status` prints (and `watch` redraws). */
export function hostSummary(h: HostStatus, processes = 5): string {
  const cores = h.cores.map((c) => `cpu${c.id} ${pct(c.usagePercent)}`);
  const coreLines: string[] = [];
  for (let i = 0; i < cores.length; i += CORES_PER_LINE) {
    coreLines.push(cores.slice(i, i + CORES_PER_LINE).join("  "));
  }
  const pairs: [string, string][] = [
    ["Host", h.hostname],
    ["OS", h.os],
    ["Kernel", h.kernel],
    ["Uptime", humanDuration(h.uptimeSeconds * 1000)],
    ["CPU", `${pct(h.cpuPercent)} of ${h.cores.length} core${h.cores.length === 1 ? "" : "s"}`],
    ["Cores", coreLines.join("\n")],
    ["Load", `${h.load1.toFixed(2)} ${h.load5.toFixed(2)} ${h.load15.toFixed(2)} (1, 5, 15 min)`],
    [
      "Memory",
      usage(h.memoryUsedBytes, h.memoryTotalBytes) + `, ${humanBytes(h.memoryAvailableBytes)} available`,
    ],
    ["Swap", h.swapTotalBytes > 0 ? usage(h.swapUsedBytes, h.swapTotalBytes) : "none"],
    ["Processes", String(h.processCount)],
    ["Joblet", `${h.jobletVersion || "?"}${h.cgroupVersion ? ` (cgroup ${h.cgroupVersion})` : ""}`],
    ["Jobs", jobCounts(h.jobs)],
  ];
  const parts = [pairsBlock(pairs)];
  if (h.disks.length) {
    parts.push(renderTable(
      ["MOUNT", "DEVICE", "TYPE", "SIZE", "USED", "USE%"],
      h.disks.map((d) => [
        d.mountPoint,
        d.device,
        d.fsType,
        humanBytes(d.totalBytes),
        humanBytes(d.usedBytes),
        d.totalBytes > 0 ? pct(100 * d.usedBytes / d.totalBytes) : "-",
      ]),
    ));
  }
  if (h.interfaces.length) {
    parts.push(renderTable(
      ["INTERFACE", "RX", "TX", "RX RATE", "TX RATE"],
      h.interfaces.map((n) => [
        n.name,
        humanBytes(n.rxBytes),
        humanBytes(n.txBytes),
        rate(n.rxBytesPerSecond),
        rate(n.txBytesPerSecond),
      ]),
    ));
  }
  const top = byCpu(h.topProcesses).slice(0, processes);
  if (top.length) parts.push(processTable(top));
  return parts.join("\n");
}

/** PID, JOB (short id), CPU%, MEM, COMMAND. */
export function processTable(procs: ProcessInfo[]): string {
  return renderTable(
    ["PID", "JOB", "CPU%", "MEM", "COMMAND"],
    procs.map((p) => [
      String(p.pid),
      p.jobId ? shortId(p.jobId) : "-",
      p.cpuPercent.toFixed(1),
      humanBytes(p.memoryBytes),
      p.command || "-",
    ]),
    { maxWidths: { 4: COMMAND_WIDTH } },
  );
}

/** `rnx monitor top`: the n busiest by CPU, then the n largest by memory. */
export function topText(h: HostStatus, n: number): string {
  return [
    `Top processes at ${localTime(h.timeUnixMs)} (${h.processCount} in all)\n`,
    `By CPU:\n${processTable(byCpu(h.topProcesses).slice(0, n))}`,
    `By memory:\n${processTable(byMemory(h.topProcesses).slice(0, n))}`,
    `Jobs:\n${jobTable(topJobs(h).slice(0, n))}`,
  ].join("\n");
}

/** "2 running, 5 completed" in the agent's status order; "none" when empty. */
export function jobCounts(jobs: Record<string, number>): string {
  const parts = Object.entries(jobs).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s.toLowerCase()}`);
  return parts.length ? parts.join(", ") : "none";
}

function byCpu(p: ProcessInfo[]): ProcessInfo[] {
  return [...p].sort((a, b) => b.cpuPercent - a.cpuPercent || b.memoryBytes - a.memoryBytes);
}

function byMemory(p: ProcessInfo[]): ProcessInfo[] {
  return [...p].sort((a, b) => b.memoryBytes - a.memoryBytes || b.cpuPercent - a.cpuPercent);
}

function pairsBlock(pairs: [string, string][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length)) + 2;
  return pairs.map(([k, v]) => {
    const [first, ...rest] = v.split("\n");
    return [`${k}:`.padEnd(width) + first, ...rest.map((l) => " ".repeat(width) + l)].join("\n");
  }).join("\n") + "\n";
}

function usage(used: number, total: number): string {
  return `${humanBytes(used)} used of ${humanBytes(total)} (${total > 0 ? pct(100 * used / total) : "-"})`;
}

function pct(v: number): string {
  return `${v.toFixed(1)}%`;
}

function rate(bytesPerSecond: number): string {
  return `${humanBytes(Math.round(bytesPerSecond))}/s`;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
