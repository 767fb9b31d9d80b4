/**
 * The lines of one job's log in the browser: appended as the SSE stream delivers them, read by index by the
 * virtualised view, searched as a whole. Text lives in one array and the stream of each line in a growing byte
 * array, so 100,000 lines cost little more than their text. Past `capacity` the oldest lines are dropped in
 * one block (indexes shift by `dropped`), so a job that logs forever cannot exhaust the tab.
 */
export type LogStream = "stdout" | "stderr";

const STDERR = 1;

export class LogBuffer {
  #text: string[] = [];
  #streams = new Uint8Array(1024);
  /** Lines dropped from the front since the start. */
  dropped = 0;
  /** Bumped on every change, so a view can tell it must redraw. */
  version = 0;

  constructor(readonly capacity = 1_000_000) {}

  get length(): number {
    return this.#text.length;
  }

  push(stream: LogStream, line: string): void {
    if (this.#text.length >= this.capacity) this.#dropOldest(Math.max(1, Math.floor(this.capacity / 10)));
    const i = this.#text.length;
    if (i >= this.#streams.length) {
      const grown = new Uint8Array(this.#streams.length * 2);
      grown.set(this.#streams);
      this.#streams = grown;
    }
    this.#streams[i] = stream === "stderr" ? STDERR : 0;
    this.#text.push(line);
    this.version++;
  }

  line(i: number): string {
    return this.#text[i] ?? "";
  }

  stream(i: number): LogStream {
    return this.#streams[i] === STDERR ? "stderr" : "stdout";
  }

  clear(): void {
    this.dropped += this.#text.length;
    this.#text = [];
    this.#streams = new Uint8Array(1024);
    this.version++;
  }

  /** Indexes of the lines containing `query` (case-insensitive unless it has a capital), in order. */
  search(query: string, from = 0): number[] {
    if (query === "") return [];
    const caseSensitive = query !== query.toLowerCase();
    const needle = caseSensitive ? query : query.toLowerCase();
    const out: number[] = [];
    for (let i = Math.max(0, from); i < this.#text.length; i++) {
      const t = caseSensitive ? this.#text[i] : this.#text[i].toLowerCase();
      if (t.includes(needle)) out.push(i);
    }
    return out;
  }

  #dropOldest(n: number): void {
    this.#text.splice(0, n);
    this.#streams.copyWithin(0, n);
    this.dropped += n;
  }
}

/** The match after (or before, with step -1) `current` among sorted `matches`, wrapping round; -1 if none. */
export function nextMatch(matches: readonly number[], current: number, step: 1 | -1): number {
  if (matches.length === 0) return -1;
  if (step === 1) return matches.find((m) => m > current) ?? matches[0];
  for (let i = matches.length - 1; i >= 0; i--) if (matches[i] < current) return matches[i];
  return matches[matches.length - 1];
}
