/**
 * The tar format, as much as packed runtimes need: read a header block (ustar and GNU, base-256 sizes, checksum
 * verified), write a plain ustar header (the manifest member that `pack.ts` puts before GNU tar's output), and
 * read pax records. Pure functions over bytes; GNU tar itself writes and extracts the runtime's files.
 * Format reference: https://www.gnu.org/software/tar/manual/html_node/Standard.html
 */
import { invalidArgument } from "../../domain/errors.ts";

export const BLOCK = 512;

export type TarType =
  | "file"
  | "hardlink"
  | "symlink"
  | "directory"
  | "gnu-longname"
  | "gnu-longlink"
  | "pax"
  | "pax-global"
  | "other";

export interface TarHeader {
  name: string;
  linkname: string;
  size: number;
  mode: number;
  type: TarType;
  /** The raw type flag, for messages ("3" = character device, …). */
  flag: string;
}

const TYPES: Record<string, TarType> = {
  "0": "file",
  "\0": "file",
  "7": "file", // contiguous file: a regular file everywhere but a few old systems
  "1": "hardlink",
  "2": "symlink",
  "5": "directory",
  "L": "gnu-longname",
  "K": "gnu-longlink",
  "x": "pax",
  "g": "pax-global",
};

const FLAG_NAMES: Record<string, string> = {
  "3": "character device",
  "4": "block device",
  "6": "FIFO",
  "S": "GNU sparse file",
  "D": "GNU directory dump",
  "M": "multi-volume continuation",
  "V": "volume label",
};

/** What a type flag stands for, for messages. */
export function flagName(flag: string): string {
  return FLAG_NAMES[flag] ?? `member of type ${JSON.stringify(flag)}`;
}

/** Bytes of padding after `size` bytes of member data. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Parses one non-zero 512-byte header block; throws InvalidArgument when it is not a tar header. */
export function parseHeader(block: Uint8Array): TarHeader {
  const stored = octal(block, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  if (stored === undefined || stored !== sum) {
    throw invalidArgument(
      "not a tar archive (a header's checksum does not match; corrupt or not a tar file)",
    );
  }
  const posix = text(block, 257, 6) === "ustar" && text(block, 263, 2) === "00";
  const base = text(block, 0, 100);
  // Only POSIX ustar uses the prefix field; GNU tar keeps times there.
  const prefix = posix ? text(block, 345, 155) : "";
  const flag = String.fromCharCode(block[156]);
  const size = number(block, 124, 12);
  const mode = octal(block, 100, 8);
  if (size === undefined || mode === undefined) {
    throw invalidArgument(`not a tar archive (member "${base}" has an unreadable size or mode)`);
  }
  return {
    name: prefix ? `${prefix}/${base}` : base,
    linkname: text(block, 157, 100),
    size,
    mode,
    type: TYPES[flag] ?? "other",
    flag,
  };
}

const WRITE_FLAGS = { file: "0", hardlink: "1", symlink: "2", directory: "5" } as const;

/** A ustar header whose name and link target fit in 100 bytes each. */
export function tarHeader(h: {
  name: string;
  size: number;
  mode: number;
  mtimeSeconds: number;
  type: keyof typeof WRITE_FLAGS;
  linkname?: string;
}): Uint8Array {
  const b = new Uint8Array(BLOCK);
  const put = (off: number, len: number, s: string) => {
    const bytes = new TextEncoder().encode(s);
    if (bytes.length > len) throw new RangeError(`tar header field too long: ${s}`);
    b.set(bytes, off);
  };
  const oct = (off: number, len: number, n: number) => put(off, len, n.toString(8).padStart(len - 1, "0"));
  put(0, 100, h.name);
  oct(100, 8, h.mode);
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, h.size);
  oct(136, 12, Math.floor(h.mtimeSeconds));
  b[156] = WRITE_FLAGS[h.type].charCodeAt(0);
  put(157, 100, h.linkname ?? "");
  put(257, 6, "ustar");
  put(263, 2, "00");
  put(265, 32, "root");
  put(297, 32, "root");
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return b;
}

/** `LEN key=value\n` records of a pax extended header. */
export function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    let j = i;
    while (j < data.length && data[j] !== 0x20) j++;
    const len = Number(new TextDecoder().decode(data.subarray(i, j)));
    if (!Number.isInteger(len) || len <= 0 || i + len > data.length) {
      if (data.subarray(i).every((x) => x === 0)) break;
      throw invalidArgument("not a tar archive (a pax extended header is malformed)");
    }
    const record = new TextDecoder().decode(data.subarray(j + 1, i + len - 1));
    const eq = record.indexOf("=");
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** A NUL-terminated string field (a GNU long name's data, too). */
export function text(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && end < b.length && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

function octal(b: Uint8Array, off: number, len: number): number | undefined {
  const s = text(b, off, len).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) return undefined;
  return parseInt(s, 8);
}

/** Octal, or GNU's base-256 (high bit set) for sizes past 8 GiB. */
function number(b: Uint8Array, off: number, len: number): number | undefined {
  if ((b[off] & 0x80) === 0) return octal(b, off, len);
  let n = b[off] & 0x7f;
  for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i];
  return Number.isSafeInteger(n) ? n : undefined;
}
