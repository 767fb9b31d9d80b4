/**
 * Reading a job cgroup's usage on each version into the neutral CgroupStats. Parsers are pure; a file that is
 * missing (a controller not enabled, a kernel too old) reads as 0. The files stay readable until rmdir, so the
 * job service can take final totals after the last process exited.
 */
import type { CgroupStats } from "../../core/ports.ts";
import type { CgroupFs } from "./fs.ts";

/** "key value" lines (cpu.stat, memory.events, memory.oom_control) → numbers. */
export function parseFlatKeyed(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? "").split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** A single number ("max" and missing read as 0). */
export function parseSingle(text: string | undefined): number {
  const t = (text ?? "").trim();
  return /^\d+$/.test(t) ? Number(t) : 0;
}

/** v2 io.stat: "254:0 rbytes=N wbytes=N rios=… wios=… dbytes=… dios=…" per device → totals. */
export function parseIoStatV2(text: string | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const m of (text ?? "").matchAll(/\brbytes=(\d+)|\bwbytes=(\d+)/g)) {
    if (m[1] !== undefined) read += Number(m[1]);
    if (m[2] !== undefined) write += Number(m[2]);
  }
  return { read, write };
}

/** v1 blkio.throttle.io_service_bytes(_recursive): "254:0 Read N" / "254:0 Write N" … "Total N" → totals. */
export function parseBlkioServiceBytesV1(text: string | undefined): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of (text ?? "").split("\n")) {
    const m = /^\d+:\d+ (Read|Write) (\d+)$/.exec(line.trim());
    if (m?.[1] === "Read") read += Number(m[2]);
    if (m?.[1] === "Write") write += Number(m[2]);
  }
  return { read, write };
}

/** v2: one directory. `seenPeak` is the fallback for memory.peak (kernel < 5.19). */
export function readStatsV2(fs: CgroupFs, dir: string, seenPeak: number): CgroupStats {
  const cpu = parseFlatKeyed(fs.read(`${dir}/cpu.stat`));
  const io = parseIoStatV2(fs.read(`${dir}/io.stat`));
  const memoryCurrent = parseSingle(fs.read(`${dir}/memory.current`));
  const peakText = fs.read(`${dir}/memory.peak`);
  return {
    cpuUsageUs: cpu.usage_usec ?? 0,
    cpuThrottledUs: cpu.throttled_usec ?? 0,
    nrThrottled: cpu.nr_throttled ?? 0,
    memoryCurrent,
    memoryPeak: peakText === undefined ? Math.max(seenPeak, memoryCurrent) : parseSingle(peakText),
    ioReadBytes: io.read,
    ioWriteBytes: io.write,
    pids: parseSingle(fs.read(`${dir}/pids.current`)),
    oomKills: parseFlatKeyed(fs.read(`${dir}/memory.events`)).oom_kill ?? 0,
  };
}

/** v1: the job's directory in each hierarchy, by controller (["cpu","cpuacct"] co-mounted share one). */
export function readStatsV1(fs: CgroupFs, dirOf: (controller: string) => string | undefined): CgroupStats {
  const at = (controller: string, file: string) => {
    const dir = dirOf(controller);
    return dir === undefined ? undefined : fs.read(`${dir}/${file}`);
  };
  const cpu = parseFlatKeyed(at("cpu", "cpu.stat"));
  const memory = (file: string) => parseSingle(at("memory", file));
  const io = parseBlkioServiceBytesV1(
    at("blkio", "blkio.throttle.io_service_bytes_recursive") ??
      at("blkio", "blkio.throttle.io_service_bytes"),
  );
  return {
    cpuUsageUs: Math.floor(parseSingle(at("cpuacct", "cpuacct.usage")) / 1000),
    // throttled_time is in nanoseconds; newer kernels also show throttled_usec.
    cpuThrottledUs: cpu.throttled_usec ?? Math.floor((cpu.throttled_time ?? 0) / 1000),
    nrThrottled: cpu.nr_throttled ?? 0,
    memoryCurrent: memory("memory.usage_in_bytes"),
    memoryPeak: memory("memory.max_usage_in_bytes"),
    ioReadBytes: io.read,
    ioWriteBytes: io.write,
    pids: parseSingle(at("pids", "pids.current")),
    oomKills: parseFlatKeyed(at("memory", "memory.oom_control")).oom_kill ?? 0,
  };
}
