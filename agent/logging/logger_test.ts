import { assertEquals } from "../../tests/assert.ts";
import { createLogger, formatLine } from "./logger.ts";

const T = new Date("2025-01-02T03:04:05.678Z");

Deno.test("formatLine() writes text as time, LEVEL, message and key=value, quoting values with spaces", () => {
  assertEquals(
    formatLine("text", T, "info", "job status", { id: "j1", status: "RUNNING", reason: "exit code 1", n: 3 }),
    '2025-01-02T03:04:05.678Z INFO job status id=j1 status=RUNNING reason="exit code 1" n=3',
  );
});

Deno.test("formatLine() writes JSON lines with time, level and msg first", () => {
  const line = formatLine("json", T, "warn", "denied", { who: "bob", role: "readonly", absent: undefined });
  assertEquals(
    line,
    '{"time":"2025-01-02T03:04:05.678Z","level":"warn","msg":"denied","who":"bob","role":"readonly"}',
  );
  assertEquals(JSON.parse(formatLine("json", T, "info", "m", { msg: "x" }))["field.msg"], "x");
});

Deno.test("formatLine() redacts fields named like secrets, whatever their value", () => {
  for (const format of ["text", "json"] as const) {
    const line = formatLine(format, T, "info", "m", {
      secretEnv: "A=1",
      password: "p",
      apiToken: "t",
      server_key: "k",
      name: "keyboard",
    });
    assertEquals(
      [line.includes("A=1"), line.includes('"p"'), line.includes("=t"), line.includes("keyboard")],
      [
        false,
        false,
        false,
        true,
      ],
    );
    assertEquals(line.split("[redacted]").length - 1, 4);
  }
});

Deno.test("formatLine() keeps one event on one line", () => {
  const line = formatLine("text", T, "error", "a\nb", { out: "x\ny" });
  assertEquals(line.includes("\n"), false);
  assertEquals(line, '2025-01-02T03:04:05.678Z ERROR a\\nb out="x\\ny"');
});

Deno.test("a logger drops messages below its level, and configure() changes level and format", () => {
  const lines: string[] = [];
  const log = createLogger({ format: "text", level: "warn" }, { write: (l) => lines.push(l), now: () => T });
  log.info("hidden");
  log.warn("shown");
  log.configure({ format: "json", level: "debug" });
  log.debug("now shown");
  assertEquals(lines, [
    "2025-01-02T03:04:05.678Z WARN shown",
    '{"time":"2025-01-02T03:04:05.678Z","level":"debug","msg":"now shown"}',
  ]);
  assertEquals([log.enabled("debug"), log.settings.format], [true, "json"]);
});
