/** Client-side check of a job id argument: a full id or a prefix; the agent resolves prefixes. */
import { JOB_ID_PREFIX } from "../agent/domain/job.ts";
import { UsageError } from "./errors.ts";

export function checkJobId(id: string): string {
  if (!JOB_ID_PREFIX.test(id)) {
    throw new UsageError(
      `job id "${id}" is not valid (use a full id or a unique prefix: 1–36 characters of 0-9, a-f and '-')`,
    );
  }
  return id;
}
