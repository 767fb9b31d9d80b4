/**
 * Typed wrappers over the libc table: strings in, numbers out, SyscallError on failure. They run on the
 * calling (JS) thread, which is what namespace work needs.
 */
import { syscallNumber } from "./arch.ts";
import * as C from "./constants.ts";
import { sys } from "./errno.ts";
import { cstr, libc } from "./libc.ts";

export function unshare(flags: number): void {
  sys("unshare", undefined, () => libc().unshare(flags));
}

/** Joins the namespace `fd` refers to; `nstype` 0 accepts any type. */
export function setns(fd: number, nstype = 0, what?: string): void {
  sys("setns", what, () => libc().setns(fd, nstype));
}

export function mount(
  source: string | null,
  target: string,
  fstype: string | null,
  flags: bigint,
  data: string | null = null,
): void {
  sys("mount", target, () =>
    libc().mount(
      source === null ? null : cstr(source),
      cstr(target),
      fstype === null ? null : cstr(fstype),
      flags,
      data === null ? null : cstr(data),
    ));
}

export function umount2(target: string, flags: number): void {
  sys("umount2", target, () => libc().umount2(cstr(target), flags));
}

export function chdir(path: string): void {
  sys("chdir", path, () => libc().chdir(cstr(path)));
}

export function sethostname(name: string): void {
  const bytes = new TextEncoder().encode(name);
  sys("sethostname", name, () => libc().sethostname(bytes, BigInt(bytes.length)));
}

/** Opens `path` read-only and close-on-exec; returns the raw fd. */
export function openReadOnly(path: string): number {
  return sys("open", path, () => libc().open(cstr(path), C.O_RDONLY | C.O_CLOEXEC, 0));
}

export function close(fd: number): void {
  sys("close", undefined, () => libc().close(fd), { retryEintr: false });
}

export function pivotRoot(newRoot: string, putOld: string): void {
  const nr = syscallNumber("pivot_root");
  sys("pivot_root", newRoot, () => libc().syscall_pivot_root(nr, cstr(newRoot), cstr(putOld)));
}

/**
 * Sets the disposition of signal `sig` to SIG_DFL for the duration of `fn`, then restores it — process-wide, so
 * keep `fn` short and synchronous. Uses the raw rt_sigaction syscall, which (unlike glibc's sigaction) also
 * reaches glibc's internal signals 32 and 33. The kernel's struct sigaction is {handler, flags, restorer, mask}
 * on x86_64 and {handler, flags, mask} on aarch64; a 32-byte buffer holds either, and saving then restoring the
 * same bytes round-trips whatever was there.
 */
export function withDefaultSignals<T>(sigs: number[], fn: () => T): T {
  const nr = syscallNumber("rt_sigaction");
  const saved = sigs.map((sig) => {
    const old = new Uint8Array(32);
    // SIG_DFL is 0 with no flags and an empty mask: an all-zero struct.
    sys(
      "rt_sigaction",
      String(sig),
      () => libc().syscall_rt_sigaction(nr, BigInt(sig), new Uint8Array(32), old, 8n),
    );
    return { sig, old };
  });
  try {
    return fn();
  } finally {
    for (const { sig, old } of saved.reverse()) {
      sys("rt_sigaction", String(sig), () => libc().syscall_rt_sigaction(nr, BigInt(sig), old, null, 8n));
    }
  }
}

/** Sets IFF_UP on interface `name` of the calling thread's network namespace. */
export function linkUp(name: string): void {
  const fd = sys("socket", undefined, () => libc().socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_CLOEXEC, 0));
  try {
    const ifr = new Uint8Array(C.IFREQ_SIZE);
    const nameBytes = new TextEncoder().encode(name);
    if (nameBytes.length >= C.IFNAMSIZ) throw new Error(`Interface name "${name}" is longer than 15 bytes`);
    ifr.set(nameBytes);
    const view = new DataView(ifr.buffer);
    sys("ioctl(SIOCGIFFLAGS)", name, () => libc().ioctl(fd, C.SIOCGIFFLAGS, ifr));
    view.setInt16(C.IFNAMSIZ, view.getInt16(C.IFNAMSIZ, true) | C.IFF_UP, true);
    sys("ioctl(SIOCSIFFLAGS)", name, () => libc().ioctl(fd, C.SIOCSIFFLAGS, ifr));
  } finally {
    close(fd);
  }
}
