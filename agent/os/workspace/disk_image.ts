/**
 * The kernel side of workspace quotas: each job's /work is a sparse ext4 image of its --max-disk size on a loop
 * device (docs/adr/0009-workspace-quota.md). Formatted without a journal (`^has_journal`: a 32 MiB journal per
 * job would cost 32 MiB of host disk each and double mkfs time; a workspace is scratch space) and without the
 * blocks reserved for online resizing (`^resize_inode`: we never grow a mounted workspace; it saves 0.5 MiB of
 * host disk per job and a millisecond of mkfs). Mounted straight through FFI (ffi/loop.ts: LOOP_CONFIGURE with
 * LO_FLAGS_AUTOCLEAR, then mount(2)) rather than by spawning `mount -o loop`: the same kernel calls, without two
 * process spawns on the job's start path. Autoclear ties the loop device's life to the mount, as for volumes
 * (docs/adr/0007-volumes.md). Mount options: `discard`, so files a job deletes give their blocks back to the
 * host, and `noinit_itable`: the image is a sparse file, so its inode tables already read as zeros and the
 * kernel's ext4lazyinit thread, which would otherwise zero them after every mount, has nothing to do.
 */
import * as C from "../../../ffi/constants.ts";
import { SyscallError } from "../../../ffi/errno.ts";
import { attachLoop, closeLoop } from "../../../ffi/loop.ts";
import { mount, umount2 } from "../../../ffi/sys.ts";
import { failedPrecondition, internal, JobletError } from "../../domain/errors.ts";
import { parseMountinfo } from "../metrics/mountinfo.ts";
import { LOOP_CONTROL, MKFS_EXT4 } from "../volume/storage.ts";
import type { DiskImages } from "./workspaces.ts";

/** Jobs run as nobody: the root of each workspace belongs to them. */
const NOBODY = 65534;

/** The ext4 superblock's magic number, at byte 1024 + 56 of the image. */
const EXT4_MAGIC_OFFSET = 1080;
const EXT4_MAGIC = 0xef53;

/** The flags of mkfs.ext4 that format a workspace image (see the top of this file). */
export const MKFS_ARGS = [
  "-q",
  "-F",
  "-m",
  "0",
  "-O",
  "^has_journal,^resize_inode",
  "-E",
  `nodiscard,root_owner=${NOBODY}:${NOBODY}`,
  "-L",
  "joblet-work",
] as const;

/** DiskImages on this host: mkfs.ext4, then LOOP_CONFIGURE + mount(2) and umount2(2) through FFI. */
export class Ext4DiskImages implements DiskImages {
  check(): void {
    const fix = 'load the module with "modprobe loop", or set jobs.max_disk: 0 to run jobs without a quota';
    if (!exists(LOOP_CONTROL)) {
      throw failedPrecondition(
        `Cannot give the job a size-limited /work: loop devices are unavailable (${LOOP_CONTROL} is missing; ${fix})`,
      );
    }
    if (!exists(MKFS_EXT4)) {
      throw failedPrecondition(
        `Cannot give the job a size-limited /work: ${MKFS_EXT4} is missing (install e2fsprogs, or set jobs.max_disk: 0)`,
      );
    }
  }

  async format(image: string): Promise<void> {
    await run(MKFS_EXT4, [...MKFS_ARGS, image], "format the workspace image");
  }

  isFormatted(image: string): boolean {
    const buf = new Uint8Array(2);
    let f: Deno.FsFile;
    try {
      f = Deno.openSync(image, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return false;
      throw e;
    }
    try {
      f.seekSync(EXT4_MAGIC_OFFSET, Deno.SeekMode.Start);
      if (f.readSync(buf) !== 2) return false;
    } finally {
      f.close();
    }
    return (buf[0] | buf[1] << 8) === EXT4_MAGIC;
  }

  mount(image: string, target: string): void {
    let loop: ReturnType<typeof attachLoop>;
    try {
      loop = attachLoop(image);
    } catch (e) {
      throw noLoopDevice(e);
    }
    try {
      mount(loop.path, target, "ext4", C.MS_NOSUID | C.MS_NODEV | C.MS_NOATIME, "discard,noinit_itable");
    } catch (e) {
      throw internal(
        `Cannot mount the workspace image ${image} (${loop.path}) on ${target}: ${message(e)}`,
        e,
      );
    } finally {
      // The mount holds the device now; when it failed, this last close detaches it (autoclear).
      closeLoop(loop.fd);
    }
  }

  isMounted(target: string): boolean {
    return mountsUnder(target).includes(target);
  }

  mountsUnder(dir: string): string[] {
    return mountsUnder(dir);
  }

  unmount(target: string, lazy = false): void {
    umount2(target, lazy ? C.MNT_DETACH : 0);
  }
}

function mountsUnder(dir: string): string[] {
  const prefix = dir.replace(/\/+$/, "");
  return parseMountinfo(Deno.readTextFileSync("/proc/self/mountinfo"))
    .map((m) => m.mountPoint)
    .filter((p) => p === prefix || p.startsWith(prefix + "/"));
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
  if (/no space left|ENOSPC/i.test(text)) {
    throw new JobletError("ResourceExhausted", `${msg} (the agent's state dir is full)`);
  }
  throw new JobletError("Internal", msg);
}

/** A failed attach: no device to be had is ResourceExhausted, never a reason to run without a limit. */
function noLoopDevice(e: unknown): JobletError {
  const detail = message(e);
  const code = e instanceof SyscallError ? e.code : "";
  const why = code === "EPERM" || code === "EACCES"
    ? "this host denies the agent loop devices (a container or device cgroup); run joblet with access to " +
      "/dev/loop-control and /dev/loop*, or set jobs.max_disk: 0"
    : code === "ENOENT" || code === "ENODEV" || code === "ENXIO"
    ? 'loop devices are unavailable; load the module with "modprobe loop", or set jobs.max_disk: 0'
    : "every loop device is taken (each running job holds one); run fewer jobs at once or free some with " +
      '"losetup -d"';
  return new JobletError(
    "ResourceExhausted",
    `Cannot give the job a size-limited /work: no loop device can be had (${detail}): ${why}`,
    { cause: e },
  );
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
