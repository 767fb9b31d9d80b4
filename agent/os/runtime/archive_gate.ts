/**
 * The gate between an untrusted packed runtime and `tar -x`: it reads the (decompressed) tar stream header by
 * header and passes on only members it has checked, so GNU tar never sees one that could land outside the
 * staging dir. Rules:
 *
 * - the first member is `manifest.json` (a small regular file); it is handed to `onManifest` (which validates and
 *   admits it, or throws) and is not passed on;
 * - every other member is `root` or under `root/`: relative, no `..`, `.` or empty parts (`checkMemberPath`);
 * - only files, directories, symbolic and hard links; hard link targets obey the same path rule;
 * - a symbolic link may point anywhere (the runtime's `/etc/alternatives/…` links do), but no later member may be
 *   at or under a path that is a symbolic link, so nothing is ever extracted through one;
 * - the files' data adds up to at most the manifest's size (no decompression bomb);
 * - a header with a bad checksum, an archive that ends early or holds data after its end marker is refused.
 *
 * Bytes come out as they go in (data is passed through, not copied); checks cost one pass over the headers.
 */
import { invalidArgument } from "../../domain/errors.ts";
import {
  BLOCK,
  flagName,
  isZeroBlock,
  padding,
  parseHeader,
  parsePax,
  type TarHeader,
  text,
} from "./archive_tar.ts";

export const MANIFEST_MEMBER = "manifest.json";
const MAX_MANIFEST = 1024 * 1024;
const MAX_META = 64 * 1024;
const PATH_RULE =
  `paths in a packed runtime must be relative, inside root/, with no "..", "." or empty parts`;

export interface GateOptions {
  /** The manifest's bytes; validates and admits them (throws to refuse) and returns the most file bytes allowed. */
  onManifest(bytes: Uint8Array): number;
}

type Mode = "header" | "manifest" | "meta" | "data" | "end";

export class TarGate {
  readonly #opts: GateOptions;
  #mode: Mode = "header";
  readonly #hdr = new Uint8Array(BLOCK);
  #fill = 0;
  /** Bytes of the current member's data + padding still to come. */
  #remaining = 0;
  /** Data (not padding) of a captured member: the manifest or a long name / pax header. */
  #capture = new Uint8Array(0);
  #captured = 0;
  #metaType: TarHeader["type"] = "other";
  /** Long-name / pax blocks, passed on only with the member they describe. */
  #held: Uint8Array[] = [];
  #next: { name?: string; linkname?: string; size?: number } = {};
  #members = 0;
  #current = "";
  #fileBytes = 0;
  #maxFileBytes = 0;
  readonly #symlinks = new Set<string>();
  /** Bytes seen after the first zero block; the second zero block is passed on too. */
  #trailer = 0;

  constructor(opts: GateOptions) {
    this.#opts = opts;
  }

