/**
 * A fresh /work for each run of a cron schedule (docs/adr/0005-scheduling-and-workflows.md): the schedule keeps
 * the uploads it was given and never runs in them; each run gets a new staging area holding a copy of them, of
 * the schedule's size, which the caller commits as the run's own workspace. A run that writes or deletes files
 * in its /work therefore changes nothing for the next one.
 */
import { join } from "node:path";
import type { Staging, UploadLimits } from "./workspaces.ts";

/** The job runs as nobody: the copies belong to uid/gid 65534, as uploads do. */
const NOBODY = 65534;

/** Where the uploads of a workspace lie now (the layout of workspaces.ts). */
export interface SeedSource {
  /** The image of a size-limited workspace (formatted or not), or undefined for a plain directory. */
  image?: string;
  /** The uploads waiting beside an image not formatted yet, or undefined when they are inside it already. */
  staged?: string;
  /** The plain directory (or, for an image, its mount point). */
  work: string;
}

/** What restage() needs from the workspace store. */
export interface SeedStore {
  stage(limits: UploadLimits): Staging;
  open(ownerId: string): string | Promise<string>;
  close(ownerId: string): Promise<void>;
}

/**
 * A new staging area sized like the owner's /work (the image's size, or no limit) holding a copy of the owner's
 * uploads; an error leaves nothing staged.
 */
export async function restage(
  store: SeedStore,
  ownerId: string,
  source: SeedSource,
  limits: UploadLimits,
): Promise<Staging> {
  const diskBytes = source.image ? Deno.statSync(source.image).size : 0;
  const staging = store.stage({ ...limits, diskBytes });
  try {
    if (!source.image) copyTree(source.work, staging.dir);
    else if (source.staged) copyTree(source.staged, staging.dir);
    else {
      // The image was formatted, so the uploads are inside it: a schedule made before each run had its own
      // /work, whose runs used it. Mount it for the copy.
      const work = await store.open(ownerId);
      try {
        copyTree(work, staging.dir);
      } finally {
        await store.close(ownerId);
      }
    }
  } catch (e) {
    staging.abort();
    throw e;
  }
  return staging;
}

/**
 * Copies the regular files and directories under `from` into `to` (which exists), keeping their permission bits,
 * owned by nobody. Anything else (symbolic links, devices, FIFOs, sockets) is left out: uploads never contain
 * them, and following a link a job made would copy a host file. A missing `from` copies nothing.
 */
export function copyTree(from: string, to: string): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(from)];
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const entry of entries) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    const info = Deno.lstatSync(src);
    const mode = (info.mode ?? 0o644) & 0o777;
    if (info.isDirectory) {
      Deno.mkdirSync(dst, { mode: 0o700 });
      copyTree(src, dst);
    } else if (info.isFile) {
      Deno.copyFileSync(src, dst);
    } else continue;
    Deno.chmodSync(dst, mode);
    Deno.chownSync(dst, NOBODY, NOBODY);
  }
}
