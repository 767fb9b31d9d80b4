/**
 * Turning `--upload` / `--upload-dir` into the UploadChunks of a RunJob stream, without holding a file in memory.
 *
 * Planning (`planUploads`) walks the local paths first, so a missing path or a clash fails before anything is
 * sent. Where things land in /work:
 *   --upload a.txt        → a.txt
 *   --upload src/         → src (DIRECTORY), src/main.c, src/empty (DIRECTORY), …
 *   --upload-dir ctx      → the entries inside ctx, at the top of /work
 * Permission bits (mode & 0o777) are kept. Symbolic links inside a walked directory are followed when they point
 * at a file; links to directories are skipped (reported in `skipped`) so a loop cannot make the walk endless.
 *
 * Streaming (`uploadChunks`) reads each file in `chunkSize` pieces; the last chunk of a file has `last: true`,
 * an empty file is one chunk with no data, a directory is one DIRECTORY chunk.
 */
import { UploadKind } from "../proto/gen/joblet.ts";
import type { UploadChunk } from "../proto/gen/joblet.ts";
import { checkUploadPath as domainCheck, uploadMode } from "../agent/domain/upload.ts";
import { JobletError } from "../agent/domain/errors.ts";
import { UsageError } from "./errors.ts";

export const DEFAULT_CHUNK_SIZE = 256 * 1024;

export interface UploadEntry {
  kind: "file" | "directory";
  /** Where to read it on this machine. */
  source: string;
  /** Where it lands, relative to /work, '/'-separated. */
  path: string;
  mode: number;
  /** Bytes, when planned; 0 for directories. */
  size: number;
}

export interface UploadPlan {
  entries: UploadEntry[];
  totalBytes: number;
  /** Local paths left out, with the reason. */
  skipped: string[];
}

/** The agent's rule for a /work-relative path (agent/domain/upload.ts), as a usage error. */
export function checkUploadPath(path: string): void {
  try {
    domainCheck(path);
  } catch (err) {
    if (err instanceof JobletError) throw new UsageError(err.message);
    throw err;
  }
}

/** Walks the given paths into an ordered list of entries; parents always come before their children. */
export async function planUploads(uploads: string[], uploadDirs: string[]): Promise<UploadPlan> {
  const plan: UploadPlan = { entries: [], totalBytes: 0, skipped: [] };
  const taken = new Map<string, string>();
  const add = (entry: UploadEntry) => {
    checkUploadPath(entry.path);
    const before = taken.get(entry.path);
    if (before !== undefined) {
      throw new UsageError(
        `uploads clash: "${before}" and "${entry.source}" would both land at /work/${entry.path}`,
      );
    }
    taken.set(entry.path, entry.source);
    plan.entries.push(entry);
    plan.totalBytes += entry.size;
  };

  for (const source of uploads) {
    const info = await statSource("--upload", source);
    const name = baseName(source);
    if (name === "") {
      throw new UsageError(
        `--upload "${source}" has no name to use in /work; use --upload-dir to send its contents`,
      );
    }
    if (info.isDirectory) {
      add({ kind: "directory", source, path: name, mode: modeOf(info), size: 0 });
      await walk(source, name, add, plan.skipped);
    } else {
      add({ kind: "file", source, path: name, mode: modeOf(info), size: info.size });
    }
  }
  for (const dir of uploadDirs) {
    const info = await statSource("--upload-dir", dir);
    if (!info.isDirectory) {
      throw new UsageError(`--upload-dir "${dir}" is not a directory (use --upload for a file)`);
    }
    await walk(dir, "", add, plan.skipped);
  }
  return plan;
}

async function walk(dir: string, prefix: string, add: (e: UploadEntry) => void, skipped: string[]) {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  names.sort();
  for (const name of names) {
    const source = `${dir.replace(/\/+$/, "")}/${name}`;
    const path = prefix === "" ? name : `${prefix}/${name}`;
    const link = await Deno.lstat(source);
    let info = link;
    if (link.isSymlink) {
      try {
        info = await Deno.stat(source);
      } catch {
        skipped.push(`${source} (broken symbolic link)`);
        continue;
      }
      if (info.isDirectory) {
        skipped.push(`${source} (symbolic link to a directory)`);
        continue;
      }
    }
    if (info.isDirectory) {
      add({ kind: "directory", source, path, mode: modeOf(info), size: 0 });
      await walk(source, path, add, skipped);
    } else if (info.isFile) {
      add({ kind: "file", source, path, mode: modeOf(info), size: info.size });
    } else {
      skipped.push(`${source} (not a regular file or directory)`);
    }
  }
}

async function statSource(flag: string, source: string): Promise<Deno.FileInfo> {
  try {
    return await Deno.stat(source);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new UsageError(`${flag} "${source}" does not exist`);
    throw new UsageError(`${flag} "${source}" cannot be read: ${(err as Error).message}`);
  }
}

/** The last part of a path, ignoring trailing slashes; "." and ".." resolve to the real directory's name. */
export function baseName(source: string): string {
  let p = source.replace(/\/+$/, "");
  if (p === "" || p === "." || p === ".." || p.endsWith("/.") || p.endsWith("/..")) {
    p = realPath(p === "" ? "/" : p);
  }
  return p.slice(p.lastIndexOf("/") + 1);
}

function realPath(p: string): string {
  try {
    return Deno.realPathSync(p);
  } catch {
    return p;
  }
}

function modeOf(info: Deno.FileInfo): number {
  return uploadMode(info.mode ?? 0, info.isDirectory);
}

/** The chunks for a plan, in order, reading each file `chunkSize` bytes at a time. */
export async function* uploadChunks(
  entries: UploadEntry[],
  chunkSize = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<UploadChunk> {
  for (const e of entries) {
    if (e.kind === "directory") {
      yield {
        path: e.path,
        mode: e.mode,
        kind: UploadKind.UPLOAD_KIND_DIRECTORY,
        data: new Uint8Array(),
        last: true,
      };
      continue;
    }
    using file = await Deno.open(e.source, { read: true });
    // Read one chunk ahead so the final chunk can carry last = true even if the file's size changed.
    let current = await readChunk(file, chunkSize);
    if (current === null) {
      yield {
        path: e.path,
        mode: e.mode,
        kind: UploadKind.UPLOAD_KIND_FILE,
        data: new Uint8Array(),
        last: true,
      };
      continue;
    }
    while (current !== null) {
      const next: Uint8Array | null = await readChunk(file, chunkSize);
      yield {
        path: e.path,
        mode: e.mode,
        kind: UploadKind.UPLOAD_KIND_FILE,
        data: current,
        last: next === null,
      };
      current = next;
    }
  }
}

/** Reads up to `size` bytes (fewer only at the end of the file); null at the end. */
async function readChunk(file: Deno.FsFile, size: number): Promise<Uint8Array | null> {
  const buf = new Uint8Array(size);
  let filled = 0;
  while (filled < size) {
    const n = await file.read(buf.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return filled === 0 ? null : buf.subarray(0, filled);
}
