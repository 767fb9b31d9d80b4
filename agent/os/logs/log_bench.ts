/**
 * Throughput of the log store: writing `totalBytes` in 64 KiB chunks, reading it all back (parsing included),
 * and, for scale, a plain FsFile.writeSync of the same chunks. No assertions; run it with
 * `deno run -A agent/os/logs/log_bench.ts [MiB]` (default 256) or call benchLogStore() from tests/bench.
 */
import { FileLogStore } from "./file_log_store.ts";

const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;

export async function benchLogStore(
  totalBytes: number,
): Promise<{ writeMiBs: number; readMiBs: number; plainWriteMiBs: number }> {
  const dir = await Deno.makeTempDir({ prefix: "joblet-log-bench-" });
  try {
    const chunk = new Uint8Array(CHUNK).map((_, i) => 32 + (i * 7) % 95);
    const chunks = Math.ceil(totalBytes / CHUNK);
    const bytes = chunks * CHUNK;

    const store = new FileLogStore(dir, { maxBytesPerJob: bytes + 1 });
    const id = "bench-job";
    const w = store.writer(id);
    let t0 = performance.now();
    for (let i = 0; i < chunks; i++) w.write(i % 4 === 3 ? "stderr" : "stdout", chunk);
    const writeMs = performance.now() - t0;
    w.close();

    let read = 0;
    t0 = performance.now();
    for await (const r of store.read(id, { follow: false })) read += r.data.length;
    const readMs = performance.now() - t0;
    if (read !== bytes) throw new Error(`read back ${read} bytes of ${bytes}`);

    // The plain write runs after the log store's, on a page cache in the same state, so neither pays for the
    // first allocation alone.
    const plainFile = Deno.openSync(`${dir}/plain.bin`, { write: true, create: true });
    t0 = performance.now();
    for (let i = 0; i < chunks; i++) {
      for (let n = 0; n < CHUNK;) n += plainFile.writeSync(chunk.subarray(n));
    }
    const plainMs = performance.now() - t0;
    plainFile.close();

    const mibs = (ms: number) => Math.round((bytes / MiB) / (ms / 1000));
    return { writeMiBs: mibs(writeMs), readMiBs: mibs(readMs), plainWriteMiBs: mibs(plainMs) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const mib = Number(Deno.args[0] ?? 256);
  const r = await benchLogStore(mib * MiB);
  console.log(
    `log store, ${mib} MiB in 64 KiB chunks: write ${r.writeMiBs} MiB/s, read back ${r.readMiBs} MiB/s ` +
      `(plain FsFile.writeSync: ${r.plainWriteMiBs} MiB/s)`,
  );
}
