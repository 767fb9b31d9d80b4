/**
 * The kernel side of workspace quotas: each job's /work is a sparse ext4 image of its --max-disk size on a loop
 * device (docs/adr/0009-workspace-quota.md). Formatted without a journal (`^has_journal`: a 32 MiB journal per
 * job would cost 32 MiB of host disk each and double mkfs time; a workspace is scratch space), mounted with
 * `discard` so that files a job deletes give their blocks back to the host, and with util-linux `mount -o loop`
 * for the same reasons as volumes (LO_FLAGS_AUTOCLEAR: the loop device lives exactly as long as the mount;
 * docs/adr/0007-volumes.md).
 */
import * as C from "../../../ffi/constants.ts";
import { umount2 } from "../../../ffi/sys.ts";
import { failedPrecondition, internal, JobletError } from "../../domain/errors.ts";
import { parseMountinfo } from "../metrics/mountinfo.ts";
import { LOOP_CONTROL, MKFS_EXT4, MOUNT } from "../volume/storage.ts";
import type { DiskImages } from "./workspaces.ts";

/** Jobs run as nobody: the root of each workspace belongs to them. */
const NOBODY = 65534;

/** DiskImages on this host: mkfs.ext4, mount -o loop, umount2(2). */
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
    await run(MKFS_EXT4, [
      "-q",
      "-F",
      "-m",
      "0",
      "-O",
      "^has_journal",
      "-E",
      `nodiscard,root_owner=${NOBODY}:${NOBODY}`,
      "-L",
      "joblet-work",
      image,
    ], "format the workspace image");
  }

  async mount(image: string, target: string): Promise<void> {
    await run(
      MOUNT,
      ["-t", "ext4", "-o", "loop,nosuid,nodev,noatime,discard", image, target],
      "mount the workspace",
    );
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
  if (/loop device|loop-control/i.test(text)) {
    throw new JobletError(
      "ResourceExhausted",
      `${msg} (no free loop device: each running job holds one; "modprobe loop", or fewer jobs at once)`,
    );
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
