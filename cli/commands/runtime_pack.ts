/**
 * Packed runtimes on the client side: `rnx runtime export NAME [-o FILE]` (the agent streams NAME.tar.zst; it is
 * written to FILE.part-… and renamed when whole, with its sha256 printed) and `rnx runtime install ./x.tar.zst`
 * (the file streamed up with backpressure, like job uploads: stream_writer.ts). A URL is fetched by the agent
 * (runtime.ts sends it with InstallRuntime). Progress lines only on a terminal.
 */
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { type ClientWritableStream, Metadata } from "@grpc/grpc-js";
import {
  type ExportRuntimeChunk,
  ExportRuntimeRequest,
  InstallRuntimeProgress,
  PackedRuntimeHeader,
  RuntimeServiceClient,
  UploadRuntimeRequest,
} from "../../proto/gen/joblet.ts";
import { type Connection, serviceClient } from "../client.ts";
import { JobletError } from "../../agent/domain/errors.ts";
import { isServiceError, rpcError, UsageError } from "../errors.ts";
import type { Sink } from "../io.ts";
import { humanBytes } from "../output/format.ts";
import { Progress } from "../output/progress.ts";
import { writeAll } from "../stream_writer.ts";
import { socketBytesWritten } from "../h2_socket.ts";

const PIECE = 256 * 1024;

/** What `rnx runtime install ARG` names: a URL, a packed runtime file, a spec file, or a built-in name. */
export type InstallTarget = "url" | "packed" | "spec" | "name";

export function installTarget(arg: string): InstallTarget {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return "url";
  if (/\.(tar\.zst|tzst)$/.test(arg)) return "packed";
  if (/\.ya?ml$/.test(arg)) return "spec";
  return "name";
}

/** Streams a local NAME.tar.zst to the agent; resolves with the "done" message (which carries the runtime). */
export async function uploadRuntime(
  conn: Connection,
  progressSink: Sink,
  file: string,
  opts: { force: boolean; sha256: string },
): Promise<InstallRuntimeProgress> {
  let size: number;
  try {
    const st = await Deno.stat(file);
    if (!st.isFile) throw new Error("not a regular file");
    size = st.size;
  } catch (e) {
    throw new UsageError(`cannot read packed runtime ${file}: ${(e as Error).message}`);
  }
  using f = await Deno.open(file, { read: true });
  let call!: ClientWritableStream<UploadRuntimeRequest>;
  const result = new Promise<InstallRuntimeProgress>((resolve, reject) => {
    call = serviceClient(conn, RuntimeServiceClient).uploadRuntime(
      new Metadata(),
      (err, res) => err ? reject(isServiceError(err) ? rpcError(err, conn.address) : err) : resolve(res!),
    );
  });
  const progress = new Progress(progressSink, size);
  async function* messages(): AsyncGenerator<UploadRuntimeRequest> {
    const header = PackedRuntimeHeader.fromPartial({
      force: opts.force,
      fileName: file,
      sizeBytes: size,
      sha256: opts.sha256,
    });
    yield UploadRuntimeRequest.fromPartial({ header });
    for (;;) {
      const buf = new Uint8Array(PIECE);
      const n = await f.read(buf);
      if (n === null) return;
      progress.add(n);
      yield UploadRuntimeRequest.fromPartial({ chunk: buf.subarray(0, n) });
    }
  }
  try {
    await writeAll(call, messages(), result, {
      sizeOf: (m) => m.chunk?.length ?? 0,
      sentBytes: socketBytesWritten(call),
    });
  } catch (err) {
    // A local read failed mid-upload: cancel, so the agent keeps nothing.
    result.catch(() => {});
    call.cancel();
    throw err;
  } finally {
    progress.finish();
  }
  return await result;
}

export interface Exported {
  file: string;
  bytes: number;
  sha256: string;
}

/** Receives the packed runtime into `file` (via FILE.part-…, renamed when whole). */
export async function exportRuntime(
  conn: Connection,
  progressSink: Sink,
  name: string,
  file: string,
): Promise<Exported> {
  // The call first: if it cannot even start, no partial file was made.
  const call = serviceClient(conn, RuntimeServiceClient).exportRuntime(
    ExportRuntimeRequest.fromPartial({ name }),
    new Metadata(),
  );
  const part = join(dirname(file), `.${file.split("/").pop()}.part-${crypto.randomUUID().slice(0, 8)}`);
  let out: Deno.FsFile;
  try {
    out = await Deno.open(part, { write: true, createNew: true, mode: 0o644 });
  } catch (e) {
    call.cancel();
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
  const hash = createHash("sha256");
  let bytes = 0;
  let drawn = false;
  let last = 0;
  // Ctrl-C ends the stream like any failure: the partial file is removed, nothing is left behind.
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    call.cancel();
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    for await (const c of call as AsyncIterable<ExportRuntimeChunk>) {
      hash.update(c.data);
      for (let off = 0; off < c.data.length;) off += await out.write(c.data.subarray(off));
      bytes += c.data.length;
      if (progressSink.isTerminal && Date.now() - last > 200) {
        last = Date.now();
        drawn = true;
        progressSink.print(`\r\x1b[2K${exportLine(c, bytes)}`);
      }
    }
    out.close();
    await Deno.rename(part, file);
    return { file, bytes, sha256: hash.digest("hex") };
  } catch (err) {
    try {
      out.close();
    } catch { /* closed */ }
    await Deno.remove(part).catch(() => {});
    call.cancel();
    if (interrupted) {
      throw new JobletError("Internal", `export of ${name} interrupted; ${file} was not written`);
    }
    if (isServiceError(err)) throw rpcError(err, conn.address);
    throw err;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
    if (drawn) progressSink.print("\r\x1b[2K");
  }
}

/** `Exporting [########........] 23.1 MiB of 68.0 MiB packed, 7.9 MiB written`. */
export function exportLine(
  c: Pick<ExportRuntimeChunk, "packedBytes" | "totalBytes">,
  written: number,
): string {
  const width = 24;
  const frac = c.totalBytes > 0 ? Math.min(1, c.packedBytes / c.totalBytes) : 0;
  return `Exporting [${"#".repeat(Math.round(frac * width)).padEnd(width, ".")}] ` +
    `${humanBytes(Math.min(c.packedBytes, c.totalBytes))} of ${humanBytes(c.totalBytes)} packed, ` +
    `${humanBytes(written)} written`;
}
