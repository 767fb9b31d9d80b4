/**
 * The Prometheus output passes `promtool check metrics` (Debian package `prometheus`): once on fake jobs with
 * awkward names, once on a real reading of this host; and the HTTP server serves it. No agent needed.
 */
import assert from "node:assert/strict";
import type { JobMetricsView } from "../../agent/domain/metrics.ts";
import { createHostMonitor } from "../../agent/os/metrics/mod.ts";
import { prometheusApp, startMetricsServer } from "../../agent/transport/http/server.ts";

const PROMTOOL = "/usr/bin/promtool";
const INFO = { version: "0.1.0", apiVersion: "joblet.v1", cgroupVersion: "v1" };

function hasPromtool(): boolean {
  try {
    Deno.statSync(PROMTOOL);
    return true;
  } catch {
    console.warn(`skipping: needs ${PROMTOOL} (apt-get install prometheus)`);
    return false;
  }
}
const noPromtool = !hasPromtool();

const JOBS: JobMetricsView = {
  counts: () => ({ RUNNING: 1, FAILED: 2 }),
  running: () => [{
    id: "0a1b2c3d-0000-4000-8000-000000000001",
    name: 'quote " backslash \\ newline \n unicode ✓',
    sample: {
      time: Date.now(),
      cpuSeconds: 12.25,
      cpuPercent: 99.5,
      cpuThrottledUs: 1_500_000,
      memoryBytes: 64 * 1024 ** 2,
      memoryPeakBytes: 80 * 1024 ** 2,
      ioReadBytes: 1e9,
      ioWriteBytes: 2e9,
      pids: 17,
    },
  }],
};

async function promtoolCheck(text: string): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(PROMTOOL, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const r = await child.output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test({
  name: "promtool accepts the metrics of this host and of jobs with awkward names",
  ignore: noPromtool,
  fn: async () => {
    const app = prometheusApp({
      host: createHostMonitor().sampler(),
      jobs: JOBS,
      info: INFO,
      log: console.error,
    });
    const res = await app.request("/metrics");
    assert.equal(res.status, 200);
    const text = await res.text();
    const check = await promtoolCheck(text);
    assert.equal(check.code, 0, `promtool check metrics failed:\n${check.out}\n---\n${text}`);
    assert.equal(check.out.trim(), "", `promtool lint findings:\n${check.out}`);
    for (
      const series of [
        /^joblet_host_cpu_seconds_total\{cpu="0",mode="user"\} \d/m,
        /^joblet_host_memory_total_bytes [1-9]/m,
        /^joblet_host_filesystem_size_bytes\{mountpoint="\/",/m,
        /^joblet_host_network_receive_bytes_total\{device="lo"\} \d/m,
        /^joblet_job_memory_peak_bytes\{job_id="0a1b2c3d-0000-4000-8000-000000000001",job_name="quote \\" backslash \\\\ newline \\n unicode ✓"\} 83886080$/m,
        /^joblet_jobs\{status="FAILED"\} 2$/m,
        /^joblet_build_info\{version="0\.1\.0",/m,
      ]
    ) {
      assert.match(text, series);
    }
  },
});

Deno.test("startMetricsServer() serves /metrics over HTTP on the address it reports", async () => {
  const server = await startMetricsServer("127.0.0.1:0", {
    host: createHostMonitor().sampler(),
    jobs: JOBS,
    info: INFO,
    log: console.error,
  });
  try {
    assert.match(server.address, /^127\.0\.0\.1:\d+$/);
    const res = await fetch(`http://${server.address}/metrics`);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    assert.match(await res.text(), /^joblet_host_processes \d+$/m);
    const other = await fetch(`http://${server.address}/nope`);
    assert.equal(other.status, 404);
    await other.body?.cancel();
  } finally {
    await server.shutdown();
  }
});
