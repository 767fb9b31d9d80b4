import assert from "node:assert/strict";
import { JobStatus } from "../../proto/gen/joblet.ts";
import { jobDetails, jobStarted, jobTable } from "./job_text.ts";
import { assertIncludes, sampleJob } from "../_testing.ts";

Deno.test("jobTable() shows short ids, exit codes and the quoted command", () => {
  const out = jobTable(
    [sampleJob(), sampleJob({ id: "ffffffff-1", name: "", exitCode: undefined })],
    0,
    false,
  );
  const lines = out.trimEnd().split("\n");
  assert.match(lines[0], /^ID\s+NAME\s+STATUS\s+EXIT\s+START\s+DURATION\s+COMMAND$/);
  assert.match(lines[1], /^0a1b2c3d {2}build {2}COMPLETED {2}0 .* 2\.5s\s+sh -c 'echo \$X'$/);
  assert.match(lines[2], /^ffffffff {2}-\s+COMPLETED {2}-/);
});

Deno.test("jobTable() colours the status only when asked", () => {
  assert.ok(!jobTable([sampleJob()], 0, false).includes("\x1b["));
  assertIncludes(jobTable([sampleJob()], 0, true), "\x1b[32mCOMPLETED\x1b[0m");
});

Deno.test("jobDetails() shows secret variables as *** and never their values", () => {
  const out = jobDetails(sampleJob({ reason: "exited with code 3" }), 0, false);
  assertIncludes(out, "Secret env:   TOKEN=***\n");
  assertIncludes(out, "Reason:       exited with code 3\n");
  assertIncludes(out, "Command:      sh -c 'echo $X'\n");
});

Deno.test("jobStarted() prints the id, name and status", () => {
  const out = jobStarted(sampleJob({ status: JobStatus.JOB_STATUS_RUNNING }), 0, false);
  assert.equal(out, "Job started: 0a1b2c3d-0000-4000-8000-000000000001\nName: build\nStatus: RUNNING\n");
});
