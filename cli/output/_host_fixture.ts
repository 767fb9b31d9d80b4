/** A HostStatus as the agent would send it, for rnx's monitor tests; override any field. */
import { HostStatus } from "../../proto/gen/joblet.ts";

export const JOB = "0a1b2c3d-0000-4000-8000-000000000001";
export const GiB = 1024 ** 3;

export function sampleHost(over: Partial<HostStatus> = {}): HostStatus {
  return HostStatus.fromPartial({
    timeUnixMs: Date.UTC(2024, 0, 2, 3, 4, 5),
    hostname: "node-1",
    os: "Debian GNU/Linux 12 (bookworm)",
    kernel: "6.1.0-18-amd64",
    uptimeSeconds: 3 * 86400 + 4 * 3600,
    cpuPercent: 37.5,
    cores: Array.from({ length: 10 }, (_, id) => ({ id, usagePercent: id * 10 })),
    load1: 1.5,
    load5: 1.25,
    load15: 1,
    memoryTotalBytes: 16 * GiB,
    memoryUsedBytes: 4 * GiB,
    memoryAvailableBytes: 12 * GiB,
    swapTotalBytes: 0,
    swapUsedBytes: 0,
    disks: [{
      mountPoint: "/",
      device: "/dev/vda",
      fsType: "ext4",
      totalBytes: 100 * GiB,
      usedBytes: 25 * GiB,
    }],
    interfaces: [{ name: "eth0", rxBytes: 2048, txBytes: 1024, rxBytesPerSecond: 1536, txBytesPerSecond: 0 }],
    processCount: 123,
    jobletVersion: "0.1.0",
    cgroupVersion: "v2",
    jobs: { RUNNING: 2, COMPLETED: 5, FAILED: 0 },
    topProcesses: [
      { pid: 10, command: "postgres: writer", cpuPercent: 5, memoryBytes: 2 * GiB, jobId: "" },
      { pid: 42, command: "python3 train.py", cpuPercent: 180.25, memoryBytes: GiB, jobId: JOB },
      { pid: 7, command: "sshd", cpuPercent: 0, memoryBytes: 1024, jobId: "" },
    ],
    ...over,
  });
}
