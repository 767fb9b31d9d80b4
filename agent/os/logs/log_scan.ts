/**
 * Walks the headers of a log file (synchronously, skipping payloads) to find where its last whole record ends.
 * Used when a writer reopens a log after a restart and to measure a closed log.
 */
import type { LogStreamName } from "../../core/ports.ts";
import { HEADER_BYTES, MAGIC, readHeader } from "./log_format.ts";

export interface ScanResult {
  /** Byte offset just past the last whole record (MAGIC.length for an empty log). */
  end: number;
  /** Seq of the last whole record (0 when none). */
  lastSeq: number;
  /** Sum of the payload lengths of the whole records. */
  bytes: number;
  /** The last whole record, if any. */
  last?: { offset: number; length: number; stream: LogStreamName };
}

const SCAN_BLOCK = 64 * 1024;

/** `file` must start with MAGIC (the caller checks); `fileLength` is its current size. */
export function scanLog(file: Deno.FsFile, fileLength: number): ScanResult {
  const block = new Uint8Array(SCAN_BLOCK);
  const view = new DataView(block.buffer);
  const result: ScanResult = { end: MAGIC.length, lastSeq: 0, bytes: 0 };
  let blockStart = 0;
  let blockLength = 0;
  let pos = MAGIC.length;
  while (pos + HEADER_BYTES <= fileLength) {
    if (pos < blockStart || pos + HEADER_BYTES > blockStart + blockLength) {
      file.seekSync(pos, Deno.SeekMode.Start);
      blockStart = pos;
      blockLength = readFully(file, block);
    }
    const h = readHeader(view, pos - blockStart, blockStart + blockLength - pos, result.lastSeq + 1);
    if (typeof h === "string") break;
    const next = pos + HEADER_BYTES + h.length;
    if (next > fileLength) break;
    result.last = { offset: pos, length: h.length, stream: h.stream };
    result.lastSeq = h.seq;
    result.bytes += h.length;
    result.end = pos = next;
  }
  return result;
}

/** Reads the payload of one record found by scanLog. */
export function readPayload(file: Deno.FsFile, record: { offset: number; length: number }): Uint8Array {
  const out = new Uint8Array(record.length);
  file.seekSync(record.offset + HEADER_BYTES, Deno.SeekMode.Start);
  readFully(file, out);
  return out;
}

/** Fills `buf` from the current position; returns how many bytes were read (less only at end of file). */
export function readFully(file: Deno.FsFile, buf: Uint8Array): number {
  let n = 0;
  while (n < buf.length) {
    const got = file.readSync(buf.subarray(n));
    if (got === null || got === 0) break;
    n += got;
  }
  return n;
}
