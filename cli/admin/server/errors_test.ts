import { z } from "zod";
import { assertEquals } from "../../../tests/assert.ts";
import { JobletError } from "../../../agent/domain/errors.ts";
import { AdminHttpError, parseIssues, toHttpError } from "./errors.ts";

Deno.test("toHttpError() maps each gRPC code to its HTTP status and keeps the message verbatim", () => {
  const cases: [JobletError["code"], number][] = [
    ["InvalidArgument", 400],
    ["NotFound", 404],
    ["AlreadyExists", 409],
    ["FailedPrecondition", 409],
    ["PermissionDenied", 403],
    ["Unauthenticated", 401],
    ["Unavailable", 502],
    ["Internal", 500],
    ["ResourceExhausted", 500],
  ];
  for (const [code, status] of cases) {
    const r = toHttpError(new JobletError(code, `job 1234 says ${code}`));
    assertEquals(r.status, status, code);
    assertEquals(r.body, { error: { code, message: `job 1234 says ${code}` } });
  }
});

Deno.test("toHttpError() turns a workflow's file:line:col problems into issues", () => {
  const msg = "workflow wf.yaml is not valid (2 problems):\n" +
    '  wf.yaml:3:5: jobs.a: unknown key "comand" (did you mean "command"?)\n' +
    '  wf.yaml:9:12: jobs.b.requires: job "zz" does not exist';
  const r = toHttpError(new JobletError("InvalidArgument", msg));
  assertEquals(r.status, 400);
  assertEquals(r.body.error.issues, [
    { line: 3, column: 5, message: 'jobs.a: unknown key "comand" (did you mean "command"?)' },
    { line: 9, column: 12, message: 'jobs.b.requires: job "zz" does not exist' },
  ]);
});

Deno.test("parseIssues() finds nothing in a message without file:line:col", () => {
  assertEquals(parseIssues('--max-memory "12XB" is not a size'), []);
});

Deno.test("toHttpError() names the field of a ZodError", () => {
  const err = z.strictObject({ name: z.string() }).safeParse({ name: 3 }).error!;
  const r = toHttpError(err);
  assertEquals(r.status, 400);
  assertEquals(r.body.error.code, "InvalidArgument");
  assertEquals(r.body.error.message.startsWith("name: "), true, r.body.error.message);
});

Deno.test("toHttpError() hides the details of an unexpected error and logs it", () => {
  const logged: unknown[] = [];
  const r = toHttpError(new TypeError("secret internals"), (e) => logged.push(e));
  assertEquals(r.status, 500);
  assertEquals(r.body.error.code, "Internal");
  assertEquals(r.body.error.message.includes("secret"), false);
  assertEquals(logged.length, 1);
});

Deno.test("toHttpError() keeps the status and code of an AdminHttpError", () => {
  const r = toHttpError(new AdminHttpError(403, "CSRF", "missing X-CSRF-Token header"));
  assertEquals(r, { status: 403, body: { error: { code: "CSRF", message: "missing X-CSRF-Token header" } } });
});
