import assert from "node:assert/strict";
import {
  jobIdFromCgroup,
  parseCmdline,
  parsePidStat,
  type PidStat,
  processDeltas,
  topProcesses,
} from "./process.ts";

const STAT = "7467 (cat) R 7458 7458 6453 0 -1 4194304 101 0 0 0 12 3 0 0 20 0 1 0 169052 3133440 390 " +
  "18446744073709551615 94341330092032 94341330111913 140734479614528 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

Deno.test("parsePidStat() reads CPU ticks, start time and RSS", () => {
  assert.deepEqual(parsePidStat(STAT), {
    pid: 7467,
    comm: "cat",
    cpuTicks: 15,
    startTime: 169052,
    rssPages: 390,
  });
});

Deno.test("parsePidStat() counts fields from the last parenthesis when comm has spaces and parentheses", () => {
  const s = parsePidStat(STAT.replace("(cat)", "(my (odd) cmd)"));
  assert.equal(s?.comm, "my (odd) cmd");
  assert.equal(s?.cpuTicks, 15);
  assert.equal(s?.rssPages, 390);
});

Deno.test("parsePidStat() gives undefined for a truncated file", () => {
  assert.equal(parsePidStat("7467 (cat"), undefined);
  assert.equal(parsePidStat("7467 (cat) R 1 2"), undefined);
});

const ID = "0a1b2c3d-0000-4000-8000-000000000001";

Deno.test("jobIdFromCgroup() finds the job on cgroup v1 and v2", () => {
  const v1 = `9:name=systemd:/\n8:pids:/joblet/${ID}\n4:memory:/process_api/b550/joblet/${ID}\n0::/\n`;
  assert.equal(jobIdFromCgroup(v1), ID);
  assert.equal(jobIdFromCgroup(`0::/system.slice/joblet.service/joblet/${ID}/sub\n`), ID);
});

Deno.test("jobIdFromCgroup() gives nothing for the agent's own leaf and other processes", () => {
  assert.equal(jobIdFromCgroup("0::/system.slice/joblet.service/joblet-agent\n"), "");
  assert.equal(jobIdFromCgroup("0::/joblet/not-a-job\n"), "");
  assert.equal(jobIdFromCgroup("0::/user.slice\n"), "");
});

Deno.test("parseCmdline() joins arguments and keeps kernel threads empty", () => {
  assert.equal(parseCmdline("sleep\u000030\u0000"), "sleep 30");
  assert.equal(parseCmdline(""), "");
});

function stat(pid: number, cpuTicks: number, startTime = 1000, rssPages = 10): PidStat {
  return { pid, comm: `p${pid}`, cpuTicks, startTime, rssPages };
}

Deno.test("processDeltas() measures CPU since the previous reading in percent of one core", () => {
  const prev = new Map([[1, stat(1, 100)], [2, stat(2, 100)]]);
  // 2 s passed: pid 1 used 300 ticks = 3 s (150 %); pid 2 was replaced by a new process started 1 s ago.
  const d = processDeltas(prev, [stat(1, 400), stat(2, 50, 99_900)], 2, 4096, 100_000);
  assert.equal(d[0].cpuPercent, 150);
  assert.equal(d[0].memoryBytes, 40960);
  assert.equal(d[1].cpuPercent, 50);
});

Deno.test("topProcesses() gives the union of the top by CPU and the top by memory, busiest first", () => {
  const all = [
    { pid: 1, cpuPercent: 90, memoryBytes: 1 },
    { pid: 2, cpuPercent: 50, memoryBytes: 2 },
    { pid: 3, cpuPercent: 0, memoryBytes: 900 },
    { pid: 4, cpuPercent: 1, memoryBytes: 3 },
  ];
  assert.deepEqual(topProcesses(all, 1).map((p) => p.pid), [1, 3]);
  assert.deepEqual(topProcesses(all, 2).map((p) => p.pid), [1, 2, 4, 3]);
  assert.deepEqual(topProcesses(all, 0), []);
});
