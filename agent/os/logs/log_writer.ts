/**
 * Appends one job's output to its log file: one open file, one synchronous write per record, so when write()
 * returns the record is in the file (the page cache; it survives the agent being killed, not a power cut).
 */
import type { Clock, LogStreamName, LogWriter } from "../../core/ports.ts";
import { failedPrecondition, internal } from "../../domain/errors.ts";
import { HEADER_BYTES, MAX_PAYLOAD, writeHeader } from "./log_format.ts";

export const CAP_MARKER_PREFIX = "joblet: log cap of ";

export function capMarker(maxBytes: number): string {
  return `${CAP_MARKER_PREFIX}${formatBytes(maxBytes)} reached; further output discarded\n`;
}

export interface WriterState {
  /** File offset just past the last whole record. */
  end: number;
  lastSeq: number;
  bytes: number;
  capped: boolean;
}

export class FileLogWriter implements LogWriter {
  readonly jobId: string;
  readonly #file: Deno.FsFile;
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  readonly #onChange: () => void;
  readonly #onClose: () => void;
  #state: WriterState;
  #dropped = 0;
  #closed = false;
  #scratch = new Uint8Array(HEADER_BYTES + 64 * 1024);
  #view = new DataView(this.#scratch.buffer);

  constructor(opts: {
    jobId: string;
    file: Deno.FsFile;
    path: string;
    state: WriterState;
    maxBytes: number;
    clock: Clock;
    /** Called after every record written and on close (wakes followers). */
    onChange: () => void;
    onClose: () => void;
  }) {
    this.jobId = opts.jobId;
    this.#file = opts.file;
    this.#path = opts.path;
    this.#state = { ...opts.state };
    this.#maxBytes = opts.maxBytes;
    this.#clock = opts.clock;
    this.#onChange = opts.onChange;
    this.#onClose = opts.onClose;
  }

  /** Payload bytes stored, the cap marker included. */
  get bytes(): number {
    return this.#state.bytes;
  }

  /** Seq of the last record written (0 when none). */
  get lastSeq(): number {
    return this.#state.lastSeq;
  }

  /** Output bytes discarded by this writer because the cap was reached. */
  get droppedBytes(): number {
    return this.#dropped;
  }

  get capped(): boolean {
    return this.#state.capped;
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(stream: LogStreamName, data: Uint8Array): void {
    if (this.#closed) throw failedPrecondition(`Cannot write to the log of job ${this.jobId}: it is closed`);
    if (data.length === 0) return;
    if (this.#state.capped) {
      this.#dropped += data.length;
      return;
    }
    const room = this.#maxBytes - this.#state.bytes;
    if (data.length <= room) {
      this.#appendChunks(stream, data);
      this.#onChange();
      return;
    }
    if (room > 0) this.#appendChunks(stream, data.subarray(0, room));
    this.#dropped += data.length - Math.max(room, 0);
    this.#append("system", new TextEncoder().encode(capMarker(this.#maxBytes)));
    this.#state.capped = true;
    this.#onChange();
  }

  /** Closes the file and tells followers the log is complete. Closing twice does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
    this.#onClose();
  }

  #appendChunks(stream: LogStreamName, data: Uint8Array): void {
    for (let at = 0; at < data.length; at += MAX_PAYLOAD) {
      this.#append(stream, data.subarray(at, Math.min(at + MAX_PAYLOAD, data.length)));
    }
  }

  /** Header and payload go out in one write(2), so a killed agent leaves at most one torn record. */
  #append(stream: LogStreamName, payload: Uint8Array): void {
    const size = HEADER_BYTES + payload.length;
    if (this.#scratch.length < size) {
      this.#scratch = new Uint8Array(HEADER_BYTES + MAX_PAYLOAD);
      this.#view = new DataView(this.#scratch.buffer);
    }
    const seq = this.#state.lastSeq + 1;
    writeHeader(this.#view, 0, { length: payload.length, stream, seq, time: this.#clock.now() });
    this.#scratch.set(payload, HEADER_BYTES);
    try {
      writeAll(this.#file, this.#scratch.subarray(0, size));
    } catch (e) {
      this.#rewind();
      throw internal(`Cannot write the log of job ${this.jobId} to ${this.#path}: ${errorText(e)}`, e);
    }
    this.#state.end += size;
    this.#state.lastSeq = seq;
    this.#state.bytes += payload.length;
  }

  /** After a failed write (disk full), cut the torn record so the next write starts on a record boundary. */
  #rewind(): void {
    try {
      this.#file.truncateSync(this.#state.end);
      this.#file.seekSync(this.#state.end, Deno.SeekMode.Start);
    } catch {
      // The next write fails too, or leaves a record that readers reject as corrupt; nothing more to do here.
    }
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let n = 0;
  while (n < bytes.length) n += file.writeSync(bytes.subarray(n));
}

/** 1073741824 → "1.0 GiB". */
export function formatBytes(n: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
