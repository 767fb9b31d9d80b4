import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { jobSpecOf, parseRunSpec } from "./run_spec.ts";

Deno.test("parseRunSpec() reads the form's spec with rnx's flag rules", () => {
  const a = parseRunSpec({
    command: "python3",
    args: ["train.py", "--epochs", "3"],
    env: { A: "1" },
    secretEnv: { TOKEN: "s3cret" },
    name: "train",
    maxMemory: "512MB",
    maxCpu: 50,
    cpuCores: "0-1",
    timeout: "5m",
    volumes: ["data", "models:ro"],
    network: "",
  });
  assertEquals(a.command, "python3");
  assertEquals(a.args, ["train.py", "--epochs", "3"]);
  assertEquals(a.env, { A: "1" });
  assertEquals(a.secretEnv, { TOKEN: "s3cret" });
  assertEquals(a.limits.memoryBytes, 512 * 1024 * 1024);
  assertEquals(a.limits.cpuPercent, 50);
  assertEquals(a.limits.timeoutMs, 300_000);
  assertEquals(a.volumes, [{ name: "data", readOnly: false }, { name: "models", readOnly: true }]);
  assertEquals(a.network, undefined, "an empty field means the agent's default");
  const spec = jobSpecOf(a);
  assertEquals(spec.limits?.cpuCores, "0-1");
  assertEquals(spec.limits?.maxMemoryBytes, 512 * 1024 * 1024);
});

Deno.test("parseRunSpec() names the field of a malformed spec", () => {
  assertThrows(() => parseRunSpec({ args: [] }), /command/);
  assertThrows(() => parseRunSpec({ command: "ls", args: "-la" }), /args/);
  assertThrows(() => parseRunSpec({ command: "ls", maxMemroy: "1GB" }), /maxMemroy/);
});

Deno.test("parseRunSpec() rejects bad values with rnx's messages naming the flag", () => {
  assertThrows(() => parseRunSpec({ command: "ls", maxMemory: "12XB" }), /--max-memory "12XB"/);
  assertThrows(() => parseRunSpec({ command: "ls", env: { "1BAD": "x" } }), /--env: variable name "1BAD"/);
  assertThrows(() => parseRunSpec({ command: "ls", schedule: "someday" }), /someday/);
  assertThrows(() => parseRunSpec({ command: "ls", volumes: ["a", "a"] }), /a/);
});

Deno.test("parseRunSpec() takes a schedule with its cron settings", () => {
  const a = parseRunSpec({
    command: "ls",
    schedule: "cron:*/5 * * * *",
    tz: "Europe/Berlin",
    missed: "skip",
  });
  assertEquals(a.schedule, "cron:*/5 * * * *");
  assertEquals(a.timezone, "Europe/Berlin");
  assertEquals(a.missed, "skip");
});
