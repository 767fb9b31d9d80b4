/**
 * Turns a libc return code plus errno into a SyscallError that names the call, the path and the errno name.
 * Calls that can be interrupted are retried on EINTR (as runc's internal/linux does).
 */
import { errno as threadErrno } from "./libc.ts";

/** Linux errno numbers (the same on x86_64 and aarch64: asm-generic/errno-base.h and errno.h). */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  7: "E2BIG",
  8: "ENOEXEC",
  9: "EBADF",
  10: "ECHILD",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  15: "ENOTBLK",
  16: "EBUSY",
  17: "EEXIST",
  18: "EXDEV",
  19: "ENODEV",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  25: "ENOTTY",
  26: "ETXTBSY",
  27: "EFBIG",
  28: "ENOSPC",
  29: "ESPIPE",
  30: "EROFS",
  31: "EMLINK",
  32: "EPIPE",
  36: "ENAMETOOLONG",
  38: "ENOSYS",
  39: "ENOTEMPTY",
  40: "ELOOP",
  95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT",
};

export const EINTR = 4;

export function errnoName(n: number): string {
  return ERRNO_NAMES[n] || `errno ${n}`;
}

/** A failed libc call: `mount("/usr"): EPERM (errno 1)`. */
export class SyscallError extends Error {
  readonly call: string;
  readonly path: string | undefined;
  readonly errno: number;
  /** The C name of the errno ("ENOENT"), or "errno N" when unknown. */
  readonly code: string;

  constructor(call: string, errno: number, path?: string) {
    const where = path === undefined ? "" : `(${JSON.stringify(path)})`;
    super(`${call}${where} failed: ${errnoName(errno)} (errno ${errno})`);
    this.name = "SyscallError";
    this.call = call;
    this.path = path;
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

export interface CallOptions {
  /** Repeat the call while it fails with EINTR (never for close(2)). Default true. */
  retryEintr?: boolean;
  /** Where errno comes from; tests pass their own. */
  readErrno?: () => number;
}

/**
 * Runs `fn` (a libc call returning -1 on failure) and returns its non-negative result, or throws a
 * SyscallError naming `call` and `path`.
 */
export function sys(
  call: string,
  path: string | undefined,
  fn: () => number | bigint,
  opts: CallOptions = {},
): number {
  const readErrno = opts.readErrno ?? threadErrno;
  const retry = opts.retryEintr ?? true;
  for (;;) {
    const r = Number(fn());
    if (r !== -1) return r;
    const e = readErrno();
    if (retry && e === EINTR) continue;
    throw new SyscallError(call, e, path);
  }
}
