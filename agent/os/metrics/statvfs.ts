/**
 * Filesystem sizes through libc statvfs(3) (Deno has no statfs), and the page size through sysconf(3).
 * Our own tiny symbol table beside ffi/libc.ts, opened lazily, so importing this module needs no --allow-ffi.
 * The struct layout is glibc's on 64-bit Linux (x86_64 and aarch64): eleven unsigned longs, then int[6].
 */
import { errno } from "../../../ffi/libc.ts";
import { errnoName } from "../../../ffi/errno.ts";

const SYMBOLS = {
  // int statvfs(const char *restrict path, struct statvfs *restrict buf);
  statvfs: { parameters: ["buffer", "buffer"], result: "i32" },
  // long sysconf(int name);
  sysconf: { parameters: ["i32"], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
const symbols = () => (lib ??= Deno.dlopen("libc.so.6", SYMBOLS)).symbols;

/** sizeof(struct statvfs) is 112 on 64-bit glibc; a little spare room costs nothing. */
const STRUCT_BYTES = 128;
const F_FRSIZE = 8;
const F_BLOCKS = 16;
const F_BFREE = 24;
const F_BAVAIL = 32;
const _SC_PAGESIZE = 30;

export interface FsSize {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
}

/** Sizes of the filesystem mounted at `path`, as df computes them. Throws naming the path and errno. */
export function statvfs(path: string): FsSize {
  const buf = new Uint8Array(STRUCT_BYTES);
  const cpath = new TextEncoder().encode(path + "\0");
  if (symbols().statvfs(cpath, buf) !== 0) {
    throw new Error(`statvfs(${JSON.stringify(path)}) failed: ${errnoName(errno())}`);
  }
  const v = new DataView(buf.buffer);
  const u64 = (off: number) => Number(v.getBigUint64(off, true));
  const frsize = u64(F_FRSIZE);
  const blocks = u64(F_BLOCKS);
  return {
    totalBytes: blocks * frsize,
    usedBytes: (blocks - u64(F_BFREE)) * frsize,
    availableBytes: u64(F_BAVAIL) * frsize,
  };
}

/** The memory page size (4096 on x86_64; 4 KiB, 16 KiB or 64 KiB on aarch64). */
export function pageSize(): number {
  return Number(symbols().sysconf(_SC_PAGESIZE));
}
