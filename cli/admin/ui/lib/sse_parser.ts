/**
 * A Server-Sent-Events parser for responses read with fetch (EventSource cannot POST, and runtime installs
 * stream their progress from a POST). Feed it decoded text chunks as they arrive; it returns the events that
 * are complete. Follows the HTML spec's field rules: `event:`, `data:` (several join with "\n"), comments
 * start with ":", a blank line ends an event, CRLF and CR count as line ends.
 */
export interface SseEvent {
  event: string;
  data: string;
}

export class SseParser {
  #rest = "";
  #event = "";
  #data: string[] = [];

  push(chunk: string): SseEvent[] {
    const text = this.#rest + chunk;
    const lines = text.split(/\r\n|\r|\n/);
    // A chunk ending in "\r" may be the first half of "\r\n": keep it (and the unfinished last line) for later.
    this.#rest = lines.pop()!;
    if (text.endsWith("\r")) this.#rest = lines.pop()! + "\r";
    const out: SseEvent[] = [];
    for (const line of lines) {
      if (line === "") {
        if (this.#data.length) out.push({ event: this.#event || "message", data: this.#data.join("\n") });
        this.#event = "";
        this.#data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") this.#event = value;
      else if (field === "data") this.#data.push(value);
    }
    return out;
  }
}
