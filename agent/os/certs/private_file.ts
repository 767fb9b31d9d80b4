/**
 * Writes files that hold private keys: missing parent directories are created 0700, the file is written 0600
 * beside its target and renamed over it (a reader never sees half a key), and, where an owner is given, the
 * file and the directories created for it are chowned to that owner. Existing directories are left as they are.
 */
import { dirname } from "node:path";

export interface Owner {
  uid: number;
  gid: number;
}

export function writePrivateFile(
  path: string,
  text: string,
  opts: { mode?: number; owner?: Owner } = {},
): void {
  const mode = opts.mode ?? 0o600;
  for (const dir of ensureDirs(dirname(path))) {
    if (opts.owner) Deno.chownSync(dir, opts.owner.uid, opts.owner.gid);
  }
  const tmp = `${path}.tmp-${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.writeTextFileSync(tmp, text, { mode, createNew: true });
    Deno.chmodSync(tmp, mode); // the umask may have taken bits away
    if (opts.owner) Deno.chownSync(tmp, opts.owner.uid, opts.owner.gid);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* never created */ }
    throw e;
  }
}

/** Creates `dir` and its missing ancestors with mode 0700; returns the ones it created, outermost first. */
export function ensureDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let d = dir; !exists(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      Deno.mkdirSync(d, { mode: 0o700 });
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    Deno.chmodSync(d, 0o700);
  }
  return missing;
}

export function readIfExists(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
