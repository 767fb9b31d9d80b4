/**
 * Per-job working directories (`<state>/jobs/<id>/work`, bind-mounted at /work) and the staging of uploads.
 * Uploads land in a private staging directory first; only a complete, valid upload is moved into place, so an
 * aborted or invalid one leaves nothing behind.
 */
import { join } from "node:path";
import { checkUploadPath, uploadMode } from "../../domain/upload.ts";
import { invalidArgument, JobletError } from "../../domain/errors.ts";
import type { UploadItem, UploadStaging, WorkspaceStore } from "../../core/ports.ts";

export interface UploadLimits {
  maxFiles: number;
  maxBytes: number;
}

/** The job runs as nobody: /work and what is uploaded into it belong to uid/gid 65534. */
const NOBODY = 65534;

export class Workspaces implements WorkspaceStore {
  readonly #jobsDir: string;
  readonly #stagingDir: string;

  constructor(stateDir: string) {
    this.#jobsDir = join(stateDir, "jobs");
    this.#stagingDir = join(stateDir, "staging");
    Deno.mkdirSync(this.#jobsDir, { recursive: true, mode: 0o700 });
    // Left-over staging from a crash is incomplete by definition.
    try {
      Deno.removeSync(this.#stagingDir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  workDir(jobId: string): string {
    return join(this.#jobsDir, jobId, "work");
  }

  /** Starts a staging area for one submission. */
  stage(limits: UploadLimits): Staging {
    Deno.mkdirSync(this.#stagingDir, { recursive: true, mode: 0o700 });
    const dir = Deno.makeTempDirSync({ dir: this.#stagingDir, prefix: "up-" });
    return new Staging(dir, limits);
  }

  /** Moves a finished staging area into place as the job's /work (an empty one when nothing was uploaded). */
  commit(jobId: string, staging: UploadStaging): string {
    if (!(staging instanceof Staging)) throw new TypeError("staging from another store");
    const work = this.workDir(jobId);
    Deno.mkdirSync(join(this.#jobsDir, jobId), { recursive: true, mode: 0o711 });
    Deno.renameSync(staging.dir, work);
    Deno.chownSync(work, NOBODY, NOBODY);
    Deno.chmodSync(work, 0o755);
    return work;
  }

  remove(jobId: string): void {
    try {
      Deno.removeSync(join(this.#jobsDir, jobId), { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
}

export class Staging implements UploadStaging {
  readonly dir: string;
  readonly #limits: UploadLimits;
  #open: { path: string; file: Deno.FsFile } | undefined;
  #files = 0;
  #bytes = 0;
  readonly #seen = new Set<string>();

  constructor(dir: string, limits: UploadLimits) {
    this.dir = dir;
    this.#limits = limits;
  }

  get files(): number {
    return this.#files;
  }
  get bytes(): number {
    return this.#bytes;
  }

  /** Applies one upload chunk. Throws InvalidArgument for unsafe paths or interleaved files. */
  write(item: UploadItem): void {
    const parts = checkUploadPath(item.path);
    if (this.#open && this.#open.path !== item.path) {
      throw invalidArgument(`upload of "${this.#open.path}" was not finished before "${item.path}" began`);
    }
    if (item.kind === "directory") {
      this.#ensureDirs(parts, parts.length);
      Deno.chmodSync(join(this.dir, ...parts), uploadMode(item.mode, true));
      return;
    }
    if (!this.#open) {
      if (this.#seen.has(item.path)) throw invalidArgument(`upload path "${item.path}" was sent twice`);
      if (++this.#files > this.#limits.maxFiles) {
        throw new JobletError(
          "ResourceExhausted",
          `too many uploaded files (at most ${this.#limits.maxFiles})`,
        );
      }
      this.#seen.add(item.path);
      this.#ensureDirs(parts, parts.length - 1);
      const target = join(this.dir, ...parts);
      const file = Deno.openSync(target, {
        write: true,
        createNew: true,
        mode: uploadMode(item.mode, false),
      });
      this.#open = { path: item.path, file };
    }
    this.#bytes += item.data.byteLength;
    if (this.#bytes > this.#limits.maxBytes) {
      throw new JobletError("ResourceExhausted", `uploads exceed ${this.#limits.maxBytes} bytes`);
    }
    let off = 0;
    while (off < item.data.byteLength) off += this.#open.file.writeSync(item.data.subarray(off));
    if (item.last) {
      this.#open.file.close();
      Deno.chmodSync(join(this.dir, ...parts), uploadMode(item.mode, false));
      this.#open = undefined;
    }
  }

  /** Checks the upload is complete and hands every file to the job's user. */
  finish(): void {
    if (this.#open) throw invalidArgument(`upload of "${this.#open.path}" ended before its last chunk`);
    chownTree(this.dir);
  }

  abort(): void {
    try {
      this.#open?.file.close();
    } catch { /* already closed */ }
    this.#open = undefined;
    Deno.removeSync(this.dir, { recursive: true });
  }

  #ensureDirs(parts: string[], count: number): void {
    let path = this.dir;
    for (let i = 0; i < count; i++) {
      path = join(path, parts[i]);
      let info: Deno.FileInfo | undefined;
      try {
        info = Deno.lstatSync(path);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      if (!info) Deno.mkdirSync(path, { mode: 0o755 });
      else if (!info.isDirectory) {
        throw invalidArgument(
          `upload path "${parts.join("/")}" goes through "${
            parts.slice(0, i + 1).join("/")
          }", which is a file`,
        );
      }
    }
  }
}

function chownTree(dir: string): void {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    Deno.chownSync(path, NOBODY, NOBODY);
    if (entry.isDirectory) chownTree(path);
  }
}
