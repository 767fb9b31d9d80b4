/**
 * Every job transition in the agent's log, without touching the job service: the store it writes through is
 * wrapped, and each insert (a new job) and each update that changes `status` becomes one line:
 *
 *   INFO job created id=… name=build command=make by=alice
 *   INFO job status id=… status=COMPLETED exit_code=0 reason=""
 *
 * Only ids, names, the command's program name, status, exit code, reason and the submitter are logged — never
 * arguments, environment or secret environment (arguments often carry credentials).
 */
import type { JobStore } from "../core/ports.ts";
import type { JobRecord } from "../domain/job.ts";
import type { Logger } from "./logger.ts";

export function loggingJobStore<S extends JobStore>(store: S, log: Logger): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "insert") {
        return (job: JobRecord) => {
          target.insert(job);
          log.info("job created", {
            id: job.id,
            name: job.name || undefined,
            command: job.command,
            status: job.status,
            by: job.submittedBy,
          });
        };
      }
      if (prop === "update") {
        return (id: string, patch: Partial<Omit<JobRecord, "id">>) => {
          const before = patch.status === undefined ? undefined : target.get(id)?.status;
          const after = target.update(id, patch);
          if (patch.status !== undefined && patch.status !== before) {
            const fields = {
              id,
              from: before,
              status: after.status,
              exit_code: after.exitCode ?? undefined,
              reason: after.reason || undefined,
            };
            if (after.status === "FAILED" || after.status === "TIMEOUT") log.warn("job status", fields);
            else log.info("job status", fields);
          }
          return after;
        };
      }
      if (prop === "delete") {
        return (id: string) => {
          target.delete(id);
          log.info("job deleted", { id });
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
