/**
 * Job logs as one append-only file per job (`<dir>/<jobId>.log`, framing in log_format.ts). Everything goes
 * through the file: a follower reads the file to its end, then sleeps until the writer in this process says
 * it appended something, so a follower sees every record once, in order, with memory bounded by one block.
 */
import { type Clock, type LogRecord, type LogStore, systemClock } from "../../core/ports.ts";
import { failedPrecondition, internal, invalidArgument, JobletError } from "../../domain/errors.ts";
import { hasMagic, HEADER_BYTES, MAGIC, MAX_PAYLOAD, readHeader } from "./log_format.ts";
import { readFully, readPayload, scanLog } from "./log_scan.ts";
import { CAP_MARKER_PREFIX, FileLogWriter } from "./log_writer.ts";

export interface FileLogStoreOptions {
  /** Payload bytes kept per job; output past it is dropped after one "system" record saying so. */
  maxBytesPerJob: number;
  clock?: Clock;
}

/** Readers fetch this much per read(2); a record is at most MAX_PAYLOAD, so one always fits. */
export const READ_BLOCK = 256 * 1024;

/** File names are job ids: no path separators, no dot files. */
const JOB_ID = /^[0-9A-Za-z_][0-9A-Za-z._-]{0,127}$/;

/** In-process state of a job whose log has an open writer. */
interface LiveLog {
  writer: FileLogWriter;
  /** Bumped on every append and on close. */
  version: number;
  waiters: Set<() => void>;
}

export class FileLogStore implements LogStore {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #clock: Clock;
  readonly #live = new Map<string, LiveLog>();
  /** size() of closed logs, keyed by the file length it was computed for. */
  readonly #sizes = new Map<string, { fileLength: number; bytes: number }>();
  #readers = 0;

  constructor(dir: string, opts: FileLogStoreOptions) {
    if (!Number.isSafeInteger(opts.maxBytesPerJob) || opts.maxBytesPerJob < 0) {
      throw invalidArgument(
        `Cannot use log cap ${opts.maxBytesPerJob}: it must be a whole number of bytes >= 0`,
      );
    }
    this.#dir = dir;
    this.#maxBytes = opts.maxBytesPerJob;
    this.#clock = opts.clock ?? systemClock;
  }

  path(jobId: string): string {
    if (!JOB_ID.test(jobId)) {
      throw invalidArgument(`Cannot use "${jobId}" as a log name: use letters, digits, ".", "_" and "-"`);
    }
    return `${this.#dir}/${jobId}.log`;
  }

  /**
   * Opens the job's log for appending. An existing file (after a restart) is kept: a torn record at its end is
   * cut off and seq continues from the last whole record.
   */
  writer(jobId: string): FileLogWriter {
    const path = this.path(jobId);
    if (this.#live.has(jobId)) {
      throw failedPrecondition(`Cannot open the log of job ${jobId} for writing: it already has a writer`);
    }
    let file: Deno.FsFile | undefined;
    try {
      Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      file = Deno.openSync(path, { read: true, write: true, create: true, mode: 0o600 });
      const state = this.#recover(file, path);
      const live: LiveLog = { writer: undefined as unknown as FileLogWriter, version: 0, waiters: new Set() };
      live.writer = new FileLogWriter({
        jobId,
        file,
        path,
        state,
        maxBytes: this.#maxBytes,
        clock: this.#clock,
        onChange: () => wake(live),
        onClose: () => {
          if (this.#live.get(jobId) === live) this.#live.delete(jobId);
          wake(live);
        },
      });
      this.#live.set(jobId, live);
      this.#sizes.delete(jobId);
      return live.writer;
    } catch (e) {
      file?.close();
      if (e instanceof JobletError) throw e;
      throw internal(`Cannot open the log of job ${jobId} at ${path}: ${errorText(e)}`, e);
    }
  }

  /**
   * Every record from the first, in order. Without `follow`, or when no writer is open in this process, it
   * stops at the end of the file; with `follow` it waits for the writer until it closes or `signal` aborts.
   * Calling return() on the iterator (breaking out of for-await) releases the file and the wait at once.
   */
  read(jobId: string, opts: { follow: boolean; signal?: AbortSignal }): AsyncIterableIterator<LogRecord> {
    const path = this.path(jobId);
    const stop = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
    const records = this.#records(jobId, path, opts.follow, signal);
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => records.next(),
      return: (value?: unknown) => {
        stop.abort();
        return records.return(value);
      },
      throw: (e?: unknown) => {
        stop.abort();
        return records.throw(e);
      },
    };
  }

