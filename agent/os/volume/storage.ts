/**
 * The kernel side of volumes: an ext4 image on a loop device, or a tmpfs.
 *
 * Filesystem volumes: `truncate` makes a sparse image, `mkfs.ext4` (e2fsprogs) formats it, and util-linux
 * `mount -o loop` attaches a free loop device (LOOP_CTL_GET_FREE + LOOP_CONFIGURE) with LO_FLAGS_AUTOCLEAR and
 * mounts it. Autoclear ties the loop device's life to the mount: unmounting detaches it, and a mount that fails
 * detaches it too, so no path leaves a loop device behind (docs/adr/0007-volumes.md).
 * Memory volumes: mount(2) of a tmpfs with size=, straight through FFI.
 */
import * as C from "../../../ffi/constants.ts";
import { mount, umount2 } from "../../../ffi/sys.ts";
import { failedPrecondition, internal, JobletError } from "../../domain/errors.ts";
import { parseMountinfo } from "../metrics/mountinfo.ts";

export const MKFS_EXT4 = "/usr/sbin/mkfs.ext4"; // alias /sbin/mkfs.ext4 on merged-/usr hosts
export const MOUNT = "/usr/bin/mount";
export const LOOP_CONTROL = "/dev/loop-control";

/** Owner of a volume's root directory: jobs run as nobody (os/isolation/stage2.ts). */
export interface Owner {
  uid: number;
  gid: number;
}

export function isMounted(path: string): boolean {
  return parseMountinfo(Deno.readTextFileSync("/proc/self/mountinfo")).some((m) => m.mountPoint === path);
}

/** Checks what a filesystem volume needs, with a message that says how to fix it. */
export function checkLoopSupport(): void {
  if (!exists(LOOP_CONTROL)) {
    throw failedPrecondition(
      `Cannot create a filesystem volume: loop devices are unavailable (${LOOP_CONTROL} is missing; ` +
        `load the module with "modprobe loop", or use --type=memory)`,
    );
  }
  if (!exists(MKFS_EXT4)) {
    throw failedPrecondition(
      `Cannot create a filesystem volume: ${MKFS_EXT4} is missing (install e2fsprogs)`,
    );
  }
  if (!exists(MOUNT)) throw failedPrecondition(`Cannot create a filesystem volume: ${MOUNT} is missing`);
}

/** A sparse file of `bytes` formatted ext4, root directory owned by `owner`. */
export async function makeExt4Image(image: string, bytes: number, owner: Owner): Promise<void> {
  const f = Deno.openSync(image, { write: true, createNew: true, mode: 0o600 });
  try {
    f.truncateSync(bytes);
  } finally {
    f.close();
  }
  // -m 0: no blocks reserved for root (jobs run as nobody and should get the whole size);
  // nodiscard: the image is new and sparse, there is nothing to discard.
  await run(MKFS_EXT4, [
    "-q",
    "-F",
    "-m",
    "0",
    "-E",
    `nodiscard,root_owner=${owner.uid}:${owner.gid}`,
    "-L",
    "joblet-volume",
    image,
  ], "format the volume image");
}

/** Attaches `image` to a free loop device (autoclear) and mounts it at `target`. */
export async function mountImage(image: string, target: string): Promise<void> {
  await run(MOUNT, ["-t", "ext4", "-o", "loop,nosuid,nodev,noatime", image, target], "mount the image");
}

export function mountTmpfs(target: string, bytes: number, owner: Owner): void {
  mount(
    "joblet-volume",
    target,
    "tmpfs",
    C.MS_NOSUID | C.MS_NODEV,
    `size=${bytes},mode=0755,uid=${owner.uid},gid=${owner.gid}`,
  );
}

/** Unmounts `target` if it is mounted. `lazy` detaches it even while busy (clean-up paths). */
export function unmount(target: string, lazy = false): void {
  if (!isMounted(target)) return;
  umount2(target, lazy ? C.MNT_DETACH : 0);
}

async function run(program: string, args: string[], what: string): Promise<void> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(program, { args, stdin: "null", stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    throw internal(`Cannot ${what}: ${program} could not be started: ${(e as Error).message}`, e);
  }
  if (out.success) return;
  const text = (new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout)).trim();
  const msg = `Cannot ${what}: ${program.split("/").pop()} exited with ${out.code}: ${
    text || "(no message)"
  }`;
  if (/no space left|ENOSPC/i.test(text)) throw new JobletError("ResourceExhausted", msg);
  if (/loop device|loop-control/i.test(text)) {
    throw failedPrecondition(`${msg} (are loop devices available? "modprobe loop")`);
  }
  throw new JobletError("Internal", msg);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
