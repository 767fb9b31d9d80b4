/**
 * A few workspace images of the default size (jobs.max_disk), formatted ahead of time, so that mkfs.ext4 (≈ 5 ms
 * and a process spawn) is off the job's start path (docs/adr/0009-workspace-quota.md). commit() takes one with a
 * rename; the pool then makes a new one in the background, one at a time, starting REFILL_DELAY_MS after the
 * take: the spawn of mkfs (a fork of the agent) and its CPU would otherwise land on the start of the very job
 * that took the image. Jobs of another size (--max-disk), or a burst that empties
 * the pool, take the slow path (format at the first open()).
 *
 * The pool lives in `<state>/workspace-pool/` (the same file system as the jobs, so a take is a rename). Images
 * are sparse (≈ 150 KiB of host disk each) and hold no loop device or mount. The directory is emptied at
 * start-up (what an earlier agent left is not trusted) and when the pool stops.
 */
import { join } from "node:path";

/** Formats a sparse file as a workspace image (DiskImages.format). */
export type Format = (image: string) => Promise<void>;

export interface ImagePoolOptions {
  dir: string;
  /** Size of every image in the pool, in bytes. */
  bytes: number;
  /** How many images to keep ready. */
  size: number;
  format: Format;
  log?: (msg: string) => void;
}

/** How many ready images a pool keeps when not told: enough for a small burst of job starts. */
export const DEFAULT_POOL_SIZE = 4;
/** A take's replacement is made this long after it, when the job that took it has started. */
export const REFILL_DELAY_MS = 100;

export class ImagePool {
  readonly bytes: number;
  readonly #dir: string;
  readonly #size: number;
  readonly #format: Format;
  readonly #log: (msg: string) => void;
  readonly #ready: string[] = [];
  #filling: Promise<void> | undefined;
  #delayed: { timer: ReturnType<typeof setTimeout>; fired: Promise<void> } | undefined;
  #seq = 0;
  #stopped = false;
  /** Set after a failed format: no more tries until the next take(), so a broken host does not spin. */
  #failed = false;

  constructor(opts: ImagePoolOptions) {
    this.bytes = opts.bytes;
    this.#dir = opts.dir;
    this.#size = Math.max(0, opts.size);
    this.#format = opts.format;
    this.#log = opts.log ?? (() => {});
    removeAll(this.#dir);
    Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    this.#fill();
  }

  /** Images ready now. */
  get ready(): number {
    return this.#ready.length;
  }

  /**
   * Moves a ready image of `bytes` to `target` (a new path on the same file system) and returns true; false
   * when the size differs or none is ready (the caller makes its own). Starts making a replacement.
   */
  take(bytes: number, target: string): boolean {
    if (bytes !== this.bytes || this.#stopped) return false;
    this.#failed = false;
    const image = this.#ready.shift();
    this.#fillLater();
    if (!image) return false;
    Deno.renameSync(image, target);
    return true;
  }

  /** Resolves once the pool holds its full count (or a format failed); for benches and tests. */
  async filled(): Promise<void> {
    while (this.#delayed || this.#filling) {
      if (this.#delayed) Deno.refTimer(this.#delayed.timer); // someone waits for it now
      await (this.#delayed?.fired ?? this.#filling);
    }
  }

  /** Stops refilling, waits for a format under way and deletes the ready images. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#delayed) {
      clearTimeout(this.#delayed.timer);
      this.#delayed = undefined;
    }
    await this.#filling;
    this.#ready.length = 0;
    removeAll(this.#dir);
  }

  #fillLater(): void {
    if (this.#delayed || this.#stopped) return;
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = setTimeout(() => {
      this.#delayed = undefined;
      this.#fill();
      resolve();
    }, REFILL_DELAY_MS);
    Deno.unrefTimer(timer); // never keeps the agent (or a test) alive
    this.#delayed = { timer, fired: promise };
  }

  #fill(): void {
    if (this.#filling || this.#stopped || this.#failed || this.#ready.length >= this.#size) return;
    this.#filling = (async () => {
      while (!this.#stopped && this.#ready.length < this.#size) {
        const name = `img-${++this.#seq}`;
        const fresh = join(this.#dir, `${name}.new`);
        const done = join(this.#dir, `${name}.ext4`);
        try {
          const f = Deno.openSync(fresh, { write: true, createNew: true, mode: 0o600 });
          try {
            f.truncateSync(this.bytes);
          } finally {
            f.close();
          }
          await this.#format(fresh);
          Deno.renameSync(fresh, done);
        } catch (e) {
          this.#failed = true;
          this.#log(
            `workspace pool: cannot make a ready image (${(e as Error).message}); jobs format their own`,
          );
          await Deno.remove(fresh).catch(() => {});
          return;
        }
        if (this.#stopped) Deno.removeSync(done);
        else this.#ready.push(done);
      }
    })().finally(() => {
      this.#filling = undefined;
      this.#fill(); // a take() between the loop's last check and here
    });
  }
}

function removeAll(dir: string): void {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}
