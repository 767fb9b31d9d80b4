/**
 * Output for `rnx job metrics`: a header, then one fixed-width row per sample as it arrives (so live rows line
 * up with the history), or one JSON object per line with --json:
 *
 *   time (RFC 3339 UTC), cpu_seconds, cpu_percent, cpu_throttled_us, memory_bytes, memory_peak_bytes,
 *   io_read_bytes, io_write_bytes, pids
 */
import type { JobMetricsSample } from "../../proto/gen/joblet.ts";
import { humanBytes, localTime, rfc3339 } from "./format.ts";

export function sampleToJson(s: JobMetricsSample) {
  return {
    time: rfc3339(s.timeUnixMs),
    cpu_seconds: s.cpuSeconds,
    cpu_percent: Math.round(s.cpuPercent * 100) / 100,
    cpu_throttled_us: s.cpuThrottledUs,
    memory_bytes: s.memoryBytes,
    memory_peak_bytes: s.memoryPeakBytes,
    io_read_bytes: s.ioReadBytes,
    io_write_bytes: s.ioWriteBytes,
    pids: s.pids,
  };
}

/** One compact JSON object and a newline. */
export function sampleJsonLine(s: JobMetricsSample): string {
  return JSON.stringify(sampleToJson(s)) + "\n";
}

const WIDTHS = [19, 7, 10, 10, 21] as const;

function row(cells: string[]): string {
  const [time, cpu, mem, peak, io, pids] = cells;
  return [
    time.padEnd(WIDTHS[0]),
    cpu.padStart(WIDTHS[1]),
    mem.padStart(WIDTHS[2]),
    peak.padStart(WIDTHS[3]),
    io.padStart(WIDTHS[4]),
    pids.padStart(5),
  ].join("  ") + "\n";
}

export function metricsHeader(): string {
  return row(["TIME", "CPU%", "MEM", "PEAK", "IO R/W", "PIDS"]);
}

export function metricsRow(s: JobMetricsSample): string {
  return row([
    localTime(s.timeUnixMs),
    s.cpuPercent.toFixed(1),
    humanBytes(s.memoryBytes),
    humanBytes(s.memoryPeakBytes),
    `${humanBytes(s.ioReadBytes)}/${humanBytes(s.ioWriteBytes)}`,
    String(s.pids),
  ]);
}
