/**
 * Syscall numbers for the calls that have no glibc wrapper, per CPU architecture. Everything else goes
 * through libc by name, so this is the only place that knows the architecture.
 */

export type Arch = "x86_64" | "aarch64";

/** Syscall numbers by C name (x86_64: arch/x86/entry/syscalls/syscall_64.tbl; aarch64: asm-generic/unistd.h). */
export const SYSCALLS = {
  x86_64: { pivot_root: 155, rt_sigaction: 13 },
  aarch64: { pivot_root: 41, rt_sigaction: 134 },
} as const satisfies Record<Arch, Record<string, number>>;

export type SyscallName = keyof typeof SYSCALLS["x86_64"];

/** The number of `name` on `arch` (default: the running one). Throws on an architecture we do not know. */
export function syscallNumber(name: SyscallName, arch: string = Deno.build.arch): bigint {
  if (arch !== "x86_64" && arch !== "aarch64") {
    throw new Error(`No syscall table for CPU architecture "${arch}" (supported: x86_64, aarch64)`);
  }
  return BigInt(SYSCALLS[arch][name]);
}
