/**
 * Carries out a list of control-file writes from convert.ts, in order, for both versions. Errors name the
 * flag of the limit, the file, the value and the errno.
 */
import { JobletError } from "../../domain/errors.ts";
import { LIMIT_FLAGS } from "../../domain/limits.ts";
import { errnoOf, writeFailed } from "./common.ts";
import type { ControlWrite } from "./convert.ts";
import type { CgroupFs } from "./fs.ts";

export interface ApplyTarget {
  jobId: string;
  /** The job's directory holding the controller's files, or undefined when the controller is not available. */
  dirOf(controller: string): string | undefined;
  /** Why a controller is not available, and what to do about it. */
  whyMissing(controller: string): string;
}

export function applyWrites(fs: CgroupFs, target: ApplyTarget, writes: readonly ControlWrite[]): void {
  for (const w of writes) {
    const flag = LIMIT_FLAGS[w.limit];
    const dir = target.dirOf(w.controller);
    if (dir === undefined) {
      throw new JobletError(
        "FailedPrecondition",
        `Cannot apply ${flag} to job ${target.jobId}: ${target.whyMissing(w.controller)}`,
      );
    }
    const path = `${dir}/${w.file}`;
    if (w.optional && !fs.exists(path)) continue;
    try {
      fs.write(path, w.value);
    } catch (e) {
      // A device listed a moment ago and gone now (ENODEV) has nothing left to throttle.
      if (w.device && errnoOf(e) === "ENODEV") continue;
      const failed = writeFailed(path, w.value, e);
      throw new JobletError(failed.code, `Cannot apply ${flag} to job ${target.jobId}: ${failed.message}`, {
        cause: e,
      });
    }
  }
}
