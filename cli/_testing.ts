/** Small assertions shared by rnx's unit tests (node:assert has no "returns the thrown error" form). */
import assert from "node:assert/strict";
import { Job, JobStatus } from "../proto/gen/joblet.ts";

type Ctor<E> = abstract new (...args: never[]) => E;

/** Runs `fn`, asserts it throws (an instance of `type`, when given) and returns the error. */
export function thrown<E extends Error = Error>(fn: () => unknown, type?: Ctor<E>): E {
  try {
    fn();
  } catch (err) {
    if (type) assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    return err as E;
  }
  throw new assert.AssertionError({ message: "expected the function to throw" });
}

/** Awaits `fn`, asserts it rejects (with an instance of `type`, when given) and returns the error. */
export async function rejected<E extends Error = Error>(
  fn: () => Promise<unknown>,
  type?: Ctor<E>,
): Promise<E> {
  try {
    await fn();
  } catch (err) {
    if (type) assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    return err as E;
  }
  throw new assert.AssertionError({ message: "expected the promise to reject" });
}

export function assertIncludes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected ${JSON.stringify(text)} to include ${JSON.stringify(part)}`);
}

/** A finished job as the agent would send it; override any field. */
export function sampleJob(over: Partial<Job> = {}): Job {
  return Job.fromPartial({
    id: "0a1b2c3d-0000-4000-8000-000000000001",
    name: "build",
    command: "sh",
    args: ["-c", "echo $X"],
    status: JobStatus.JOB_STATUS_COMPLETED,
    exitCode: 0,
    createdUnixMs: Date.UTC(2024, 0, 2, 3, 4, 5),
    startUnixMs: Date.UTC(2024, 0, 2, 3, 4, 6),
    endUnixMs: Date.UTC(2024, 0, 2, 3, 4, 8, 500),
    env: { X: "1" },
    secretEnvNames: ["TOKEN"],
    submittedBy: "alice",
    logBytes: 12,
    ...over,
  });
}
