/**
 * Carries out a plan (plan.ts) on the calling thread. Only synchronous calls: the JS thread is the one in
 * the job's namespaces; async Deno ops run on other threads that are still in the host's.
 */
import * as C from "../../../ffi/constants.ts";
import { chdir, linkUp, mount, pivotRoot, sethostname, umount2 } from "../../../ffi/sys.ts";
import { describeStep, type MountFlag, type Step } from "./plan.ts";

/** A step that failed; `cause` holds the SyscallError or Deno error. */
export class StepError extends Error {
  readonly step: Step;
  constructor(step: Step, index: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`step ${index + 1} "${describeStep(step)}" failed: ${why}`, { cause });
    this.name = "StepError";
    this.step = step;
  }
}

export function executePlan(steps: readonly Step[]): void {
  steps.forEach((step, i) => {
    try {
      executeStep(step);
    } catch (e) {
      throw new StepError(step, i, e);
    }
  });
}

const FLAG_BITS: Record<MountFlag, bigint> = {
  rdonly: C.MS_RDONLY,
  nosuid: C.MS_NOSUID,
  nodev: C.MS_NODEV,
  noexec: C.MS_NOEXEC,
};

export function mountFlags(flags: readonly MountFlag[]): bigint {
  return flags.reduce((acc, f) => acc | FLAG_BITS[f], 0n);
}

function executeStep(s: Step): void {
  switch (s.op) {
    case "make-private":
      return mount(null, "/", null, C.MS_REC | C.MS_PRIVATE);
    case "sethostname":
      return sethostname(s.name);
    case "link-up":
      return linkUp(s.name);
    case "mount":
      return mount(s.fstype, s.target, s.fstype, mountFlags(s.flags), s.data);
    case "bind":
      mount(s.source, s.target, null, C.MS_BIND | (s.recursive ? C.MS_REC : 0n));
      return mount(null, s.target, null, C.MS_BIND | C.MS_REMOUNT | mountFlags(s.flags));
    case "remount":
      return mount(null, s.target, null, C.MS_BIND | C.MS_REMOUNT | mountFlags(s.flags));
    case "mkdir":
      return Deno.mkdirSync(s.path, { recursive: true, mode: 0o755 });
    case "file":
      Deno.writeTextFileSync(s.path, s.content, { mode: s.mode });
      return Deno.chmodSync(s.path, s.mode); // the umask may have narrowed `mode`
    case "symlink":
      return Deno.symlinkSync(s.target, s.path);
    case "pivot-root":
      pivotRoot(s.newRoot, `${s.newRoot}/.old`);
      chdir("/");
      umount2("/.old", C.MNT_DETACH);
      return Deno.removeSync("/.old");
    case "chdir":
      return chdir(s.path);
  }
}
