import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { checkTimeZone, nextTick, parseCron, ticksBetween } from "./cron.ts";

const utc = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => ms === undefined ? undefined : new Date(ms).toISOString();
const next = (expr: string, after: string, tz = "") => iso(nextTick(parseCron(expr), utc(after), tz));

Deno.test("nextTick() of */5 is the next multiple of five minutes, strictly after the given time", () => {
  assertEquals(next("*/5 * * * *", "2025-01-01T10:02:30Z"), "2025-01-01T10:05:00.000Z");
  assertEquals(next("*/5 * * * *", "2025-01-01T10:05:00Z"), "2025-01-01T10:10:00.000Z");
  assertEquals(next("*/5 * * * *", "2025-12-31T23:59:00Z"), "2026-01-01T00:00:00.000Z");
});

Deno.test("nextTick() handles month ends: 31st skips short months, Feb 29 waits for a leap year", () => {
  assertEquals(next("0 0 31 * *", "2025-01-31T00:00:00Z"), "2025-03-31T00:00:00.000Z");
  assertEquals(next("0 12 29 2 *", "2025-01-01T00:00:00Z"), "2028-02-29T12:00:00.000Z");
  assertEquals(next("59 23 30 4 *", "2025-04-30T23:58:59Z"), "2025-04-30T23:59:00.000Z");
  assertEquals(next("0 0 1 * *", "2025-02-28T23:59:59Z"), "2025-03-01T00:00:00.000Z");
});

Deno.test("nextTick() finds nothing for February 30th", () => {
  assertEquals(next("0 0 30 2 *", "2025-01-01T00:00:00Z"), undefined);
});

Deno.test("nextTick() with weekday names, ranges and 7 for Sunday", () => {
  // 2025-01-04 is a Saturday.
  assertEquals(next("30 9 * * MON-FRI", "2025-01-04T00:00:00Z"), "2025-01-06T09:30:00.000Z");
  assertEquals(next("0 0 * * 7", "2025-01-04T00:00:00Z"), "2025-01-05T00:00:00.000Z");
  assertEquals(next("@monthly", "2025-01-04T00:00:00Z"), "2025-02-01T00:00:00.000Z");
});

Deno.test("nextTick() matches either restricted day field, as Vixie cron does", () => {
  // The 15th (a Wednesday in Jan 2025) or any Monday: Monday the 6th comes first.
  assertEquals(next("0 0 15 * MON", "2025-01-01T00:00:00Z"), "2025-01-06T00:00:00.000Z");
  assertEquals(next("0 0 15 * MON", "2025-01-13T00:00:00Z"), "2025-01-15T00:00:00.000Z");
});

Deno.test("nextTick() in a time zone: 09:00 in New York is 14:00 UTC in winter, 13:00 in summer", () => {
  assertEquals(next("0 9 * * *", "2025-01-10T00:00:00Z", "America/New_York"), "2025-01-10T14:00:00.000Z");
  assertEquals(next("0 9 * * *", "2025-07-10T00:00:00Z", "America/New_York"), "2025-07-10T13:00:00.000Z");
});

Deno.test("ticksBetween() counts ticks in a window, bounded", () => {
  const e = parseCron("*/5 * * * *");
  assertEquals(ticksBetween(e, utc("2025-01-01T00:00:00Z"), utc("2025-01-01T01:00:00Z")), 12);
  assertEquals(ticksBetween(e, utc("2025-01-01T00:00:00Z"), utc("2026-01-01T00:00:00Z"), "", 50), 50);
});

Deno.test("parseCron() rejects bad expressions naming the field", () => {
  assertThrows(() => parseCron("* * * *"), /has 4 fields/);
  assertThrows(() => parseCron("60 * * * *"), /minute "60" is out of range 0-59/);
  assertThrows(() => parseCron("* * * * FOO"), /day of week "FOO" is not a number or a name/);
  assertThrows(() => parseCron("5-1 * * * *"), /reversed range/);
  assertThrows(() => parseCron("*/0 * * * *"), /step of 0/);
});

Deno.test("checkTimeZone() accepts IANA names and rejects unknown ones", () => {
  checkTimeZone("Europe/Berlin");
  checkTimeZone("");
  assertThrows(() => checkTimeZone("Mars/Olympus"), /time zone "Mars\/Olympus" is not known/);
});
