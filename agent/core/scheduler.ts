/**
 * The due-time queue behind scheduled jobs, retries and cron ticks: a binary heap of (time, order of adding),
 * one timer armed for the earliest entry. Time comes from an injected Clock and timers from an injected Timers,
 * so tests drive it without sleeping.
 */
import type { Clock } from "./ports.ts";

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Real timers; unref'd, so a waiting schedule never keeps the agent's process alive on its own. */
export const systemTimers: Timers = {
  set: (fn, ms) => {
    const id = setTimeout(fn, ms);
    Deno.unrefTimer(id);
    return id;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** setTimeout takes at most 2^31-1 ms; a later entry re-arms when this wait ends. */
const MAX_WAIT_MS = 2 ** 31 - 1;

interface Entry {
  id: string;
  at: number;
  seq: number;
}

export class Scheduler {
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #onDue: (id: string, at: number) => void;
  readonly #heap: Entry[] = [];
  /** The live entry of each id; heap entries not in here are stale and skipped. */
  readonly #live = new Map<string, Entry>();
  #seq = 0;
  #timer: unknown;
  #armedFor = Infinity;
  #closed = false;

  constructor(clock: Clock, onDue: (id: string, at: number) => void, timers: Timers = systemTimers) {
    this.#clock = clock;
    this.#onDue = onDue;
    this.#timers = timers;
  }

  get size(): number {
    return this.#live.size;
  }

  /** Adds `id` due at `at` (Unix ms), replacing an earlier entry for it. */
  add(id: string, at: number): void {
    const entry = { id, at, seq: this.#seq++ };
    this.#live.set(id, entry);
    this.#push(entry);
    this.#arm();
  }

  remove(id: string): void {
    this.#live.delete(id);
  }

  has(id: string): boolean {
    return this.#live.has(id);
  }

  /** The earliest live entry. */
  peek(): { id: string; at: number } | undefined {
    this.#dropStale();
    const top = this.#heap[0];
    return top ? { id: top.id, at: top.at } : undefined;
  }

  /**
   * Hands every entry due now to onDue, earliest first (equal times in the order they were added), and
   * returns their ids. The timer calls this; tests call it after moving their clock.
   */
  tick(): string[] {
    const now = this.#clock.now();
    const fired: string[] = [];
    for (;;) {
      this.#dropStale();
      const top = this.#heap[0];
      if (!top || top.at > now) break;
      this.#pop();
      this.#live.delete(top.id);
      fired.push(top.id);
      this.#onDue(top.id, top.at);
    }
    this.#arm();
    return fired;
  }

  /** Clears the timer; nothing fires afterwards. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    if (this.#closed) return;
    const next = this.peek();
    if (!next) {
      if (this.#timer !== undefined) this.#timers.clear(this.#timer);
      this.#timer = undefined;
      this.#armedFor = Infinity;
      return;
    }
    if (this.#timer !== undefined && this.#armedFor <= next.at) return;
    if (this.#timer !== undefined) this.#timers.clear(this.#timer);
    this.#armedFor = next.at;
    const wait = Math.min(Math.max(0, next.at - this.#clock.now()), MAX_WAIT_MS);
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#armedFor = Infinity;
      this.tick();
    }, wait);
  }

  #dropStale(): void {
    while (this.#heap.length > 0 && this.#live.get(this.#heap[0].id) !== this.#heap[0]) this.#pop();
  }

  #push(e: Entry): void {
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m])) m = l;
      if (r < h.length && before(h[r], h[m])) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
