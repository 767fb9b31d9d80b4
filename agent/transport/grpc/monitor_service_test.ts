import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import type { ServiceError } from "@grpc/grpc-js";
import type * as pb from "../../../proto/gen/joblet.ts";
import type { HostMonitor, HostStatus } from "../../domain/host.ts";
import type { JobMetricsView } from "../../domain/metrics.ts";
import { hostStatusToPb, monitorServiceHandlers, watchIntervalSeconds } from "./monitor_service.ts";

const INFO = { version: "9.9.9", apiVersion: "joblet.v1", cgroupVersion: "v2" };

function status(over: Partial<HostStatus> = {}): HostStatus {
  const times = { user: 1, nice: 0, system: 1, idle: 8, iowait: 0, irq: 0, softirq: 0, steal: 0 };
  return {
    time: 1_700_000_000_000,
    hostname: "box",
    os: "Debian GNU/Linux 12 (bookworm)",
    kernel: "6.1.0",
    uptimeSeconds: 100.7,
    cpuPercent: 20,
    cpuTimes: times,
    cores: [{ id: 0, usagePercent: 20, times }],
    load1: 0.5,
    load5: 0.25,
    load15: 0.1,
    memoryTotalBytes: 1000,
    memoryUsedBytes: 400,
    memoryAvailableBytes: 600,
    swapTotalBytes: 0,
    swapUsedBytes: 0,
    disks: [{
      mountPoint: "/",
      device: "/dev/vda",
      fsType: "ext4",
      totalBytes: 100,
      usedBytes: 40,
      availableBytes: 50,
    }],
    interfaces: [{ name: "eth0", rxBytes: 10, txBytes: 5, rxBytesPerSecond: 1.5, txBytesPerSecond: 0.5 }],
    processCount: 42,
    topProcesses: [{ pid: 7, command: "sleep 30", cpuPercent: 0, memoryBytes: 4096, jobId: "j" }],
    ...over,
  };
}

function fakeHost() {
  const calls: number[] = [];
  let samplers = 0;
  const sample = (top: number) => {
    calls.push(top);
    return Promise.resolve(status({ time: calls.length }));
  };
  const host: HostMonitor = {
    sample,
    sampler: () => {
      samplers++;
      return { sample };
    },
  };
  return { host, calls, samplers: () => samplers };
}

const jobs: JobMetricsView = { counts: () => ({ RUNNING: 2, COMPLETED: 5 }), running: () => [] };

/** A server call as grpc-js hands it to a handler, with an admin's certificate. */
function fakeCall<Req>(request: Req) {
  const call = Object.assign(new EventEmitter(), {
    request,
    written: [] as pb.HostStatus[],
    ended: false,
    getAuthContext: () => ({
      transportSecurityType: "ssl",
      sslPeerCertificate: { subject: { CN: "a", OU: "admin" } },
    }),
    write(msg: pb.HostStatus) {
      call.written.push(msg);
      return true;
    },
    end() {
      call.ended = true;
    },
    destroy(err: Error) {
      call.emit("destroyed", err);
    },
  });
  return call;
}

Deno.test("hostStatusToPb() adds version, cgroup version and job counts, and rounds integers", () => {
  const m = hostStatusToPb(status(), INFO, { RUNNING: 1 });
  assert.equal(m.jobletVersion, "9.9.9");
  assert.equal(m.cgroupVersion, "v2");
  assert.deepEqual(m.jobs, { RUNNING: 1 });
  assert.equal(m.uptimeSeconds, 101);
  assert.deepEqual(m.disks[0], {
    mountPoint: "/",
    device: "/dev/vda",
    fsType: "ext4",
    totalBytes: 100,
    usedBytes: 40,
  });
  assert.deepEqual(m.topProcesses[0], {
    pid: 7,
    command: "sleep 30",
    cpuPercent: 0,
    memoryBytes: 4096,
    jobId: "j",
  });
});

Deno.test("GetHostStatus samples with the requested top and answers the mapped status", async () => {
  const { host, calls } = fakeHost();
  const h = monitorServiceHandlers(host, jobs, INFO, () => {});
  const call = fakeCall({ top: 3 });
  const res = await new Promise<pb.HostStatus>((resolve, reject) =>
    h.getHostStatus(call as never, (err, v) => err ? reject(err) : resolve(v as pb.HostStatus))
  );
  assert.deepEqual(calls, [3]);
  assert.deepEqual(res.jobs, { RUNNING: 2, COMPLETED: 5 });
  assert.equal(res.hostname, "box");
});

Deno.test("GetHostStatus rejects an absurd top with INVALID_ARGUMENT", async () => {
  const { host } = fakeHost();
  const h = monitorServiceHandlers(host, jobs, INFO, () => {});
  const err = await new Promise<ServiceError>((resolve) =>
    h.getHostStatus(fakeCall({ top: 100_000 }) as never, (e) => resolve(e as ServiceError))
  );
  assert.equal(err.code, 3);
  assert.match(err.details, /top 100000 is too many processes/);
});

Deno.test("WatchHostStatus streams from its own sampler until the client goes away", async () => {
  const { host, calls, samplers } = fakeHost();
  const h = monitorServiceHandlers(host, jobs, INFO, () => {});
  const call = fakeCall({ intervalSeconds: 1, top: 0 });
  h.watchHostStatus(call as never);
  await new Promise((r) => setTimeout(r, 1300));
  call.emit("cancelled");
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(samplers(), 1);
  assert.equal(call.written.length, 2, "one at once, one after 1 s");
  assert.equal(calls.length, 2);
  assert.equal(call.ended, false, "a cancelled call is not ended by the server");
});

Deno.test("watchIntervalSeconds() defaults to 5 and keeps 1 … 3600", () => {
  assert.equal(watchIntervalSeconds(0), 5);
  assert.equal(watchIntervalSeconds(1), 1);
  assert.equal(watchIntervalSeconds(60), 60);
  assert.throws(() => watchIntervalSeconds(86400), /interval_seconds 86400 is too long \(use 1 to 3600/);
});
