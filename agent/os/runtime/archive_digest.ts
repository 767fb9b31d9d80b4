/**
 * A checksum of a runtime root's content, independent of how it was archived: one SHA-256 over a sorted walk,
 * a line per entry (`d PATH MODE`, `l PATH TARGET`, `f PATH MODE SIZE SHA256`). Export writes it into the
 * manifest; install recomputes it over what tar extracted, so a corrupt or doctored archive is caught even
 * when every tar header was well formed. Files are read in pieces, never whole.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { failedPrecondition } from "../../domain/errors.ts";

export interface TreeDigest {
  /** `sha256:HEX`. */
  checksum: string;
  /** Bytes of the regular files (hard links counted once each, like `treeBytes`). */
  bytes: number;
}

const PIECE = 256 * 1024;

export async function treeDigest(root: string, signal?: AbortSignal): Promise<TreeDigest> {
  const all = createHash("sha256");
  const buf = new Uint8Array(PIECE);
  let bytes = 0;
  const walk = async (dir: string, rel: string): Promise<void> => {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    names.sort();
    for (const name of names) {
      signal?.throwIfAborted();
      const path = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await Deno.lstat(path);
      const mode = ((st.mode ?? 0) & 0o7777).toString(8);
      if (st.isSymlink) {
        all.update(`l ${JSON.stringify(r)} ${JSON.stringify(await Deno.readLink(path))}\n`);
      } else if (st.isDirectory) {
        all.update(`d ${JSON.stringify(r)} ${mode}\n`);
        await walk(path, r);
      } else if (st.isFile) {
        all.update(`f ${JSON.stringify(r)} ${mode} ${st.size} ${await fileSha256(path, buf)}\n`);
        bytes += st.size;
      } else {
        throw failedPrecondition(`${path} is not a file, directory or link; a runtime cannot hold it`);
      }
    }
  };
  await walk(root, "");
  return { checksum: `sha256:${all.digest("hex")}`, bytes };
}

async function fileSha256(path: string, buf: Uint8Array): Promise<string> {
  const h = createHash("sha256");
  using f = await Deno.open(path, { read: true });
  for (;;) {
    const n = await f.read(buf);
    if (n === null) break;
    h.update(buf.subarray(0, n));
  }
  return h.digest("hex");
}
