/**
 * Per-job working directories (`<state>/jobs/<id>/work`, bind-mounted at /work) and the staging of uploads.
 * Uploads land in a private staging directory first; only a complete, valid upload is moved into place, so an
 * aborted or invalid one leaves nothing behind.
 *
 * With a size limit (`--max-disk`, config `jobs.max_disk`; docs/adr/0009-workspace-quota.md) /work is an ext4
 * image on a loop device instead of a plain directory:
 *
 *   <state>/jobs/<id>/work.ext4.new   sparse file of the job's size, made at commit: a ready image from the
 *                                     pool (image_pool.ts) when it is of the default size, else unformatted
 *   <state>/jobs/<id>/staged/         the uploads, waiting to be copied in
 *   <state>/jobs/<id>/work.ext4       the formatted image: the job's files, kept after the job ends
 *   <state>/jobs/<id>/work            the mount point, mounted only while a run of the job uses it
 *
 * The first open() formats the image (unless it came formatted from the pool), mounts it, copies the uploads in and only then renames it to work.ext4;
 * a failure on the way unmounts and leaves work.ext4.new empty again (and the uploads staged), so a retry
 * starts over and nothing is half-made. Later opens (retries) mount work.ext4 again; the last
 * close() unmounts it, which frees the loop device. Deleting the job deletes the directory.
 */
import { join } from "node:path";
import { checkUploadPath, uploadMode } from "../../domain/upload.ts";
import { failedPrecondition, internal, invalidArgument, JobletError } from "../../domain/errors.ts";
import { formatSize } from "../../domain/units.ts";
import type { UploadItem, UploadStaging, WorkspaceStore } from "../../core/ports.ts";
import { restage } from "./seed.ts";
import { DEFAULT_POOL_SIZE, ImagePool } from "./image_pool.ts";

export interface UploadLimits {
  maxFiles: number;
  maxBytes: number;
  /** Size of the job's /work in bytes (uploads count toward it); 0 or absent = no limit (a plain directory). */
  diskBytes?: number;
}

/** What the store needs from the host to give a job a size-limited /work (os/workspace/disk_image.ts). */
export interface DiskImages {
  /** Throws FailedPrecondition, saying how to fix it, when the host cannot make images. */
  check(): void;
  /** Formats the sparse file `image` (its size is the limit) ext4, root directory owned by nobody. */
  format(image: string): Promise<void>;
  /** Whether `image` holds a file system already (a ready image from the pool) rather than zeros. */
  isFormatted(image: string): boolean;
  /** Attaches `image` to a loop device that lives as long as the mount, and mounts it on `target`. */
  mount(image: string, target: string): void | Promise<void>;
  isMounted(target: string): boolean;
  /** Mount points at or below `dir`. */
  mountsUnder(dir: string): string[];
  unmount(target: string, lazy?: boolean): void;
}

export interface WorkspacesOptions {
  /** Size-limited workspaces; absent: a job that asks for a limit is refused. */
  images?: DiskImages;
  /** Keep images of this size (the default jobs.max_disk) formatted ahead of time; 0 or absent: no pool. */
  poolBytes?: number;
  /** How many (DEFAULT_POOL_SIZE when absent). */
  poolSize?: number;
  log?: (msg: string) => void;
}

/** The job runs as nobody: /work and what is uploaded into it belong to uid/gid 65534. */
const NOBODY = 65534;
const IMAGE = "work.ext4";
const NEW_IMAGE = "work.ext4.new";
const STAGED = "staged";
const POOL = "workspace-pool";

interface Use {
  users: number;
  ready: Promise<string>;
}

export class Workspaces implements WorkspaceStore {
  readonly #jobsDir: string;
  readonly #stagingDir: string;
  readonly #images: DiskImages | undefined;
  readonly #log: (msg: string) => void;
  readonly #uses = new Map<string, Use>();
  readonly #pool: ImagePool | undefined;

