import assert from "node:assert/strict";
import { parseMeminfo } from "./meminfo.ts";

const MEMINFO = `MemTotal:       24684084 kB
MemFree:        23913696 kB
MemAvailable:   24174224 kB
Buffers:            6496 kB
Cached:           437844 kB
SwapCached:            0 kB
Active(anon):       1544 kB
SwapTotal:       2097148 kB
SwapFree:        1048576 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;

Deno.test("parseMeminfo() reports bytes, with used = total − available", () => {
  const m = parseMeminfo(MEMINFO);
  assert.equal(m.memoryTotalBytes, 24684084 * 1024);
  assert.equal(m.memoryAvailableBytes, 24174224 * 1024);
  assert.equal(m.memoryUsedBytes, (24684084 - 24174224) * 1024);
  assert.equal(m.swapTotalBytes, 2097148 * 1024);
  assert.equal(m.swapUsedBytes, (2097148 - 1048576) * 1024);
});

Deno.test("parseMeminfo() estimates available memory on kernels without MemAvailable", () => {
  const m = parseMeminfo("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n");
  assert.equal(m.memoryAvailableBytes, 400 * 1024);
  assert.equal(m.swapTotalBytes, 0);
  assert.equal(m.swapUsedBytes, 0);
});
