/**
 * Packed runtimes (`NAME.tar.zst`, ADR 0010): a zstd-compressed tar whose first member is `manifest.json`
 * (`archive_manifest.ts`) and whose other members are the runtime's `root/`.
 *
 * Export (`packRuntime`): checksum the root (`treeDigest`), write the manifest member, then GNU tar's output
 * (`tar -c --sort=name root`), all through `zstd`; streamed out in pieces.
 *
 * Install (`unpackRuntime`), into an empty staging dir the caller owns and removes on failure:
 *
 *   bytes in ──sha256──▶ zstd -d ──▶ TarGate (checks every header) ──▶ tar -x -C staging
 *
 * The gate validates and admits the manifest before any file reaches tar, and refuses members that could land
 * outside the staging dir. When the stream ends: the archive's sha256 (when given), then the extracted root's
 * content against the manifest's checksum; `runtime.json` is written last. Nothing is held whole in memory.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { failedPrecondition, internal, invalidArgument, JobletError } from "../../domain/errors.ts";
import type { RuntimeRecord, RuntimeSpec } from "../../domain/runtime.ts";
import type { InstallProgress, PackChunk } from "../../core/runtime_ports.ts";
import { MANIFEST_MEMBER, TarGate } from "./archive_gate.ts";
import { manifestOf, type PackManifest, parseManifest } from "./archive_manifest.ts";
import { padding, tarHeader } from "./archive_tar.ts";
import { treeDigest } from "./archive_digest.ts";

/** Size of the pieces an export is sent in. */
const PIECE = 256 * 1024;
/** Progress is reported every this many bytes received. */
const REPORT_EVERY = 1024 * 1024;

/** `dir` is the installed runtime's directory (`<runtimes>/NAME`, holding `root/`). */
export async function* packRuntime(
  dir: string,
  record: RuntimeRecord,
  opts: { signal?: AbortSignal; now?: () => number } = {},
): AsyncGenerator<PackChunk> {
  const name = record.spec.name;
  const { checksum, bytes } = await treeDigest(join(dir, "root"), opts.signal);
  const now = opts.now?.() ?? Date.now();
  const json = new TextEncoder().encode(
    JSON.stringify(manifestOf({ ...record, sizeBytes: bytes }, checksum, now), null, 2) + "\n",
  );
  const head = concat([
    tarHeader({
      name: MANIFEST_MEMBER,
      size: json.length,
      mode: 0o644,
      mtimeSeconds: now / 1000,
      type: "file",
    }),
    json,
    new Uint8Array(padding(json.length)),
  ]);
  const tar = spawn("tar", [
    "-C",
    dir,
    "-c",
    "-f",
    "-",
    "--format=gnu",
    "--sort=name",
    "--numeric-owner",
    "root",
  ], {
    stdin: "null",
  });
  const zstd = spawn("zstd", ["-q", "-c", "-T0"], { stdin: "piped" });
  const errors = [text(tar.stderr), text(zstd.stderr)];
  let packed = 0;
  const feed = (async () => {
    const w = zstd.stdin.getWriter();
    await w.write(head);
    for await (const c of tar.stdout) {
      packed += c.length;
      await w.write(c);
    }
    await w.close();
  })();
  feed.catch(() => {});
  const stop = () => [tar, zstd].forEach(kill);
  opts.signal?.addEventListener("abort", stop, { once: true });
  try {
    let pieces: Uint8Array[] = [];
    let n = 0;
    for await (const c of zstd.stdout) {
      pieces.push(c);
      n += c.length;
      if (n < PIECE) continue;
      yield { data: concat(pieces), packedBytes: packed, totalBytes: bytes };
      pieces = [];
      n = 0;
    }
    const [t, z] = await Promise.all([tar.status, zstd.status]);
    opts.signal?.throwIfAborted();
    if (!t.success) throw internal(`cannot export runtime ${name}: tar failed: ${tail(await errors[0])}`);
    if (!z.success) throw internal(`cannot export runtime ${name}: zstd failed: ${tail(await errors[1])}`);
    await feed;
    if (n > 0) yield { data: concat(pieces), packedBytes: packed, totalBytes: bytes };
  } finally {
    opts.signal?.removeEventListener("abort", stop);
    stop();
  }
}

export interface UnpackOptions {
  /** The archive's bytes. */
  chunks: AsyncIterable<Uint8Array>;
  /** Its size when known (file size, Content-Length), for progress. */
  size?: number;
  /** How progress names the transfer: "receive" (from the client) or "download" (a URL). */
  phase: "receive" | "download";
  /** The archive's file name or URL, for messages. */
  label: string;
  /** An empty directory: `root/` and `runtime.json` end up there. The caller removes it on failure. */
  dir: string;
  /** Expected sha256 of the archive's bytes (hex). */
  sha256?: string;
  /** Sees the manifest's spec before anything is extracted; throws to refuse it. */
  admit(spec: RuntimeSpec): void;
  signal?: AbortSignal;
  now?: () => number;
}

