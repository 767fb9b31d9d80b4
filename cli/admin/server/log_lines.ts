/**
 * Log records (byte chunks, per stream, cut anywhere) as text lines, for the log SSE: one `log` event per
 * line. Each stream keeps its own unfinished line and UTF-8 decoder, so a line or a character split across
 * records is put together again; `flush()` gives what is left when the log ends. Agent (system) records are
 * shown with stderr.
 */
import { LogStream } from "../../../proto/gen/joblet.ts";
import { rfc3339 } from "../../output/format.ts";

export type StreamName = "stdout" | "stderr";

export interface LogLine {
  stream: StreamName;
  line: string;
  time: string;
}

/** Longest line kept whole; longer ones are cut (a binary blob without newlines must not grow forever). */
export const MAX_LINE = 64 * 1024;

export class LineSplitter {
  readonly #rest: Record<StreamName, string> = { stdout: "", stderr: "" };
  readonly #time: Record<StreamName, number> = { stdout: 0, stderr: 0 };
  readonly #decoders: Record<StreamName, TextDecoder> = {
    stdout: new TextDecoder(),
    stderr: new TextDecoder(),
  };

  push(record: { stream: LogStream; data: Uint8Array; timeUnixMs: number }): LogLine[] {
    const stream: StreamName = record.stream === LogStream.LOG_STREAM_STDOUT ? "stdout" : "stderr";
    const text = this.#rest[stream] + this.#decoders[stream].decode(record.data, { stream: true });
    if (this.#rest[stream] === "") this.#time[stream] = record.timeUnixMs;
    const parts = text.split("\n");
    let rest = parts.pop()!;
    const out: LogLine[] = parts.map((line) => this.#line(stream, line));
    while (rest.length > MAX_LINE) {
      out.push(this.#line(stream, rest.slice(0, MAX_LINE)));
      rest = rest.slice(MAX_LINE);
    }
    if (out.length > 0) this.#time[stream] = record.timeUnixMs;
    this.#rest[stream] = rest;
    return out;
  }

  /** The unfinished lines, at the end of the log. */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const s of ["stdout", "stderr"] as const) {
      const rest = this.#rest[s] + this.#decoders[s].decode();
      if (rest !== "") out.push(this.#line(s, rest));
      this.#rest[s] = "";
    }
    return out;
  }

  #line(stream: StreamName, line: string): LogLine {
    return {
      stream,
      line: line.endsWith("\r") ? line.slice(0, -1) : line,
      time: rfc3339(this.#time[stream]) ?? "",
    };
  }
}
