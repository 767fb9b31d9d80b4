/**
 * MonitorService RPCs: sample the host (agent/os/metrics via the HostMonitor interface), add what the agent
 * knows (version, cgroup version, job counts) and map to proto. WatchHostStatus gives every stream its own
 * sampler, so its CPU and network rates cover exactly its own interval.
 */
import type * as pb from "../../../proto/gen/joblet.ts";
import type { HostMonitor, HostStatus } from "../../domain/host.ts";
import type { JobMetricsView } from "../../domain/metrics.ts";
import { invalidArgument } from "../../domain/errors.ts";
import { type Log, serverStream, unary } from "./calls.ts";
import type { AgentInfo } from "./system_service.ts";

export const DEFAULT_WATCH_SECONDS = 5;
export const MAX_WATCH_SECONDS = 3600;
export const MAX_TOP = 1000;

export function monitorServiceHandlers(
  host: HostMonitor,
  jobs: JobMetricsView,
  info: AgentInfo,
  log: Log,
): pb.MonitorServiceServer {
  const toPb = (s: HostStatus) => hostStatusToPb(s, info, jobs.counts(), jobs.running());
  return {
    getHostStatus: unary<pb.GetHostStatusRequest, pb.HostStatus>(
      "GetHostStatus",
      "read",
      log,
      async (req) => toPb(await host.sample(checkTop(req.top))),
    ),

    watchHostStatus: serverStream<pb.WatchHostStatusRequest, pb.HostStatus>(
      "WatchHostStatus",
      "read",
      log,
      async function* (req, ctx) {
        const top = checkTop(req.top);
        const ms = watchIntervalSeconds(req.intervalSeconds) * 1000;
        const sampler = host.sampler();
        while (!ctx.signal.aborted) {
          const started = performance.now();
          yield toPb(await sampler.sample(top));
          await sleep(ms - (performance.now() - started), ctx.signal);
        }
      },
    ),
  };
}

/** interval_seconds: 0 = the default (5); otherwise 1 … 3600. */
export function watchIntervalSeconds(requested: number): number {
  if (requested === 0) return DEFAULT_WATCH_SECONDS;
  if (requested > MAX_WATCH_SECONDS) {
    throw invalidArgument(
      `WatchHostStatus: interval_seconds ${requested} is too long (use 1 to ${MAX_WATCH_SECONDS}, 0 = ${DEFAULT_WATCH_SECONDS})`,
    );
  }
  return Math.max(1, requested);
}

function checkTop(top: number): number {
  if (top > MAX_TOP) throw invalidArgument(`top ${top} is too many processes (use 0 to ${MAX_TOP})`);
  return top;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export function hostStatusToPb(
  s: HostStatus,
  info: AgentInfo,
  counts: Record<string, number>,
  running: ReturnType<JobMetricsView["running"]> = [],
): pb.HostStatus {
  const int = (n: number) => Math.max(0, Math.round(n));
  return {
    timeUnixMs: s.time,
    hostname: s.hostname,
    os: s.os,
    kernel: s.kernel,
    uptimeSeconds: int(s.uptimeSeconds),
    cpuPercent: s.cpuPercent,
    cores: s.cores.map((c) => ({ id: c.id, usagePercent: c.usagePercent })),
    load1: s.load1,
    load5: s.load5,
    load15: s.load15,
    memoryTotalBytes: int(s.memoryTotalBytes),
    memoryUsedBytes: int(s.memoryUsedBytes),
    memoryAvailableBytes: int(s.memoryAvailableBytes),
    swapTotalBytes: int(s.swapTotalBytes),
    swapUsedBytes: int(s.swapUsedBytes),
    disks: s.disks.map((d) => ({
      mountPoint: d.mountPoint,
      device: d.device,
      fsType: d.fsType,
      totalBytes: int(d.totalBytes),
      usedBytes: int(d.usedBytes),
    })),
    interfaces: s.interfaces.map((n) => ({
      name: n.name,
      rxBytes: int(n.rxBytes),
      txBytes: int(n.txBytes),
      rxBytesPerSecond: n.rxBytesPerSecond,
      txBytesPerSecond: n.txBytesPerSecond,
    })),
    processCount: s.processCount,
    jobletVersion: info.version,
    jobs: Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, int(v)])),
    topProcesses: s.topProcesses.map((p) => ({
      pid: p.pid,
      command: p.command,
      cpuPercent: p.cpuPercent,
      memoryBytes: int(p.memoryBytes),
      jobId: p.jobId,
    })),
    cgroupVersion: info.cgroupVersion,
    topJobs: running.map((j) => ({
      id: j.id,
      name: j.name,
      cpuPercent: j.sample?.cpuPercent ?? 0,
      memoryBytes: int(j.sample?.memoryBytes ?? 0),
      pids: j.sample?.pids ?? 0,
    })),
  };
}
