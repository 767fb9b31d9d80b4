import assert from "node:assert/strict";
import type { HostStatus } from "../../domain/host.ts";
import type { JobMetricsView } from "../../domain/metrics.ts";
import { prometheusApp } from "./server.ts";

const INFO = { version: "1.2.3", apiVersion: "joblet.v1", cgroupVersion: "v1" };
const times = { user: 10, nice: 0, system: 5, idle: 100, iowait: 1, irq: 0, softirq: 0, steal: 0 };

const FAKE_HOST: HostStatus = {
  time: 1,
  hostname: "box",
  os: "Test",
  kernel: "6.1",
  uptimeSeconds: 100,
  cpuPercent: 25,
  cpuTimes: times,
  cores: [{ id: 0, usagePercent: 25, times }, { id: 1, usagePercent: 25, times }],
  load1: 0.5,
  load5: 0.25,
  load15: 0.1,
  memoryTotalBytes: 1000,
  memoryUsedBytes: 400,
  memoryAvailableBytes: 600,
  swapTotalBytes: 0,
  swapUsedBytes: 0,
  disks: [{
    mountPoint: "/srv/my data",
    device: "/dev/vdb",
    fsType: "xfs",
    totalBytes: 10,
    usedBytes: 4,
    availableBytes: 5,
  }],
  interfaces: [{ name: "eth0", rxBytes: 7, txBytes: 8, rxBytesPerSecond: 0, txBytesPerSecond: 0 }],
  processCount: 42,
  topProcesses: [],
};

const JOB = "0a1b2c3d-0000-4000-8000-000000000001";

const FAKE_JOBS: JobMetricsView = {
  counts: () => ({ RUNNING: 2, COMPLETED: 5 }),
  running: () => [
    {
      id: JOB,
      name: 'say "hi"\\now',
      sample: {
        time: 1,
        cpuSeconds: 1.5,
        cpuPercent: 50,
        cpuThrottledUs: 250_000,
        memoryBytes: 2048,
        memoryPeakBytes: 4096,
        ioReadBytes: 10,
        ioWriteBytes: 20,
        pids: 3,
      },
    },
    { id: "0a1b2c3d-0000-4000-8000-000000000002", name: "new", sample: undefined },
  ],
};

Deno.test("GET /metrics serves host, job and build series in the text format", async () => {
  const app = prometheusApp({
    host: { sample: () => Promise.resolve(FAKE_HOST) },
    jobs: FAKE_JOBS,
    info: INFO,
    log: () => {},
  });
  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await res.text();
  for (
    const line of [
      `joblet_build_info{version="1.2.3",api_version="joblet.v1",cgroup_version="v1"} 1`,
      `joblet_jobs{status="RUNNING"} 2`,
      `joblet_jobs{status="TIMEOUT"} 0`,
      `joblet_host_cpu_seconds_total{cpu="1",mode="idle"} 100`,
      `joblet_host_cpu_usage_ratio 0.25`,
      `joblet_host_filesystem_size_bytes{mountpoint="/srv/my data",device="/dev/vdb",fstype="xfs"} 10`,
      `joblet_host_network_receive_bytes_total{device="eth0"} 7`,
      `joblet_job_cpu_seconds_total{job_id="${JOB}",job_name="say \\"hi\\"\\\\now"} 1.5`,
      `joblet_job_cpu_throttled_seconds_total{job_id="${JOB}",job_name="say \\"hi\\"\\\\now"} 0.25`,
      "# TYPE joblet_job_io_write_bytes_total counter",
    ]
  ) assert.ok(text.includes(line + "\n"), `missing ${line}`);
  assert.ok(!text.includes("000000000002"), "a job without a sample has no series");
});

Deno.test("GET /metrics still serves job metrics when the host cannot be read, and says why once", async () => {
  const logs: string[] = [];
  const app = prometheusApp({
    host: { sample: () => Promise.reject(new Error("EACCES /proc/stat")) },
    jobs: FAKE_JOBS,
    info: INFO,
    log: (m) => logs.push(m),
  });
  const text = await (await app.request("/metrics")).text();
  await app.request("/metrics");
  assert.ok(text.includes("joblet_job_pids{"));
  assert.ok(!text.includes("joblet_host_"));
  assert.equal(logs.length, 1);
  assert.match(logs[0], /EACCES \/proc\/stat/);
});

Deno.test("GET /healthz answers 200 ok while the agent serves and 503 once it stops", async () => {
  let serving = true;
  const app = prometheusApp({
    host: { sample: () => Promise.resolve(FAKE_HOST) },
    jobs: FAKE_JOBS,
    info: INFO,
    log: () => {},
    healthy: () => serving,
  });
  let res = await app.request("/healthz");
  assert.deepEqual([res.status, await res.text()], [200, "ok\n"]);
  serving = false;
  res = await app.request("/healthz");
  assert.deepEqual([res.status, await res.text()], [503, "not serving\n"]);
});
