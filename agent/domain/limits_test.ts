import { assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  DEFAULT_LIMIT_BOUNDS,
  describeLimits,
  formatCpuCores,
  type LimitBounds,
  parseCpuCores,
  parseCpuPercent,
  parseIoBps,
  parseMemory,
  parsePids,
  parseTimeout,
  resolveLimits,
} from "./limits.ts";

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

Deno.test("parseCpuPercent() reads whole percentages, with or without %", () => {
  assertEquals(parseCpuPercent("50"), 50);
  assertEquals(parseCpuPercent("250%"), 250);
  assertEquals(parseCpuPercent(" 0 "), 0);
});

Deno.test("parseCpuPercent() rejects words, negatives and fractions, naming --max-cpu and the rule", () => {
  assertThrows(
    () => parseCpuPercent("abc"),
    /^JobletError: --max-cpu "abc" is not a percentage \(use a whole number: 100 = one core, 50 = half a core/,
  );
  assertThrows(() => parseCpuPercent("-5"), /--max-cpu "-5" is not a percentage/);
  assertThrows(() => parseCpuPercent("12.5"), /--max-cpu "12.5" is not a percentage/);
  assertThrows(() => parseCpuPercent(""), /--max-cpu "" is not a percentage/);
});

Deno.test("parseCpuCores() reads ranges, lists and mixes, sorted with duplicates merged", () => {
  assertEquals(parseCpuCores("0-3"), [0, 1, 2, 3]);
  assertEquals(parseCpuCores("0,2,4,6"), [0, 2, 4, 6]);
  assertEquals(parseCpuCores("0-2,5"), [0, 1, 2, 5]);
  assertEquals(parseCpuCores("5,0-2,1"), [0, 1, 2, 5]);
  assertEquals(parseCpuCores("3"), [3]);
  assertEquals(parseCpuCores("2-2"), [2]);
  assertEquals(parseCpuCores(""), []);
});

Deno.test("parseCpuCores() rejects a reversed range and junk, naming --cpu-cores", () => {
  assertThrows(
    () => parseCpuCores("3-1"),
    /^JobletError: --cpu-cores "3-1" has the reversed range "3-1" \(write the lower core first/,
  );
  assertThrows(
    () => parseCpuCores("a"),
    /--cpu-cores "a" is not a list of cores \(use core numbers and ranges/,
  );
  assertThrows(() => parseCpuCores("0,,1"), /--cpu-cores "0,,1" is not a list of cores/);
  assertThrows(() => parseCpuCores("-1"), /--cpu-cores "-1" is not a list of cores/);
  assertThrows(() => parseCpuCores("0-99999999"), /--cpu-cores "0-99999999" has a range too large/);
});

Deno.test("formatCpuCores() writes the kernel's list format", () => {
  assertEquals(formatCpuCores([0, 1, 2, 5]), "0-2,5");
  assertEquals(formatCpuCores([0, 2, 4, 6]), "0,2,4,6");
  assertEquals(formatCpuCores([7]), "7");
  assertEquals(formatCpuCores([]), "");
});

Deno.test("parseMemory() reads a bare number as MB and 1024-based units", () => {
  assertEquals(parseMemory("512"), 512 * MiB);
  assertEquals(parseMemory("512MB"), 512 * MiB);
  assertEquals(parseMemory("512m"), 512 * MiB);
  assertEquals(parseMemory("2GB"), 2 * GiB);
  assertEquals(parseMemory("1.5GiB"), 1.5 * GiB);
  assertEquals(parseMemory("0"), 0);
});

Deno.test("parseMemory() rejects negatives, unknown units and tiny limits, naming --max-memory", () => {
  assertThrows(
    () => parseMemory("-1"),
    /^JobletError: --max-memory "-1" is not a size \(use a number of MB, or a number with MB or GB/,
  );
  assertThrows(() => parseMemory("12XB"), /--max-memory "12XB" is not a size/);
  assertThrows(() => parseMemory("1KB"), /--max-memory "1KB" is below the 4MiB a job needs to start/);
});

Deno.test("parseIoBps() reads bytes, units and an optional /s", () => {
  assertEquals(parseIoBps("10MB"), 10 * MiB);
  assertEquals(parseIoBps("10MB/s"), 10 * MiB);
  assertEquals(parseIoBps("100M"), 100 * MiB);
  assertEquals(parseIoBps("100mb/s"), 100 * MiB);
  assertEquals(parseIoBps("10485760"), 10 * MiB);
  assertEquals(parseIoBps("1536MB/s"), 1536 * MiB);
  assertEquals(parseIoBps("0"), 0);
});

Deno.test("parseIoBps() refuses fractions with a whole-number hint, and junk, naming --max-iobps", () => {
  assertThrows(
    () => parseIoBps("1.5GB/s"),
    /^JobletError: --max-iobps "1.5GB\/s" is not a whole number \(write 1536MB\/s instead\); use a whole number/,
  );
  assertThrows(() => parseIoBps("fast"), /--max-iobps "fast" is not a rate/);
  assertThrows(() => parseIoBps("-10MB"), /--max-iobps "-10MB" is not a rate/);
  assertThrows(() => parseIoBps("10MB/min"), /--max-iobps "10MB\/min" is not a rate/);
  assertThrows(() => parseIoBps("10"), /--max-iobps "10" is below 4096 bytes\/s/);
});

Deno.test("parsePids() and parseTimeout() name their flags", () => {
  assertEquals(parsePids("100"), 100);
  assertThrows(() => parsePids("many"), /^JobletError: --max-pids "many" is not a number/);
  assertEquals(parseTimeout("30s"), 30_000);
  assertEquals(parseTimeout("5m"), 300_000);
  assertEquals(parseTimeout("2h"), 7_200_000);
  assertThrows(() => parseTimeout("30"), /^JobletError: --timeout "30" has no unit/);
});

const host = { cpus: 4 };

Deno.test("resolveLimits() fills what the job leaves out from the server defaults", () => {
  assertEquals(resolveLimits({}, DEFAULT_LIMIT_BOUNDS, host), {
    cpuPercent: 0,
    cpuCores: [],
    memoryBytes: 0,
    ioBps: 0,
    pids: 4096,
    timeoutMs: 0,
  });
  const asked = {
    cpuPercent: 150,
    cpuCores: [2, 1],
    memoryBytes: 64 * MiB,
    ioBps: 10 * MiB,
    pids: 10,
    timeoutMs: 1000,
  };
  assertEquals(resolveLimits(asked, DEFAULT_LIMIT_BOUNDS, host), { ...asked, cpuCores: [1, 2] });
});

Deno.test("resolveLimits() bounds --max-cpu by 1..100 × cores and names the range", () => {
  assertThrows(
    () => resolveLimits({ cpuPercent: 401 }, DEFAULT_LIMIT_BOUNDS, host),
    /^JobletError: --max-cpu 401 is out of range \(allowed: 1\.\.400, or 0 for unlimited\)$/,
  );
  assertEquals(resolveLimits({ cpuPercent: 400 }, DEFAULT_LIMIT_BOUNDS, host).cpuPercent, 400);
  assertEquals(resolveLimits({ cpuPercent: 0 }, DEFAULT_LIMIT_BOUNDS, host).cpuPercent, 0);
  const b: LimitBounds = { ...DEFAULT_LIMIT_BOUNDS, minCpuPercent: 10, maxCpuPercent: 200 };
  assertThrows(
    () => resolveLimits({ cpuPercent: 5 }, b, host),
    /--max-cpu 5 is out of range \(allowed: 10\.\.200;/,
  );
  assertThrows(() => resolveLimits({ cpuPercent: 0 }, b, host), /does not allow 0 \(unlimited\)/);
  assertEquals(resolveLimits({}, b, host).cpuPercent, 200, "a default of 0 under a bound takes the bound");
});

Deno.test("resolveLimits() refuses a core the host does not have", () => {
  assertThrows(
    () => resolveLimits({ cpuCores: [0, 4] }, DEFAULT_LIMIT_BOUNDS, host),
    /^JobletError: --cpu-cores "0,4": core 4 does not exist on this host \(it has 4 cores: 0-3\)$/,
  );
});

Deno.test("resolveLimits() requires --max-cpu to fit the pinned cores, and lowers a default to fit", () => {
  assertThrows(
    () => resolveLimits({ cpuPercent: 150, cpuCores: [0] }, DEFAULT_LIMIT_BOUNDS, host),
    /^JobletError: --max-cpu 150 does not fit --cpu-cores "0": 1 core give at most 100 \(100 per core\)$/,
  );
  assertEquals(
    resolveLimits({ cpuPercent: 200, cpuCores: [0, 3] }, DEFAULT_LIMIT_BOUNDS, host).cpuPercent,
    200,
  );
  const b = { ...DEFAULT_LIMIT_BOUNDS, defaults: { ...DEFAULT_LIMIT_BOUNDS.defaults, cpuPercent: 300 } };
  assertEquals(resolveLimits({ cpuCores: [1] }, b, host).cpuPercent, 100);
});

Deno.test("resolveLimits() bounds memory, iobps, pids and timeout, and refuses 0 where a bound is set", () => {
  const b: LimitBounds = {
    ...DEFAULT_LIMIT_BOUNDS,
    defaults: { ...DEFAULT_LIMIT_BOUNDS.defaults, memoryBytes: 0, pids: 100 },
    maxMemoryBytes: 8 * GiB,
    maxIoBps: 100 * MiB,
    maxPids: 1000,
    maxTimeoutMs: 3_600_000,
  };
  assertThrows(
    () => resolveLimits({ memoryBytes: 9 * GiB }, b, host),
    /^JobletError: --max-memory 9GiB is out of range \(allowed: 4MiB\.\.8GiB; this server does not allow 0/,
  );
  assertThrows(() => resolveLimits({ memoryBytes: 0 }, b, host), /--max-memory 0 is out of range/);
  assertThrows(
    () => resolveLimits({ ioBps: 200 * MiB }, b, host),
    /--max-iobps 200MiB\/s is out of range \(allowed: 4KiB\/s\.\.100MiB\/s/,
  );
  assertThrows(
    () => resolveLimits({ pids: 1001 }, b, host),
    /--max-pids 1001 is out of range \(allowed: 1\.\.1000/,
  );
  assertThrows(
    () => resolveLimits({ timeoutMs: 7_200_000 }, b, host),
    /--timeout 2h is out of range \(allowed: 1ms\.\.1h/,
  );
  assertThrows(
    () => resolveLimits({ pids: -1 }, DEFAULT_LIMIT_BOUNDS, host),
    /^JobletError: --max-pids -1 is out of range \(allowed: 1\.\.65536; this server does not allow 0 \(unlimited\)\)$/,
  );
  const r = resolveLimits({}, b, host);
  assertEquals([r.memoryBytes, r.ioBps, r.pids, r.timeoutMs], [8 * GiB, 100 * MiB, 100, 3_600_000]);
});

Deno.test("describeLimits() shows each limit the way the flags are written", () => {
  assertEquals(
    describeLimits({
      cpuPercent: 50,
      cpuCores: [0, 1, 2, 5],
      memoryBytes: 64 * MiB,
      ioBps: 10 * MiB,
      pids: 0,
      timeoutMs: 30_000,
    }),
    {
      cpuPercent: "50%",
      cpuCores: "0-2,5",
      memoryBytes: "64MiB",
      ioBps: "10MiB/s",
      pids: "unlimited",
      timeoutMs: "30s",
    },
  );
});
