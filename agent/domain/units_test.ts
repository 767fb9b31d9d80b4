import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { formatDuration, formatSize, parseDuration, parseSize } from "./units.ts";

Deno.test("parseDuration() reads each unit and compound durations in milliseconds", () => {
  assertEquals(parseDuration("250ms"), 250);
  assertEquals(parseDuration("10s"), 10_000);
  assertEquals(parseDuration("5m"), 300_000);
  assertEquals(parseDuration("2h"), 7_200_000);
  assertEquals(parseDuration("1d"), 86_400_000);
  assertEquals(parseDuration("1h30m"), 5_400_000);
  assertEquals(parseDuration("1.5h"), 5_400_000);
  assertEquals(parseDuration(" 0 "), 0);
  assertEquals(parseDuration("0s"), 0);
});

Deno.test("parseDuration() rejects a missing unit, an unknown unit and junk, naming the rule", () => {
  assertThrows(() => parseDuration("10"), /"10" has no unit \(use a number with ms, s, m, h or d/);
  assertThrows(() => parseDuration("10x"), /"10x" is not a duration/);
  assertThrows(() => parseDuration("1h 30m"), /"1h 30m" is not a duration/);
  assertThrows(() => parseDuration(""), /"" is not a duration/);
  assertThrows(() => parseDuration("-5s"), /"-5s" is not a duration/);
  assertThrows(() => parseDuration("h"), /"h" is not a duration/);
});

Deno.test("parseSize() reads bytes and 1024-based units in any case", () => {
  assertEquals(parseSize("100"), 100);
  assertEquals(parseSize("100B"), 100);
  assertEquals(parseSize("4K"), 4096);
  assertEquals(parseSize("512MB"), 512 * 1024 * 1024);
  assertEquals(parseSize("512mib"), 512 * 1024 * 1024);
  assertEquals(parseSize("1GiB"), 1073741824);
  assertEquals(parseSize("1.5GiB"), 1610612736);
  assertEquals(parseSize("1073741824"), 1073741824);
  assertEquals(parseSize("2 TB"), 2 * 1024 ** 4);
});

Deno.test("parseSize() rejects unknown units, negatives and junk, naming the rule", () => {
  assertThrows(
    () => parseSize("12XB"),
    /"12XB" is not a size \(use a number of bytes or a number with B, KB/,
  );
  assertThrows(() => parseSize("-1MB"), /"-1MB" is not a size/);
  assertThrows(() => parseSize("MB"), /"MB" is not a size/);
  assertThrows(() => parseSize("1e9"), /"1e9" is not a size/);
  assertThrows(() => parseSize("99999999999TB"), /too large/);
});

Deno.test("formatDuration() and formatSize() write what the parsers read back", () => {
  for (const ms of [0, 250, 10_000, 5_400_000, 86_400_000 + 1500]) {
    assertEquals(parseDuration(formatDuration(ms)), ms);
  }
  assertEquals(formatDuration(5_400_000), "1h30m");
  assertEquals(formatSize(1073741824), "1GiB");
  assertEquals(formatSize(1000), "1000B");
  for (const b of [0, 1, 1024, 1536, 1073741824]) assertEquals(parseSize(formatSize(b)), b);
});
