/**
 * Loop devices through /dev/loop-control, as util-linux `losetup` does it but without spawning it: take a free
 * device (LOOP_CTL_GET_FREE, which adds one when none is free), bind a file to it with one LOOP_CONFIGURE
 * (Linux ≥ 5.8) and LO_FLAGS_AUTOCLEAR. Autoclear ties the device to its last opener: once the file system
 * mounted on it is unmounted and our fd is closed, the kernel detaches it, so no path leaves one behind.
 * See linux/loop.h and drivers/block/loop.c.
 */
import * as C from "./constants.ts";
import { sys, SyscallError } from "./errno.ts";
import { cstr, libc } from "./libc.ts";

// <linux/loop.h>
export const LOOP_CTL_GET_FREE = 0x4C82n;
export const LOOP_CONFIGURE = 0x4C0An;
export const LO_FLAGS_READ_ONLY = 1;
export const LO_FLAGS_AUTOCLEAR = 4;
/** sizeof(struct loop_config): u32 fd, u32 block_size, struct loop_info64 (232 bytes), u64 __reserved[8]. */
export const LOOP_CONFIG_SIZE = 304;
/** offsetof(struct loop_config, info.lo_flags): 8 + 5 × u64 + 3 × u32. */
const LO_FLAGS_OFFSET = 60;
/** offsetof(struct loop_config, info.lo_file_name): char[LO_NAME_SIZE = 64]. */
const LO_FILE_NAME_OFFSET = 64;
const LO_NAME_SIZE = 64;

const EBUSY = 16;
/** Another process may take the device LOOP_CTL_GET_FREE named before we configure it: try again. */
const ATTEMPTS = 16;

/** The struct loop_config that binds `fd` with `flags`; the name is informational (shown by `losetup -a`). */
export function loopConfig(fd: number, flags: number, name: string): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(LOOP_CONFIG_SIZE);
  const view = new DataView(buf.buffer);
  view.setUint32(0, fd, true);
  view.setUint32(LO_FLAGS_OFFSET, flags, true);
  const bytes = new TextEncoder().encode(name).subarray(0, LO_NAME_SIZE - 1);
  buf.set(bytes, LO_FILE_NAME_OFFSET);
  return buf;
}

export interface LoopDevice {
  /** "/dev/loopN" */
  path: string;
  /** Our open fd on it: close it (closeLoop) once the device is mounted, or to detach it when that failed. */
  fd: number;
}

/**
 * Binds `file` to a free loop device with LO_FLAGS_AUTOCLEAR and returns it, open. Throws a SyscallError:
 * on /dev/loop-control when no device can be had (ENOENT: no loop module; EPERM: a device cgroup or container
 * denies it; ENOSPC/ENOMEM: every minor is taken).
 */
export function attachLoop(file: string, opts: { readOnly?: boolean } = {}): LoopDevice {
  const ro = opts.readOnly ?? false;
  const backing = sys(
    "open",
    file,
    () => libc().open(cstr(file), (ro ? C.O_RDONLY : C.O_RDWR) | C.O_CLOEXEC, 0),
  );
  try {
    const control = sys(
      "open",
      "/dev/loop-control",
      () => libc().open(cstr("/dev/loop-control"), C.O_RDWR | C.O_CLOEXEC, 0),
    );
    try {
      const config = loopConfig(backing, LO_FLAGS_AUTOCLEAR | (ro ? LO_FLAGS_READ_ONLY : 0), file);
      for (let attempt = 1;; attempt++) {
        const n = sys(
          "ioctl(LOOP_CTL_GET_FREE)",
          "/dev/loop-control",
          () => libc().ioctl(control, LOOP_CTL_GET_FREE, null),
        );
        const path = `/dev/loop${n}`;
        const fd = sys(
          "open",
          path,
          () => libc().open(cstr(path), (ro ? C.O_RDONLY : C.O_RDWR) | C.O_CLOEXEC, 0),
        );
        try {
          sys("ioctl(LOOP_CONFIGURE)", path, () => libc().ioctl(fd, LOOP_CONFIGURE, config));
          return { path, fd };
        } catch (e) {
          closeLoop(fd);
          if (!(e instanceof SyscallError && e.errno === EBUSY) || attempt >= ATTEMPTS) throw e;
        }
      }
    } finally {
      closeLoop(control);
    }
  } finally {
    // The loop device holds its own reference to the file.
    closeLoop(backing);
  }
}

/** close(2) that never throws: for fds whose close cannot usefully fail (a device already configured). */
export function closeLoop(fd: number): void {
  libc().close(fd);
}
