/**
 * The on-disk framing of a job log (docs/adr/0003-state-and-logs.md). A file is an 8-byte magic followed by
 * records, each a fixed 21-byte little-endian header and then the payload:
 *
 *   offset  size  field
 *   0       4     u32  payload length in bytes (1 … MAX_PAYLOAD)
 *   4       1     u8   stream: 1 stdout, 2 stderr, 3 system
 *   5       8     u64  seq: 1, 2, 3 … per job, no gaps
 *   13      8     f64  time: Unix milliseconds when the agent read the bytes
 *   21      len   payload: the bytes as read from the pipe (not split into lines)
 *
 * A reader checks every header (known stream, seq = previous + 1, length within bounds), so a torn or
 * zero-filled tail after a crash reads as "the log ends here".
 */
import type { LogStreamName } from "../../core/ports.ts";

/** "JOBLOG", a NUL, and the format version. */
export const MAGIC = new Uint8Array([0x4a, 0x4f, 0x42, 0x4c, 0x4f, 0x47, 0x00, 0x01]);
export const HEADER_BYTES = 21;
/** Larger writes are split into several records, so a reader never needs more than one block per record. */
export const MAX_PAYLOAD = 128 * 1024;

const STREAM_CODE: Record<LogStreamName, number> = { stdout: 1, stderr: 2, system: 3 };
const STREAM_NAME: readonly (LogStreamName | undefined)[] = [undefined, "stdout", "stderr", "system"];

export function streamCode(stream: LogStreamName): number {
  return STREAM_CODE[stream];
}

export interface RecordHeader {
  length: number;
  stream: LogStreamName;
  seq: number;
  time: number;
}

export function writeHeader(view: DataView, at: number, h: RecordHeader): void {
  view.setUint32(at, h.length, true);
  view.setUint8(at + 4, STREAM_CODE[h.stream]);
  view.setBigUint64(at + 5, BigInt(h.seq), true);
  view.setFloat64(at + 13, h.time, true);
}

/**
 * The header at `at`, given `available` bytes from there: "partial" when the header is not all there yet,
 * "corrupt" when it is not the record that must come next (`expectedSeq`).
 */
export function readHeader(
  view: DataView,
  at: number,
  available: number,
  expectedSeq: number,
): RecordHeader | "partial" | "corrupt" {
  if (available < HEADER_BYTES) return "partial";
  const length = view.getUint32(at, true);
  const stream = STREAM_NAME[view.getUint8(at + 4)];
  const seq = Number(view.getBigUint64(at + 5, true));
  const time = view.getFloat64(at + 13, true);
  if (length === 0 || length > MAX_PAYLOAD || !stream || seq !== expectedSeq || !Number.isFinite(time)) {
    return "corrupt";
  }
  return { length, stream, seq, time };
}

export function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}
