import assert from "node:assert/strict";
import { checkJobId } from "./job_id.ts";
import { UsageError } from "./errors.ts";
import { assertIncludes, thrown } from "./_testing.ts";

Deno.test("checkJobId() accepts a full id and a short prefix", () => {
  assert.equal(checkJobId("0a1b2c3d-0000-4000-8000-000000000001"), "0a1b2c3d-0000-4000-8000-000000000001");
  assert.equal(checkJobId("0a"), "0a");
});

Deno.test("checkJobId() rejects empty, too long, upper-case and non-hex ids, quoting them", () => {
  for (const bad of ["", "x".repeat(3), "a".repeat(37), "ABC", "12 3", "../x"]) {
    assertIncludes(thrown(() => checkJobId(bad), UsageError).message, `job id "${bad}"`);
  }
});
