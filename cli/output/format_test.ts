import assert from "node:assert/strict";
import {
  commandLine,
  durationMs,
  humanBytes,
  humanDuration,
  localTime,
  rfc3339,
  shellQuote,
  truncate,
} from "./format.ts";

Deno.test("rfc3339() gives UTC RFC 3339 and null for 0", () => {
  assert.equal(rfc3339(Date.UTC(2024, 4, 1, 12, 3, 4, 120)), "2024-05-01T12:03:04.120Z");
  assert.equal(rfc3339(0), null);
});

Deno.test("localTime() gives YYYY-MM-DD HH:MM:SS and '-' for 0", () => {
  assert.match(localTime(Date.UTC(2024, 4, 1, 12, 3, 4)), /^2024-05-0[12] \d\d:\d\d:04$/);
  assert.equal(localTime(0), "-");
});

Deno.test("durationMs() is null before start and runs up to now while the job runs", () => {
  assert.equal(durationMs(0, 0, 5000), null);
  assert.equal(durationMs(1000, 0, 5000), 4000);
  assert.equal(durationMs(1000, 3000, 5000), 2000);
});

Deno.test("humanDuration() picks a unit for the size", () => {
  assert.deepEqual(
    [null, 850, 12_340, 245_000, 7_380_000, 273_600_000].map(humanDuration),
    ["-", "850ms", "12.3s", "4m05s", "2h03m", "3d04h"],
  );
});

Deno.test("humanBytes() uses binary units", () => {
  assert.deepEqual([0, 512, 1536, 3 * 1024 ** 3].map(humanBytes), ["0 B", "512 B", "1.5 KiB", "3.0 GiB"]);
});

Deno.test("shellQuote() leaves safe words and single-quotes the rest", () => {
  assert.equal(shellQuote("ls"), "ls");
  assert.equal(shellQuote("-la"), "-la");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("echo $1"), "'echo $1'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(commandLine("sh", ["-c", "echo $1 $2", "--", "a"]), "sh -c 'echo $1 $2' -- a");
});

Deno.test("truncate() cuts with an ellipsis only when needed", () => {
  assert.equal(truncate("abcdef", 6), "abcdef");
  assert.equal(truncate("abcdefg", 6), "abcde…");
});
