import assert from "node:assert/strict";
import { hostSummary, hostToJson, jobCounts, topText, topToJson } from "./host_text.ts";
import { assertIncludes } from "../_testing.ts";
import { GiB, JOB, sampleHost } from "./_host_fixture.ts";

Deno.test("hostSummary() shows host, CPU per core, memory, disks, interfaces and the busiest processes", () => {
  const text = hostSummary(sampleHost());
  for (
    const part of [
      "Host:      node-1\n",
      "OS:        Debian GNU/Linux 12 (bookworm)\n",
      "Uptime:    3d04h\n",
      "CPU:       37.5% of 10 cores\n",
      "Cores:     cpu0 0.0%  cpu1 10.0%",
      "\n           cpu8 80.0%  cpu9 90.0%\n",
      "Load:      1.50 1.25 1.00 (1, 5, 15 min)\n",
      "Memory:    4.0 GiB used of 16.0 GiB (25.0%), 12.0 GiB available\n",
      "Swap:      none\n",
      "Joblet:    0.1.0 (cgroup v2)\n",
      "Jobs:      2 running, 5 completed\n",
      "/      /dev/vda  ext4  100.0 GiB  25.0 GiB  25.0%",
      "eth0       2.0 KiB  1.0 KiB  1.5 KiB/s  0 B/s",
      "42   0a1b2c3d  180.3  1.0 GiB  python3 train.py",
    ]
  ) assertIncludes(text, part);
  assert.ok(text.indexOf("python3") < text.indexOf("postgres"), "busiest CPU first");
});

Deno.test("topText() lists the n busiest by CPU and the n largest by memory", () => {
  const text = topText(sampleHost(), 1);
  const [cpu, mem] = text.split("By memory:");
  assertIncludes(cpu, "python3 train.py");
  assert.ok(!cpu.includes("postgres"));
  assertIncludes(mem, "postgres: writer");
  assert.ok(!mem.includes("python3"));
});

Deno.test("topToJson() and hostToJson() use snake_case keys and null for no job", () => {
  const top = topToJson(sampleHost(), 2);
  assert.deepEqual(top.by_cpu.map((p) => p.pid), [42, 10]);
  assert.deepEqual(top.by_memory.map((p) => p.pid), [10, 42]);
  assert.equal(top.by_cpu[1].job_id, null);
  const j = hostToJson(sampleHost());
  assert.equal(j.time, "2024-01-02T03:04:05.000Z");
  assert.equal(j.memory_total_bytes, 16 * GiB);
  assert.deepEqual(j.disks[0], {
    mount_point: "/",
    device: "/dev/vda",
    fs_type: "ext4",
    total_bytes: 100 * GiB,
    used_bytes: 25 * GiB,
  });
  assert.equal(j.top_processes[1].job_id, JOB);
});

Deno.test("jobCounts() leaves out zero counts and says none when empty", () => {
  assert.equal(jobCounts({ RUNNING: 1, FAILED: 0, TIMEOUT: 3 }), "1 running, 3 timeout");
  assert.equal(jobCounts({}), "none");
});