  size(jobId: string): number {
    const live = this.#live.get(jobId);
    if (live) return live.writer.bytes;
    const path = this.path(jobId);
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return 0;
      throw internal(`Cannot open the log of job ${jobId} at ${path}: ${errorText(e)}`, e);
    }
    try {
      const fileLength = file.statSync().size;
      const cached = this.#sizes.get(jobId);
      if (cached?.fileLength === fileLength) return cached.bytes;
      const head = new Uint8Array(MAGIC.length);
      const bytes = readFully(file, head) === MAGIC.length && hasMagic(head)
        ? scanLog(file, fileLength).bytes
        : 0;
      this.#sizes.set(jobId, { fileLength, bytes });
      return bytes;
    } finally {
      file.close();
    }
  }

  /** Readers that hold a log file open (for metrics; and tests check readers release it). */
  get openReaders(): number {
    return this.#readers;
  }

  isOpen(jobId: string): boolean {
    return this.#live.has(jobId);
  }

  /** Closes the writer if one is open and removes the file; an absent log is not an error. */
  delete(jobId: string): void {
    const path = this.path(jobId);
    this.#live.get(jobId)?.writer.close();
    this.#sizes.delete(jobId);
    try {
      Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw internal(`Cannot delete the log of job ${jobId} at ${path}: ${errorText(e)}`, e);
      }
    }
  }

  /** Makes `file` a valid log ending on a record boundary and returns where appending resumes. */
  #recover(file: Deno.FsFile, path: string) {
    const fileLength = file.statSync().size;
    const head = new Uint8Array(MAGIC.length);
    const got = readFully(file, head);
    if (got < MAGIC.length && MAGIC.subarray(0, got).every((b, i) => head[i] === b)) {
      // New file, or one cut short while its magic was being written.
      file.truncateSync(0);
      file.seekSync(0, Deno.SeekMode.Start);
      file.writeSync(MAGIC);
      return { end: MAGIC.length, lastSeq: 0, bytes: 0, capped: false };
    }
    if (!hasMagic(head)) {
      throw failedPrecondition(
        `Cannot append to ${path}: it is not a joblet log (it does not start with "JOBLOG"); move it away`,
      );
    }
    const scan = scanLog(file, fileLength);
    if (scan.end < fileLength) file.truncateSync(scan.end);
    let capped = false;
    if (scan.last?.stream === "system") {
      const text = new TextDecoder().decode(readPayload(file, scan.last));
      capped = text.startsWith(CAP_MARKER_PREFIX);
    }
    file.seekSync(scan.end, Deno.SeekMode.Start);
    return { end: scan.end, lastSeq: scan.lastSeq, bytes: scan.bytes, capped };
  }

  async *#records(
    jobId: string,
    path: string,
    follow: boolean,
    signal: AbortSignal,
  ): AsyncGenerator<LogRecord> {
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw internal(`Cannot read the log of job ${jobId} at ${path}: ${errorText(e)}`, e);
    }
    this.#readers++;
    try {
      const buf = new Uint8Array(READ_BLOCK);
      const view = new DataView(buf.buffer);
      let start = 0; // first unparsed byte in buf
      let end = 0; // end of the bytes read into buf
      let magicChecked = false;
      let lastSeq = 0;
      while (!signal.aborted) {
        // Snapshot before reading: a write that lands after this bumps the version, so we read again.
        const liveBefore = this.#live.get(jobId);
        const versionBefore = liveBefore?.version;
        if (start > 0) {
          buf.copyWithin(0, start, end);
          end -= start;
          start = 0;
        }
        const n = await file.read(buf.subarray(end));
        if (n !== null && n > 0) {
          end += n;
          if (!magicChecked) {
            if (end < MAGIC.length) continue;
            if (!hasMagic(buf)) {
              throw failedPrecondition(
                `Cannot read ${path}: it is not a joblet log (it does not start with "JOBLOG")`,
              );
            }
            magicChecked = true;
            start = MAGIC.length;
          }
          while (true) {
            const h = readHeader(view, start, end - start, lastSeq + 1);
            if (h === "partial" || (h !== "corrupt" && start + HEADER_BYTES + h.length > end)) break;
            if (h === "corrupt") {
              // A closed log may end in garbage after a crash (the next writer cuts it off); that is its end.
              if (!this.#live.has(jobId)) return;
              throw internal(
                `Cannot read the log of job ${jobId}: record ${lastSeq + 1} is corrupt in ${path}`,
              );
            }
            const from = start + HEADER_BYTES;
            start = from + h.length;
            lastSeq = h.seq;
            yield { seq: h.seq, time: h.time, stream: h.stream, data: buf.slice(from, start) };
            if (signal.aborted) return;
          }
          continue;
        }
        // End of file.
        const live = this.#live.get(jobId);
        if (live !== liveBefore || live?.version !== versionBefore) continue;
        if (!follow || !live) return; // complete, or no writer here: what is in the file is all there is
        await changeOrAbort(live, signal);
      }
    } finally {
      this.#readers--;
      file.close();
    }
  }
}

function wake(live: LiveLog): void {
  live.version++;
  for (const w of [...live.waiters]) w();
}

function changeOrAbort(live: LiveLog, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      live.waiters.delete(done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    live.waiters.add(done);
    signal.addEventListener("abort", done);
  });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// Keep the block and record sizes consistent if either is changed.
if (READ_BLOCK < HEADER_BYTES + MAX_PAYLOAD) throw new Error("READ_BLOCK must hold the largest record");