  constructor(stateDir: string, opts: WorkspacesOptions = {}) {
    this.#jobsDir = join(stateDir, "jobs");
    this.#stagingDir = join(stateDir, "staging");
    this.#images = opts.images;
    this.#log = opts.log ?? (() => {});
    Deno.mkdirSync(this.#jobsDir, { recursive: true, mode: 0o700 });
    // Left-over staging from a crash is incomplete by definition.
    try {
      Deno.removeSync(this.#stagingDir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    // No job runs when the agent starts (recovery marks them FAILED), so no workspace should be mounted: an
    // earlier agent that died left these. Unmounting frees their loop devices; the images keep the files.
    if (this.#images) {
      const jobs = Deno.realPathSync(this.#jobsDir);
      for (const mnt of this.#images.mountsUnder(jobs).reverse()) {
        try {
          this.#images.unmount(mnt, true);
          this.#log(`workspace ${mnt}: unmounted (left mounted by an earlier agent)`);
        } catch (e) {
          this.#log(`workspace ${mnt}: cannot unmount: ${(e as Error).message}`);
        }
      }
    }
    const images = this.#images;
    let usable = !!images && (opts.poolBytes ?? 0) > 0;
    try {
      if (usable) images!.check();
    } catch (e) {
      usable = false; // jobs will be refused with the fix; no pool to fill
      this.#log(`workspace pool: off (${(e as Error).message})`);
    }
    this.#pool = usable
      ? new ImagePool({
        dir: join(stateDir, POOL),
        bytes: opts.poolBytes!,
        size: opts.poolSize ?? DEFAULT_POOL_SIZE,
        format: (image) => images!.format(image),
        log: this.#log,
      })
      : undefined;
  }

  /** The pool of ready images, when there is one (benches and tests wait on it). */
  get pool(): ImagePool | undefined {
    return this.#pool;
  }

  /** Stops making ready images and deletes them (the agent is stopping). */
  async stopPool(): Promise<void> {
    await this.#pool?.stop();
  }

  workDir(jobId: string): string {
    return join(this.#jobsDir, jobId, "work");
  }

  /** Starts a staging area for one submission. */
  stage(limits: UploadLimits): Staging {
    const diskBytes = limits.diskBytes ?? 0;
    if (diskBytes > 0) {
      if (!this.#images) {
        throw failedPrecondition("this agent cannot limit the size of /work; remove --max-disk");
      }
      this.#images.check();
    }
    Deno.mkdirSync(this.#stagingDir, { recursive: true, mode: 0o700 });
    const dir = Deno.makeTempDirSync({ dir: this.#stagingDir, prefix: "up-" });
    return new Staging(dir, { ...limits, diskBytes });
  }

  /**
   * Moves a finished staging area into place as the job's /work (an empty one when nothing was uploaded); with
   * a size limit, as the uploads waiting beside a sparse image of that size (formatted by the first open()).
   */
  commit(jobId: string, staging: UploadStaging): string {
    if (!(staging instanceof Staging)) throw new TypeError("staging from another store");
    const dir = join(this.#jobsDir, jobId);
    const work = this.workDir(jobId);
    Deno.mkdirSync(dir, { recursive: true, mode: 0o711 });
    if (staging.diskBytes === 0) {
      Deno.renameSync(staging.dir, work);
      Deno.chownSync(work, NOBODY, NOBODY);
      Deno.chmodSync(work, 0o755);
      return work;
    }
    try {
      if (!this.#pool?.take(staging.diskBytes, join(dir, NEW_IMAGE))) {
        const f = Deno.openSync(join(dir, NEW_IMAGE), { write: true, createNew: true, mode: 0o600 });
        try {
          f.truncateSync(staging.diskBytes);
        } finally {
          f.close();
        }
      }
      Deno.mkdirSync(work, { mode: 0o755 });
      Deno.renameSync(staging.dir, join(dir, STAGED));
    } catch (e) {
      Deno.removeSync(dir, { recursive: true });
      throw e;
    }
    return work;
  }

  /**
   * A new staging area holding a fresh copy of the uploads `ownerId` (a cron schedule) was given, sized like its
   * /work; committed as a run's own /work (seed.ts).
   */
  restage(ownerId: string, limits: UploadLimits): Promise<Staging> {
    const dir = join(this.#jobsDir, ownerId);
    const image = [join(dir, IMAGE), join(dir, NEW_IMAGE)].find(exists);
    const staged = join(dir, STAGED);
    return restage(this, ownerId, {
      image,
      staged: image && exists(staged) ? staged : undefined,
      work: this.workDir(ownerId),
    }, limits);
  }

  /**
   * Makes the workspace of `ownerId` (a job) ready for a run and
   * returns its host path: mounts its image (formatting it and copying the uploads in the first time). Each
   * open() needs a close(); runs that overlap share one mount.
   */
  open(ownerId: string): string | Promise<string> {
    let use = this.#uses.get(ownerId);
    if (!use && !this.#hasImage(ownerId)) return this.workDir(ownerId); // no size limit: a plain directory
    if (!use) {
      const fresh: Use = { users: 0, ready: this.#mount(ownerId) };
      this.#uses.set(ownerId, fresh);
      fresh.ready.catch(() => {
        if (this.#uses.get(ownerId) === fresh) this.#uses.delete(ownerId);
      });
      use = fresh;
    }
    use.users++;
    const counted = use;
    return counted.ready.catch((e) => {
      counted.users--;
      throw e;
    });
  }

  #hasImage(ownerId: string): boolean {
    const dir = join(this.#jobsDir, ownerId);
    return exists(join(dir, IMAGE)) || exists(join(dir, NEW_IMAGE));
  }

  /** One run less uses the workspace; the last one unmounts it (the image keeps the files). */
  async close(ownerId: string): Promise<void> {
    const use = this.#uses.get(ownerId);
    if (!use || --use.users > 0) return;
    this.#uses.delete(ownerId);
    try {
      await use.ready;
    } catch {
      return;
    }
    const images = this.#images;
    const work = this.workDir(ownerId);
    if (!images || !images.isMounted(work)) return;
    try {
      images.unmount(work);
    } catch (e) {
      // Something still holds it (a process in D state); detach it now, the kernel frees it when released.
      this.#log(`workspace of ${ownerId}: unmount failed (${(e as Error).message}); detaching it lazily`);
      images.unmount(work, true);
    }
  }

  remove(jobId: string): void {
    const dir = join(this.#jobsDir, jobId);
    this.#uses.delete(jobId);
    if (this.#images) {
      let real: string | undefined;
      try {
        real = Deno.realPathSync(dir);
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      // Never recurse into a mounted image: that would delete the files inside it, then fail on the mount.
      for (const mnt of real ? this.#images.mountsUnder(real).reverse() : []) this.#images.unmount(mnt, true);
    }
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  async #mount(ownerId: string): Promise<string> {
    const dir = join(this.#jobsDir, ownerId);
    const work = this.workDir(ownerId);
    const image = join(dir, IMAGE);
    const fresh = join(dir, NEW_IMAGE);
    const has = (p: string) => exists(p);
    const images = this.#images;
    if (!images) throw failedPrecondition("this agent cannot mount size-limited workspaces (jobs.max_disk)");
    if (has(image)) {
      await images.mount(image, work);
      return work;
    }
    const size = Deno.statSync(fresh).size;
    try {
      if (!images.isFormatted(fresh)) await images.format(fresh);
      await images.mount(fresh, work);
      if (!exists(join(work, "lost+found"))) {
        // Formatted, but an earlier attempt got past the removal below (an agent crash): not empty, start over.
        images.unmount(work);
        resetImage(fresh, size);
        await images.format(fresh);
        await images.mount(fresh, work);
      }
      Deno.removeSync(join(work, "lost+found")); // root's, 0700: a job sees an empty /work, as without a limit
      copyUploads(join(dir, STAGED), work, size);
      Deno.renameSync(fresh, image); // the loop device holds the file open: a rename is safe while mounted
    } catch (e) {
      try {
        if (images.isMounted(work)) images.unmount(work, true);
        resetImage(fresh, size); // the next attempt starts over
      } catch (e2) {
        this.#log(`workspace of ${ownerId}: clean-up after a failed mount failed: ${(e2 as Error).message}`);
      }
      throw e;
    }
    try {
      Deno.removeSync(join(dir, STAGED), { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return work;
  }
}

/** Back to an unformatted sparse file of `size` bytes. */
function resetImage(image: string, size: number): void {
  const f = Deno.openSync(image, { write: true, truncate: true });
  try {
    f.truncateSync(size);
  } finally {
    f.close();
  }
}

/** Copies the staged uploads into the mounted image, owned by nobody; running out of room names --max-disk. */
function copyUploads(from: string, to: string, diskBytes: number): void {
  const walk = (src: string, dst: string) => {
    for (const entry of Deno.readDirSync(src)) {
      const s = join(src, entry.name);
      const d = join(dst, entry.name);
      if (entry.isDirectory) {
        Deno.mkdirSync(d, { mode: Deno.statSync(s).mode! & 0o7777 });
        walk(s, d);
      } else Deno.copyFileSync(s, d);
      Deno.chownSync(d, NOBODY, NOBODY);
    }
  };
  try {
    walk(from, to);
  } catch (e) {
    if (/No space left|os error 28|ENOSPC/i.test((e as Error).message)) {
      throw new JobletError(
        "ResourceExhausted",
        `the uploads do not fit in the job's /work of ${formatSize(diskBytes)} (ext4 keeps some of it for ` +
          `itself); raise --max-disk`,
        { cause: e },
      );
    }
    if (e instanceof Deno.errors.NotFound) return; // nothing was staged
    throw internal("cannot copy the uploads into the job's workspace", e);
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export class Staging implements UploadStaging {
  readonly dir: string;
  /** Size of the job's /work (0 = no limit). */
  readonly diskBytes: number;
  readonly #limits: UploadLimits;
  #open: { path: string; file: Deno.FsFile } | undefined;
  #files = 0;
  #bytes = 0;
  readonly #seen = new Set<string>();

  constructor(dir: string, limits: UploadLimits) {
    this.dir = dir;
    this.diskBytes = limits.diskBytes ?? 0;
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
    if (this.diskBytes > 0 && this.#bytes > this.diskBytes) {
      throw new JobletError(
        "ResourceExhausted",
        `uploads exceed the job's /work of ${formatSize(this.diskBytes)} (uploads count toward --max-disk; ` +
          `raise it)`,
      );
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
