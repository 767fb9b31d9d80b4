/**
 * Upload progress on stderr: one line rewritten in place (`\r`), only on a terminal and only for uploads large
 * enough to take a moment, at most every `intervalMs`.
 */
import type { Sink } from "../io.ts";
import { humanBytes } from "./format.ts";

/** Uploads smaller than this finish too fast to need a progress line. */
export const PROGRESS_THRESHOLD = 8 * 1024 * 1024;

export class Progress {
  #done = 0;
  #lastDraw = 0;
  #drawn = false;
  readonly enabled: boolean;

  constructor(
    private readonly sink: Sink,
    private readonly total: number,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = 200,
  ) {
    this.enabled = sink.isTerminal && total >= PROGRESS_THRESHOLD;
  }

  add(bytes: number): void {
    this.#done += bytes;
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.#lastDraw < this.intervalMs && this.#done < this.total) return;
    this.#lastDraw = t;
    this.#drawn = true;
    this.sink.print(`\r\x1b[2K${this.line()}`);
  }

  line(): string {
    const pct = this.total > 0 ? Math.min(100, Math.floor((this.#done / this.total) * 100)) : 100;
    return `Uploading ${humanBytes(this.#done)} / ${humanBytes(this.total)} (${pct}%)`;
  }

  /** Clears the progress line, if one was drawn. */
  finish(): void {
    if (this.#drawn) this.sink.print("\r\x1b[2K");
    this.#drawn = false;
  }
}
