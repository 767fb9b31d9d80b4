/**
 * Removing a cgroup directory. rmdir(2) on a cgroup fails with EBUSY while it still has tasks, and a killed task
 * stays listed until it has finished exiting, so right after killAll() the first attempt may race the last
 * task's exit: retry for a short, bounded time.
 * https://docs.kernel.org/admin-guide/cgroup-v2.html#basic-operations ("A cgroup can be removed by removing the
 * directory … provided it has no children and is associated only with zombie processes")
 */
import { JobletError } from "../../domain/errors.ts";
import { errnoOf, parsePids, type Sleep } from "./common.ts";
import type { CgroupFs } from "./fs.ts";

export async function removeCgroupDir(
  fs: CgroupFs,
  dir: string,
  io: { sleep: Sleep; timeoutMs: number },
): Promise<void> {
  const deadline = performance.now() + io.timeoutMs;
  let pause = 5;
  for (;;) {
    try {
      fs.rmdir(dir);
      return;
    } catch (e) {
      const errno = errnoOf(e);
      if (errno === "ENOENT") return; // already gone: destroy() is idempotent
      if (errno !== "EBUSY") {
        throw new JobletError("Internal", `Cannot remove cgroup ${dir}: ${errno ?? e}`, { cause: e });
      }
      if (performance.now() > deadline) {
        const pids = parsePids(fs.read(`${dir}/cgroup.procs`));
        const why = fs.subdirs(dir).length > 0
          ? `it has child cgroups (${fs.subdirs(dir).join(", ")})`
          : `it still holds process(es) ${pids.join(", ") || "(exiting)"}; call killAll() first`;
        throw new JobletError(
          "FailedPrecondition",
          `Cannot remove cgroup ${dir} after ${io.timeoutMs} ms of EBUSY: ${why}`,
          { cause: e },
        );
      }
    }
    await io.sleep(pause);
    pause = Math.min(pause * 2, 100);
  }
}
