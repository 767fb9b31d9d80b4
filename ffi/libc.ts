/**
 * The one libc symbol table. Opened lazily on first use, so importing this module needs no --allow-ffi.
 *
 * Never mark a symbol `nonblocking`: nonblocking calls run on another thread, and namespaces, cwd and root
 * belong to the calling thread. Variadic functions (open, ioctl, syscall) are declared with fixed integer
 * arguments, which is sound for the x86_64 and aarch64 Linux calling conventions.
 */

export const LIBC_SYMBOLS = {
  // int unshare(int flags);
  unshare: { parameters: ["i32"], result: "i32" },
  // int setns(int fd, int nstype);
  setns: { parameters: ["i32", "i32"], result: "i32" },
  // int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const void *data);
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  // int umount2(const char *target, int flags);
  umount2: { parameters: ["buffer", "i32"], result: "i32" },
  // int chdir(const char *path);
  chdir: { parameters: ["buffer"], result: "i32" },
  // int sethostname(const char *name, size_t len);
  sethostname: { parameters: ["buffer", "usize"], result: "i32" },
  // int open(const char *path, int flags, ... /* mode_t mode */);
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  // int close(int fd);
  close: { parameters: ["i32"], result: "i32" },
  // int socket(int domain, int type, int protocol);
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // int bind(int fd, const struct sockaddr *addr, socklen_t len);
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // ssize_t send(int fd, const void *buf, size_t len, int flags);
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  // ssize_t recv(int fd, void *buf, size_t len, int flags);
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  // unsigned int if_nametoindex(const char *ifname);  0 when there is no such interface.
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  // int ioctl(int fd, unsigned long request, ... /* void *arg */);
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  // long syscall(long number, ...);  used as syscall(SYS_pivot_root, new_root, put_old): no glibc wrapper.
  syscall_pivot_root: { name: "syscall", parameters: ["i64", "buffer", "buffer"], result: "i64" },
  // long syscall(SYS_rt_sigaction, int sig, const struct kernel_sigaction *act, struct kernel_sigaction *old,
  //              size_t sigsetsize);  raw, because glibc's sigaction() refuses its internal signals 32 and 33.
  syscall_rt_sigaction: {
    name: "syscall",
    parameters: ["i64", "i64", "buffer", "buffer", "u64"],
    result: "i64",
  },
  // int *__errno_location(void);  the calling thread's errno.
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

export type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

let lib: Deno.DynamicLibrary<typeof LIBC_SYMBOLS> | undefined;

/** The libc symbols (opens libc.so.6 on first call; needs --allow-ffi). */
export function libc(): Libc {
  lib ??= Deno.dlopen("libc.so.6", LIBC_SYMBOLS);
  return lib.symbols;
}

/** The calling thread's errno. Read it immediately after the failing call, before any other FFI call. */
export function errno(): number {
  const p = libc().__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

const encoder = new TextEncoder();

/** A NUL-terminated copy of `s` for a `const char *` parameter. */
export function cstr(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) throw new Error(`String passed to C contains a NUL byte: ${JSON.stringify(s)}`);
  return encoder.encode(s + "\0");
}