export async function* unpackRuntime(o: UnpackOptions): AsyncGenerator<InstallProgress, RuntimeRecord> {
  const events: InstallProgress[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  const work = unpack(o, (p) => {
    events.push(p);
    wake?.();
  });
  work.then(() => settled = true, () => settled = true).finally(() => wake?.());
  while (!settled || events.length) {
    if (events.length) yield events.shift()!;
    else await new Promise<void>((r) => wake = r);
  }
  return await work;
}

async function unpack(o: UnpackOptions, report: (p: InstallProgress) => void): Promise<RuntimeRecord> {
  const step = (phase: InstallProgress["phase"], message: string, bytes = 0, totalBytes = 0) =>
    report({ phase, message, done: 0, total: 0, bytes, totalBytes });
  const zstd = spawn("zstd", ["-d", "-q", "-c"], { stdin: "piped" });
  const tar = spawn(
    "tar",
    ["-x", "-f", "-", "-C", o.dir, "--numeric-owner", "--same-permissions", "--no-overwrite-dir"],
    { stdin: "piped" },
  );
  const zErr = text(zstd.stderr);
  const tErr = text(tar.stderr);
  let failure: unknown;
  let onFail!: () => void;
  const failed = new Promise<void>((r) => onFail = r);
  const fail = (e: unknown) => {
    if (failure !== undefined) return;
    failure = e;
    kill(zstd);
    kill(tar);
    onFail();
  };
  const abort = () => fail(o.signal!.reason ?? new Error("the install was cancelled"));
  o.signal?.addEventListener("abort", abort, { once: true });

  let manifest: PackManifest | undefined;
  const gate = new TarGate({
    onManifest: (bytes) => {
      const m = parseManifest(bytes);
      o.admit(m.spec);
      manifest = m;
      step("unpack", `${m.spec.name} ${m.spec.version} (${m.packages.length} packages, ${mib(m.sizeBytes)})`);
      return m.sizeBytes;
    },
  });
  /** tar stopped reading: its own status says why, unless we stopped it. */
  const tarStopped = async (e: unknown): Promise<unknown> => {
    const s = await tar.status;
    return s.success || failure !== undefined ? e : tarFailure(await tErr, o.dir);
  };

  // zstd's output → the gate → tar.
  const inner = (async () => {
    const w = tar.stdin.getWriter();
    for await (const c of zstd.stdout) {
      // One write per piece of zstd output, not one per member: a runtime has thousands of small files.
      const parts = gate.push(c);
      if (parts.length) await w.write(concat(parts)).catch(async (e) => Promise.reject(await tarStopped(e)));
    }
    if (!(await zstd.status).success) throw zstdFailure(await zErr);
    gate.finish();
    await w.close().catch(async (e) => Promise.reject(await tarStopped(e)));
    if (!(await tar.status).success) throw tarFailure(await tErr, o.dir);
  })();

  // The archive's bytes → sha256 and zstd.
  const hash = createHash("sha256");
  let received = 0;
  /** zstd stopped reading (a corrupt archive, or the gate refused): the other side says why. */
  const zstdStopped = async (e: unknown): Promise<never> => {
    await inner.catch(() => {});
    throw e;
  };
  const feed = (async () => {
    const w = zstd.stdin.getWriter();
    let reported = 0;
    for await (const c of o.chunks) {
      if (failure !== undefined) return;
      hash.update(c);
      received += c.length;
      await w.write(c).catch(zstdStopped);
      if (received - reported >= REPORT_EVERY) {
        reported = received;
        step(o.phase, o.label, received, o.size ?? 0);
      }
    }
    await w.close().catch(zstdStopped);
    step(o.phase, o.label, received, o.size ?? received);
  })();
  feed.catch(fail);
  inner.catch(fail);
  try {
    await Promise.race([Promise.allSettled([feed, inner]), failed]);
    if (failure !== undefined) {
      await Promise.allSettled([zstd.status, tar.status]);
      throw failure;
    }
  } finally {
    o.signal?.removeEventListener("abort", abort);
  }
  if (!manifest) throw invalidArgument("the archive has no manifest.json");
  const m: PackManifest = manifest;

  const hex = hash.digest("hex");
  if (o.sha256 !== undefined && hex !== o.sha256.toLowerCase()) {
    throw invalidArgument(
      `the archive's sha256 is ${hex}, not ${o.sha256} as --sha256 says: it is not the file you meant ` +
        `or it was damaged on the way`,
    );
  }
  step("verify", `checking ${mib(m.sizeBytes)} against the manifest's checksum`, 0, m.sizeBytes);
  let digest;
  try {
    digest = await treeDigest(join(o.dir, "root"), o.signal);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw invalidArgument("the archive has no root/ directory");
    throw e;
  }
  if (digest.checksum !== m.checksum) {
    throw invalidArgument(
      `the unpacked runtime does not match its manifest's checksum (${m.checksum}, unpacked ${digest.checksum}): ` +
        `the archive is corrupt or was altered`,
    );
  }
  const record: RuntimeRecord = {
    spec: m.spec,
    packages: m.packages,
    sizeBytes: digest.bytes,
    installedAt: o.now?.() ?? Date.now(),
  };
  Deno.writeTextFileSync(join(o.dir, "runtime.json"), JSON.stringify(record, null, 2) + "\n");
  return record;
}

function tarFailure(stderr: string, dir: string): JobletError {
  if (/No space left on device/.test(stderr)) {
    return new JobletError(
      "ResourceExhausted",
      `no space left on the agent's disk while unpacking (runtimes live in ${
        join(dir, "..")
      }); free some space`,
    );
  }
  return invalidArgument(`tar could not unpack the archive: ${tail(stderr)}`);
}

function zstdFailure(stderr: string): JobletError {
  return invalidArgument(
    `the archive is not a complete zstd stream (zstd: ${tail(stderr)}); ` +
      `use a NAME.tar.zst made by rnx runtime export`,
  );
}

function spawn(cmd: string, args: string[], io: { stdin: "piped" | "null" }): Deno.ChildProcess {
  try {
    return new Deno.Command(cmd, { args, stdin: io.stdin, stdout: "piped", stderr: "piped" }).spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw failedPrecondition(`${cmd} is missing on the agent's host (Debian: apt-get install ${cmd})`);
    }
    throw e;
  }
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
}

function text(r: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(r).text().catch(() => "");
}

function tail(stderr: string): string {
  return stderr.trim().split("\n").slice(-2).join(" | ") || "no message";
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
