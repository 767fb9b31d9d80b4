import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { type ServiceError, status } from "@grpc/grpc-js";
import type { GetHostStatusRequest, HostStatus, WatchHostStatusRequest } from "../../proto/gen/joblet.ts";
import { assertIncludes } from "../_testing.ts";
import { JOB, sampleHost } from "../output/_host_fixture.ts";
import { grpcError, runFake } from "./_fake_context.ts";

type Cb = (err: ServiceError | null, v?: HostStatus) => void;

function fakeMonitor(opts: { fail?: ServiceError; stream?: HostStatus[] } = {}) {
  const requests: Array<GetHostStatusRequest | WatchHostStatusRequest> = [];
  return {
    requests,
    getHostStatus(req: GetHostStatusRequest, _m: unknown, _o: unknown, cb: Cb) {
      requests.push(req);
      queueMicrotask(() => opts.fail ? cb(opts.fail) : cb(null, sampleHost()));
    },
    watchHostStatus(req: WatchHostStatusRequest) {
      requests.push(req);
      return Readable.from(opts.stream ?? []);
    },
  };
}

Deno.test("monitor status prints the host summary", async () => {
  const monitor = fakeMonitor();
  const r = await runFake(["monitor", "status"], { monitor });
  assert.equal(r.code, 0, r.err);
  assertIncludes(r.out, "Host:      node-1\n");
  assertIncludes(r.out, "Jobs:      2 running, 5 completed\n");
  assertIncludes(r.out, "INTERFACE");
  assert.deepEqual(monitor.requests, [{ top: 5 }]);
});

Deno.test("monitor status --json prints snake_case JSON", async () => {
  const r = await runFake(["monitor", "status", "--json"], { monitor: fakeMonitor() });
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.hostname, "node-1");
  assert.equal(j.cores.length, 10);
  assert.equal(j.top_processes[1].job_id, JOB);
});

Deno.test("monitor top -n asks for n processes and shows their jobs", async () => {
  const monitor = fakeMonitor();
  const r = await runFake(["monitor", "top", "-n", "2"], { monitor });
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(monitor.requests, [{ top: 2 }]);
  assertIncludes(
    r.out,
    "By CPU:\nPID  JOB       CPU%   MEM      COMMAND\n42   0a1b2c3d  180.3  1.0 GiB  python3 train.py\n",
  );
  assertIncludes(r.out, "By memory:");
});

Deno.test("monitor top rejects a bad -n with exit 2 before connecting", async () => {
  for (const n of ["0", "abc", "1001"]) {
    const r = await runFake(["monitor", "top", "-n", n], { monitor: fakeMonitor() });
    assert.equal(r.code, 2, n);
    assertIncludes(r.err, "--count must be a whole number from 1 to 1000.");
    assert.deepEqual(r.connections, []);
  }
});

Deno.test("monitor status reports an agent without MonitorService as a failure (exit 1)", async () => {
  const r = await runFake(["monitor", "status"], {
    monitor: fakeMonitor({
      fail: grpcError(status.UNIMPLEMENTED, "unknown service joblet.v1.MonitorService"),
    }),
  });
  assert.equal(r.code, 1);
  assertIncludes(r.err, "rnx: unknown service joblet.v1.MonitorService");
});

Deno.test("monitor watch --json prints one object per line with the interval it asked for", async () => {
  const monitor = fakeMonitor({ stream: [sampleHost(), sampleHost({ hostname: "second" })] });
  const r = await runFake(["monitor", "watch", "--interval", "2", "--json"], { monitor });
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n");
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[1]).hostname, "second");
  assert.deepEqual(monitor.requests, [{ intervalSeconds: 2, top: 5 }]);
});

Deno.test("monitor watch redraws in place on a terminal and prints blocks otherwise", async () => {
  const stream = [sampleHost(), sampleHost()];
  const tty = await runFake(["monitor", "watch"], { monitor: fakeMonitor({ stream }) }, { terminal: true });
  assert.equal(tty.code, 0, tty.err);
  assert.equal(tty.out.split("\x1b[H\x1b[2J").length, 3, "cleared before each of 2 updates");
  assertIncludes(tty.out, "Every 5s: lab (localhost:50051)");
  const pipe = await runFake(["monitor", "watch"], { monitor: fakeMonitor({ stream }) });
  assert.ok(!pipe.out.includes("\x1b["));
  assert.equal(pipe.out.split("=== ").length, 3);
});

Deno.test("monitor watch rejects --interval 0", async () => {
  const r = await runFake(["monitor", "watch", "--interval", "0"], { monitor: fakeMonitor() });
  assert.equal(r.code, 2);
  assertIncludes(r.err, "--interval must be a whole number from 1 to 3600.");
});
