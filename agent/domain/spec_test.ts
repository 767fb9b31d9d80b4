import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { jobEnvironment, parseJobSpec } from "./spec.ts";
import { checkUploadPath } from "./upload.ts";

const base = { name: "", command: "echo", args: ["hi"], env: {}, secretEnv: {} };

Deno.test("parseJobSpec() rejects a bad env name, naming it", () => {
  assertThrows(() => parseJobSpec({ ...base, env: { "1BAD": "x" } }), /env name "1BAD" is not valid/);
});

Deno.test("parseJobSpec() rejects reserved names with the reason", () => {
  assertThrows(() => parseJobSpec({ ...base, env: { HOME: "/x" } }), /"HOME" is reserved/);
  assertThrows(() => parseJobSpec({ ...base, secretEnv: { JOBLET_X: "1" } }), /reserved/);
});

Deno.test("parseJobSpec() requires a command", () => {
  assertThrows(() => parseJobSpec({ ...base, command: "" }), /command: command is required/);
});

Deno.test("jobEnvironment() starts from the fixed base and adds user then secret variables", () => {
  const env = jobEnvironment({ env: { A: "1" }, secretEnv: { S: "2" } });
  assertEquals(env, {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/work",
    USER: "nobody",
    PWD: "/work",
    A: "1",
    S: "2",
  });
});

Deno.test("checkUploadPath() refuses paths that could leave /work", () => {
  assertThrows(() => checkUploadPath("/etc/passwd"), /absolute/);
  assertThrows(() => checkUploadPath("a/../../x"), /'\.\.'/);
  assertThrows(() => checkUploadPath("a//b"), /empty/);
  assertEquals(checkUploadPath("dir/sub/file.txt"), ["dir", "sub", "file.txt"]);
});