  /** Takes the next piece of the tar stream; returns the bytes to pass on to `tar -x`. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    while (i < chunk.length) {
      switch (this.#mode) {
        case "header": {
          const n = Math.min(BLOCK - this.#fill, chunk.length - i);
          this.#hdr.set(chunk.subarray(i, i + n), this.#fill);
          this.#fill += n;
          i += n;
          if (this.#fill === BLOCK) {
            this.#fill = 0;
            this.#header(out);
          }
          break;
        }
        case "manifest":
        case "meta": {
          const n = Math.min(this.#remaining, chunk.length - i);
          const piece = chunk.subarray(i, i + n);
          const take = Math.min(n, this.#capture.length - this.#captured);
          if (take > 0) this.#capture.set(piece.subarray(0, take), this.#captured);
          this.#captured += take;
          if (this.#mode === "meta") this.#held.push(piece.slice());
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) this.#endCapture();
          break;
        }
        case "data": {
          const n = Math.min(this.#remaining, chunk.length - i);
          out.push(chunk.subarray(i, i + n));
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) this.#mode = "header";
          break;
        }
        case "end": {
          for (let j = i; j < chunk.length; j++) {
            if (chunk[j] !== 0) throw invalidArgument("the archive has data after its end marker (corrupt?)");
          }
          const pass = Math.max(0, Math.min(BLOCK - this.#trailer, chunk.length - i));
          if (pass > 0) out.push(chunk.subarray(i, i + pass));
          this.#trailer += chunk.length - i;
          i = chunk.length;
          break;
        }
      }
    }
    return out;
  }

  /** The stream has ended: throws unless the archive was whole. */
  finish(): void {
    if (this.#members === 0) throw invalidArgument("the archive is empty (not a packed runtime)");
    if (this.#mode !== "end") {
      throw invalidArgument(
        `the archive is truncated: it ends ${
          this.#mode === "header" && this.#fill === 0 ? "before its end marker" : `inside "${this.#current}"`
        }`,
      );
    }
  }

  #header(out: Uint8Array[]): void {
    if (isZeroBlock(this.#hdr)) {
      if (this.#members === 0) throw invalidArgument("the archive is empty (not a packed runtime)");
      if (this.#held.length) throw invalidArgument("the archive ends right after a long-name header");
      this.#mode = "end";
      out.push(this.#hdr.slice());
      return;
    }
    const h = parseHeader(this.#hdr);
    const size = this.#next.size ?? h.size;
    const name = this.#next.name ?? h.name;
    this.#current = name;
    if (this.#members++ === 0) {
      if (name.replace(/^(\.\/)+/, "") !== MANIFEST_MEMBER || h.type !== "file") {
        throw invalidArgument(
          `not a packed runtime: the archive must start with ${MANIFEST_MEMBER}, not "${name}" ` +
            `(make one with rnx runtime export NAME)`,
        );
      }
      if (size > MAX_MANIFEST) throw invalidArgument(`the archive's ${MANIFEST_MEMBER} is over 1 MiB`);
      this.#startCapture("manifest", size);
      return;
    }
    if (h.type === "gnu-longname" || h.type === "gnu-longlink" || h.type === "pax") {
      if (size > MAX_META) {
        throw invalidArgument(`the archive has a ${size}-byte long-name header (at most 64 KiB)`);
      }
      this.#metaType = h.type;
      this.#held.push(this.#hdr.slice());
      this.#startCapture("meta", size);
      return;
    }
    const linkname = this.#next.linkname ?? h.linkname;
    this.#next = {};
    this.#check({ ...h, name, linkname, size });
    out.push(...this.#held, this.#hdr.slice());
    this.#held = [];
    this.#remaining = size + padding(size);
    this.#mode = this.#remaining > 0 ? "data" : "header";
  }

  #startCapture(mode: "manifest" | "meta", size: number): void {
    this.#capture = new Uint8Array(size);
    this.#captured = 0;
    this.#remaining = size + padding(size);
    this.#mode = mode;
    if (this.#remaining === 0) this.#endCapture();
  }

  #endCapture(): void {
    const data = this.#capture;
    if (this.#mode === "manifest") {
      this.#maxFileBytes = this.#opts.onManifest(data);
    } else if (this.#metaType === "gnu-longname") {
      this.#next.name = text(data, 0, data.length);
    } else if (this.#metaType === "gnu-longlink") {
      this.#next.linkname = text(data, 0, data.length);
    } else {
      const pax = parsePax(data);
      if (pax.path !== undefined) this.#next.name = pax.path;
      if (pax.linkpath !== undefined) this.#next.linkname = pax.linkpath;
      if (pax.size !== undefined) {
        const n = Number(pax.size);
        if (!Number.isSafeInteger(n) || n < 0) {
          throw invalidArgument(`the archive has a bad pax size "${pax.size}"`);
        }
        this.#next.size = n;
      }
    }
    this.#mode = "header";
  }

  #check(h: TarHeader): void {
    const what = `packed runtime member "${h.name}"`;
    if (h.type === "pax-global") throw invalidArgument(`${what}: pax global headers are not supported`);
    if (h.type === "other") {
      throw invalidArgument(
        `${what} is a ${flagName(h.flag)}; a packed runtime holds only files, directories and links`,
      );
    }
    const path = checkMemberPath(h.name);
    const via = this.#symlinkAt(path);
    if (via !== undefined) {
      throw invalidArgument(
        `${what} would be extracted ${via === path ? "over" : "through"} the symbolic link "${via}"; ` +
          `nothing in a packed runtime may be written through a link`,
      );
    }
    if (h.type !== "file" && h.size !== 0) throw invalidArgument(`${what}: a ${h.type} with data`);
    if (h.type === "file") {
      this.#fileBytes += h.size;
      if (this.#fileBytes > this.#maxFileBytes) {
        throw invalidArgument(
          `the archive holds more file data than its manifest says (${this.#maxFileBytes} bytes); corrupt?`,
        );
      }
    } else if (h.type === "hardlink") {
      const target = checkMemberPath(h.linkname);
      if (this.#symlinkAt(target) !== undefined) {
        throw invalidArgument(`${what} is a hard link through a symbolic link ("${h.linkname}")`);
      }
    } else if (h.type === "symlink") {
      if (h.linkname === "") throw invalidArgument(`${what} is a symbolic link with no target`);
      this.#symlinks.add(path);
    }
  }

  /** The symbolic link (seen earlier) that `path` is or is inside, if any. */
  #symlinkAt(path: string): string | undefined {
    if (this.#symlinks.size === 0) return undefined;
    for (let p = path;;) {
      if (this.#symlinks.has(p)) return p;
      const slash = p.lastIndexOf("/");
      if (slash < 0) return undefined;
      p = p.slice(0, slash);
    }
  }
}

/**
 * A member's path, normalised (`./` prefixes and trailing slashes dropped); throws InvalidArgument unless it is
 * `root` or under `root/`, relative, without `..`, `.` or empty parts.
 */
export function checkMemberPath(name: string): string {
  let p = name;
  while (p.startsWith("./")) p = p.slice(2);
  p = p.replace(/\/+$/, "");
  const bad = (why: string) => invalidArgument(`packed runtime member "${name}" ${why} (${PATH_RULE})`);
  if (name.startsWith("/")) throw bad("is an absolute path");
  if (p.includes("\0")) throw bad("has a NUL byte");
  const parts = p.split("/");
  if (parts.includes("..")) throw bad("escapes the runtime root");
  if (parts.some((x) => x === "" || x === ".")) throw bad("is not a plain relative path");
  if (parts[0] !== "root") throw bad("is outside root/");
  return p;
}
