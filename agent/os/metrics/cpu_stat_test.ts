import assert from "node:assert/strict";
import { busyPercent, parseCpuStat } from "./cpu_stat.ts";

const STAT = `cpu  85823 0 28109 218423 1672 0 813 396 0 0
cpu0 41255 0 13215 112128 385 0 372 201 0 0
cpu1 44567 0 14893 106294 1287 0 441 195 0 0
intr 1563999 0 0 0 0
ctxt 4259852
btime 1795449247
processes 7470
procs_running 4
`;

Deno.test("parseCpuStat() reads the total and each core in seconds", () => {
  const s = parseCpuStat(STAT);
  assert.equal(s.total.user, 858.23);
  assert.equal(s.total.idle, 2184.23);
  assert.equal(s.total.steal, 3.96);
  assert.deepEqual(s.cores.map((c) => c.id), [0, 1]);
  assert.equal(s.cores[1].times.system, 148.93);
});

Deno.test("parseCpuStat() accepts old kernels with fewer columns", () => {
  const s = parseCpuStat("cpu 10 0 5 100\ncpu0 10 0 5 100\n");
  assert.equal(s.total.iowait, 0);
  assert.equal(s.total.steal, 0);
});

Deno.test("parseCpuStat() rejects text without a cpu line", () => {
  assert.throws(() => parseCpuStat("intr 1 2 3\n"), /no "cpu" line/);
});

Deno.test("busyPercent() counts everything but idle and iowait", () => {
  const a = parseCpuStat("cpu 100 0 100 700 100 0 0 0\n").total;
  const b = parseCpuStat("cpu 150 0 120 780 150 0 0 0\n").total;
  // 200 ticks passed: 70 busy (50 user + 20 system), 130 idle or iowait.
  assert.equal(busyPercent(a, b).toFixed(6), "35.000000");
});

Deno.test("busyPercent() is 0 when no time passed", () => {
  const a = parseCpuStat("cpu 100 0 100 700 100 0 0 0\n").total;
  assert.equal(busyPercent(a, a), 0);
});
