/** The host collector: `createHostMonitor()` reads /proc and /sys-backed files (and statvfs through FFI). */
import type { HostMonitor, HostSampler, HostStatus } from "../../domain/host.ts";
import { HostReader, type HostReaderOptions } from "./reader.ts";
import { ProcHostSampler, type SamplerOptions } from "./sampler.ts";
import { pageSize, statvfs } from "./statvfs.ts";

export { HostReader } from "./reader.ts";
export { ProcHostSampler } from "./sampler.ts";

/** One-off requests compare with a previous reading at most this old, else take a fresh one. */
export const SHARED_MAX_WINDOW_MS = 10_000;

export type HostMonitorOptions = Partial<HostReaderOptions> & SamplerOptions;

/** Needs --allow-read and --allow-ffi (statvfs, sysconf). */
export function createHostMonitor(opts: HostMonitorOptions = {}): HostMonitor {
  const reader = new HostReader({
    ...opts,
    statvfs: opts.statvfs ?? statvfs,
    pageSize: opts.pageSize ?? pageSize(),
  });
  const shared = new ProcHostSampler(reader, { maxWindowMs: SHARED_MAX_WINDOW_MS, ...opts });
  return {
    sample: (top: number): Promise<HostStatus> => shared.sample(top),
    sampler: (): HostSampler => new ProcHostSampler(reader, opts),
  };
}
