import assert from "node:assert/strict";
import { JobMetricsSample } from "../../proto/gen/joblet.ts";
import { metricsHeader, metricsRow, sampleJsonLine } from "./metrics_text.ts";

const SAMPLE = JobMetricsSample.fromPartial({
  timeUnixMs: Date.UTC(2024, 0, 2, 3, 4, 5),
  cpuSeconds: 1.5,
  cpuPercent: 49.996,
  cpuThrottledUs: 1200,
  memoryBytes: 20 * 1024 * 1024,
  memoryPeakBytes: 64 * 1024 * 1024,
  ioReadBytes: 512,
  ioWriteBytes: 3 * 1024,
  pids: 3,
});

Deno.test("metricsRow() lines up under metricsHeader()", () => {
  const header = metricsHeader();
  const row = metricsRow(SAMPLE);
  assert.equal(row.length, header.length);
  assert.match(header, /^TIME\s+CPU%\s+MEM\s+PEAK\s+IO R\/W\s+PIDS\n$/);
  assert.match(row, /\s+50\.0\s+20\.0 MiB\s+64\.0 MiB\s+512 B\/3\.0 KiB\s+3\n$/);
  // Right-aligned numbers end where their header ends.
  assert.equal(row.indexOf("50.0") + 4, header.indexOf("CPU%") + 4);
});

Deno.test("sampleJsonLine() writes one compact snake_case object per line", () => {
  const line = sampleJsonLine(SAMPLE);
  assert.ok(line.endsWith("}\n") && !line.slice(0, -1).includes("\n"));
  assert.deepEqual(JSON.parse(line), {
    time: "2024-01-02T03:04:05.000Z",
    cpu_seconds: 1.5,
    cpu_percent: 50,
    cpu_throttled_us: 1200,
    memory_bytes: 20971520,
    memory_peak_bytes: 67108864,
    io_read_bytes: 512,
    io_write_bytes: 3072,
    pids: 3,
  });
});
