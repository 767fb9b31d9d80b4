import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { status } from "@grpc/grpc-js";
import { JobMetricsSample, type StreamJobMetricsRequest } from "../../proto/gen/joblet.ts";
import { assertIncludes } from "../_testing.ts";
import { grpcError, runFake } from "./_fake_context.ts";

const sample = (i: number) =>
  JobMetricsSample.fromPartial({
    timeUnixMs: Date.UTC(2024, 0, 2, 3, 4, 5 + i),
    cpuSeconds: i,
    cpuPercent: 25 * i,
    memoryBytes: 1024 * 1024 * i,
    memoryPeakBytes: 2 * 1024 * 1024 * i,
    ioReadBytes: 100,
    ioWriteBytes: 200,
    pids: i,
  });

function fakeJobs(samples: JobMetricsSample[], fail?: Error) {
  const requests: StreamJobMetricsRequest[] = [];
  return {
    requests,
    streamJobMetrics(req: StreamJobMetricsRequest) {
      requests.push(req);
      if (!fail) return Readable.from(samples);
      return new Readable({
        objectMode: true,
        read() {
          this.destroy(fail);
        },
      });
    },
  };
}

Deno.test("job metrics prints a header and a row per sample, following by default", async () => {
  const jobs = fakeJobs([sample(1), sample(2)]);
  const r = await runFake(["job", "metrics", "0a1b"], { jobs });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n");
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^TIME\s+CPU%\s+MEM\s+PEAK\s+IO R\/W\s+PIDS$/);
  assert.match(lines[2], /\s50\.0\s+2\.0 MiB\s+4\.0 MiB\s+100 B\/200 B\s+2$/);
  assert.deepEqual(jobs.requests, [{ id: "0a1b", follow: true }]);
});

Deno.test("job metrics --no-follow --json prints one object per sample", async () => {
  const jobs = fakeJobs([sample(1), sample(2)]);
  const r = await runFake(["job", "metrics", "0a1b", "--no-follow", "--json"], { jobs });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.pids), [1, 2]);
  assert.equal(lines[0].memory_peak_bytes, 2 * 1024 * 1024);
  assert.deepEqual(jobs.requests, [{ id: "0a1b", follow: false }]);
});

Deno.test("job metrics says so when there are no samples", async () => {
  const r = await runFake(["job", "metrics", "0a1b"], { jobs: fakeJobs([]) });
  assert.equal(r.code, 0);
  assert.equal(r.out, "No samples.\n");
});

Deno.test("job metrics for an unknown job exits 1 with the agent's message", async () => {
  const r = await runFake(["job", "metrics", "0a1b"], {
    jobs: fakeJobs([], grpcError(status.NOT_FOUND, "job 0a1b not found")),
  });
  assert.equal(r.code, 1);
  assertIncludes(r.err, "rnx: job 0a1b not found");
});

Deno.test("job metrics rejects a malformed id with exit 2 before connecting", async () => {
  const r = await runFake(["job", "metrics", "XYZ"], { jobs: fakeJobs([]) });
  assert.equal(r.code, 2);
  assert.deepEqual(r.connections, []);
});
