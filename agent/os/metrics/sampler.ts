/**
 * A HostSampler over a HostReader: keeps its previous reading so each sample's rates cover the time since the
 * one before. Calls are serialised (a sample never races another on the same baseline), and two readings are
 * at least `minWindowMs` apart so percentages are not computed over a few ticks.
 */
import type { HostSampler, HostStatus } from "../../domain/host.ts";
import { composeStatus } from "./compose.ts";
import type { HostReader, HostReading } from "./reader.ts";

export interface SamplerOptions {
  /** Shortest time between the two readings a sample compares (default 200 ms). */
  minWindowMs?: number;
  /**
   * A previous reading older than this is not compared with (default: any age). The shared sampler of one-off
   * requests sets it, so `rnx monitor status` an hour after the last one shows CPU use now, not the hour's
   * average.
   */
  maxWindowMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class ProcHostSampler implements HostSampler {
  private prev?: HostReading;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly minWindowMs: number;
  private readonly maxWindowMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly reader: HostReader, opts: SamplerOptions = {}) {
    this.minWindowMs = opts.minWindowMs ?? 200;
    this.maxWindowMs = opts.maxWindowMs ?? Infinity;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  sample(top: number): Promise<HostStatus> {
    const next = this.queue.then(() => this.take(Math.max(0, Math.floor(top))));
    this.queue = next.catch(() => {});
    return next;
  }

  private async take(top: number): Promise<HostStatus> {
    const withProcs = top > 0;
    let prev = this.prev;
    const stale = prev && performance.now() - prev.mono > this.maxWindowMs;
    if (!prev || stale || (withProcs && !prev.procs)) {
      prev = await this.reader.read(withProcs);
      await this.sleep(this.minWindowMs);
    } else {
      const wait = this.minWindowMs - (performance.now() - prev.mono);
      if (wait > 0) await this.sleep(wait);
    }
    const cur = await this.reader.read(withProcs);
    this.prev = cur;
    const status = composeStatus(prev, cur, top, this.reader.pageSize);
    await Promise.all(status.topProcesses.map(async (p) => {
      const d = await this.reader.describe(p.pid);
      if (d.command) p.command = d.command;
      p.jobId = d.jobId;
    }));
    return status;
  }
}
