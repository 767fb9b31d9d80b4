/**
 * Per-job resource sampling: every interval while a job runs, read its cgroup, store a sample (bounded history),
 * and hand it to live followers. The totals a finished job keeps are computed here too.
 */
import type { JobSample, JobUsage } from "../domain/metrics.ts";
import type { CgroupStats, Clock, JobCgroup, JobStore } from "./ports.ts";

export interface SamplerOptions {
  intervalMs: number;
  /** Samples kept per job. */
  keep: number;
}

interface Tracked {
  cgroup: JobCgroup;
  timer: ReturnType<typeof setInterval> | undefined;
  last: JobSample | undefined;
  peak: number;
  listeners: Set<(s: JobSample | undefined) => void>;
}

/** A sample from cgroup counters, with CPU % against the previous sample. */
export function toSample(
  stats: CgroupStats,
  time: number,
  prev: JobSample | undefined,
  peak: number,
): JobSample {
  const cpuSeconds = stats.cpuUsageUs / 1e6;
  const dt = prev ? (time - prev.time) / 1000 : 0;
  const cpuPercent = prev && dt > 0 ? Math.max(0, ((cpuSeconds - prev.cpuSeconds) / dt) * 100) : 0;
  return {
    time,
    cpuSeconds,
    cpuPercent: Math.round(cpuPercent * 10) / 10,
    cpuThrottledUs: stats.cpuThrottledUs,
    memoryBytes: stats.memoryCurrent,
    memoryPeakBytes: Math.max(peak, stats.memoryPeak, stats.memoryCurrent),
    ioReadBytes: stats.ioReadBytes,
    ioWriteBytes: stats.ioWriteBytes,
    pids: stats.pids,
  };
}

export function usageOf(sample: JobSample | undefined, oomKilled: boolean): JobUsage {
  return {
    cpuSeconds: sample?.cpuSeconds ?? 0,
    peakMemoryBytes: sample?.memoryPeakBytes ?? 0,
    ioReadBytes: sample?.ioReadBytes ?? 0,
    ioWriteBytes: sample?.ioWriteBytes ?? 0,
    oomKilled,
    cpuThrottledUs: sample?.cpuThrottledUs ?? 0,
  };
}

export class MetricsSampler {
  readonly #store: JobStore;
  readonly #clock: Clock;
  readonly #opts: SamplerOptions;
  readonly #jobs = new Map<string, Tracked>();
  readonly #log: (msg: string) => void;

  constructor(store: JobStore, clock: Clock, opts: SamplerOptions, log: (msg: string) => void = () => {}) {
    this.#store = store;
    this.#clock = clock;
    this.#opts = opts;
    this.#log = log;
  }

  start(jobId: string, cgroup: JobCgroup): void {
    const t: Tracked = { cgroup, timer: undefined, last: undefined, peak: 0, listeners: new Set() };
    this.#jobs.set(jobId, t);
    this.sample(jobId);
    if (this.#opts.intervalMs > 0) t.timer = setInterval(() => this.sample(jobId), this.#opts.intervalMs);
  }

  /** Takes a sample now (stores it, updates the record's usage, wakes followers). */
  sample(jobId: string): JobSample | undefined {
    const t = this.#jobs.get(jobId);
    if (!t) return undefined;
    let stats: CgroupStats;
    try {
      stats = t.cgroup.stats();
    } catch (e) {
      this.#log(`job ${jobId}: cannot read cgroup stats: ${e instanceof Error ? e.message : e}`);
      return t.last;
    }
    const s = toSample(stats, this.#clock.now(), t.last, t.peak);
    t.peak = s.memoryPeakBytes;
    t.last = s;
    this.#store.addSample(jobId, s, this.#opts.keep);
    this.#store.update(jobId, { usage: usageOf(s, stats.oomKills > 0) });
    for (const l of t.listeners) l(s);
    return s;
  }

  latest(jobId: string): JobSample | undefined {
    return this.#jobs.get(jobId)?.last;
  }

  /** Ends sampling of a job; followers finish after the samples they have. */
  stop(jobId: string): void {
    const t = this.#jobs.get(jobId);
    if (!t) return;
    clearInterval(t.timer);
    this.#jobs.delete(jobId);
    for (const l of t.listeners) l(undefined);
  }

  /** The stored history, then (with follow, while the job is sampled) each new sample. */
  async *stream(jobId: string, follow: boolean, signal?: AbortSignal): AsyncGenerator<JobSample> {
    const t = this.#jobs.get(jobId);
    const queue: (JobSample | undefined)[] = [];
    let wake: (() => void) | undefined;
    const listener = (s: JobSample | undefined) => {
      queue.push(s);
      wake?.();
    };
    // Subscribe before reading the history, and skip what the history already had: no gap, no duplicate.
    if (follow && t) t.listeners.add(listener);
    const onAbort = () => listener(undefined);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      let lastTime = -1;
      for (const s of this.#store.samples(jobId)) {
        lastTime = s.time;
        yield s;
      }
      if (!follow || !t) return;
      for (;;) {
        while (queue.length === 0) await new Promise<void>((r) => wake = r);
        const s = queue.shift();
        if (s === undefined || signal?.aborted) return;
        if (s.time > lastTime) yield s;
      }
    } finally {
      t?.listeners.delete(listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
