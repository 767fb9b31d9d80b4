/** Two readings → one HostStatus: counters from the newer, percentages and rates from the difference. */
import type { HostStatus } from "../../domain/host.ts";
import { busyPercent } from "./cpu_stat.ts";
import { ratePerSecond } from "./net_dev.ts";
import { processDeltas, topProcesses } from "./process.ts";
import type { HostReading } from "./reader.ts";

/**
 * `top` > 0 needs both readings to include processes; the result's processes then carry comm as their command
 * and no job id (the sampler fills both for the few it reports).
 */
export function composeStatus(
  prev: HostReading,
  cur: HostReading,
  top: number,
  pageSize: number,
): HostStatus {
  const seconds = Math.max(0, (cur.mono - prev.mono) / 1000);
  const prevCores = new Map(prev.cpu.cores.map((c) => [c.id, c.times]));
  const prevNet = new Map(prev.net.map((n) => [n.name, n]));
  let tops: HostStatus["topProcesses"] = [];
  if (top > 0 && prev.procs && cur.procs) {
    const before = new Map(prev.procs.map((p) => [p.pid, p]));
    const deltas = processDeltas(before, cur.procs, seconds, pageSize, cur.bootTicks);
    tops = topProcesses(deltas, top).map((d) => ({
      pid: d.pid,
      command: d.comm,
      cpuPercent: d.cpuPercent,
      memoryBytes: d.memoryBytes,
      jobId: "",
    }));
  }
  return {
    time: cur.time,
    hostname: cur.hostname,
    os: cur.os,
    kernel: cur.kernel,
    uptimeSeconds: cur.uptimeSeconds,
    cpuPercent: busyPercent(prev.cpu.total, cur.cpu.total),
    cpuTimes: cur.cpu.total,
    cores: cur.cpu.cores.map((c) => {
      const before = prevCores.get(c.id);
      return { id: c.id, usagePercent: before ? busyPercent(before, c.times) : 0, times: c.times };
    }),
    ...cur.load,
    ...cur.memory,
    disks: cur.disks,
    interfaces: cur.net.map((n) => ({
      name: n.name,
      rxBytes: n.rxBytes,
      txBytes: n.txBytes,
      rxBytesPerSecond: ratePerSecond(prevNet.get(n.name)?.rxBytes, n.rxBytes, seconds),
      txBytesPerSecond: ratePerSecond(prevNet.get(n.name)?.txBytes, n.txBytes, seconds),
    })),
    processCount: cur.processCount,
    topProcesses: tops,
  };
}
