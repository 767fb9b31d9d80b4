/**
 * Copying a job's log to the terminal: stdout records → our stdout, stderr and agent (system) records → our
 * stderr, bytes as they came (no decoding). Records are written before more are read, so a slow reader
 * (`rnx job log X | less`) slows the stream down instead of filling memory: grpc-js stops reading from the
 * network while its small object buffer is full. Records already waiting for the same stream are joined into
 * one write (up to 64 KiB), which keeps order between stdout and stderr and saves a syscall per line.
 * A closed pipe (`| head`) ends the copy quietly.
 */
import { type LogRecord, LogStream } from "../../proto/gen/joblet.ts";
import type { Connection } from "../client.ts";
import type { Io, Sink } from "../io.ts";
import { isServiceError, rpcError } from "../errors.ts";

export type LogEnd = "ended" | "reader-closed";

const BATCH_BYTES = 64 * 1024;

export async function copyLog(conn: Connection, io: Io, id: string, follow: boolean): Promise<LogEnd> {
  const call = conn.jobs.streamLogs({ id, follow });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let pendingSink: Sink | undefined;

  const flush = async () => {
    if (!pendingSink || pending.length === 0) return;
    const data = pending.length === 1 ? pending[0] : concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await pendingSink.write(data);
  };

  try {
    for await (const record of call as AsyncIterable<LogRecord>) {
      const sink = record.stream === LogStream.LOG_STREAM_STDOUT ? io.stdout : io.stderr;
      if (sink !== pendingSink) await flush();
      pendingSink = sink;
      pending.push(record.data);
      pendingBytes += record.data.length;
      if (pendingBytes >= BATCH_BYTES || call.readableLength === 0) await flush();
    }
    await flush();
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) {
      call.on("error", () => {}); // the CANCELLED status that follows is expected
      call.cancel();
      return "reader-closed";
    }
    if (isServiceError(err)) throw rpcError(err, conn.address);
    throw err;
  }
  return "ended";
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
