import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { checkScheduleSyntax, parseAbsolute, parseDelay, parseSchedule } from "./schedule.ts";

const NOW = Date.parse("2025-08-03T12:00:00Z");

Deno.test("parseDelay() reads units, long forms and combinations", () => {
  assertEquals(parseDelay("30s"), 30_000);
  assertEquals(parseDelay("5min"), 300_000);
  assertEquals(parseDelay("5m"), 300_000);
  assertEquals(parseDelay("2h"), 7_200_000);
  assertEquals(parseDelay("1d"), 86_400_000);
  assertEquals(parseDelay("1h30m"), 5_400_000);
  assertEquals(parseDelay("2 hours"), 7_200_000);
  assertEquals(parseDelay("1 day 6 hours"), 108_000_000);
  assertEquals(parseDelay("10 seconds"), 10_000);
  assertEquals(parseDelay("10"), undefined);
  assertEquals(parseDelay("10 parsecs"), undefined);
});

Deno.test("parseAbsolute() reads RFC 3339 with Z, an offset, or a space for the T", () => {
  assertEquals(parseAbsolute("2025-08-03T15:00:00Z"), Date.parse("2025-08-03T15:00:00Z"));
  assertEquals(parseAbsolute("2025-08-03T15:00:00-07:00"), Date.parse("2025-08-03T22:00:00Z"));
  assertEquals(parseAbsolute("2025-08-03 15:00:00+02:00"), Date.parse("2025-08-03T13:00:00Z"));
  assertEquals(parseAbsolute("2025-02-30T15:00:00Z"), undefined);
  assertEquals(parseAbsolute("2025-08-03T15:00:00"), undefined);
});

Deno.test("parseSchedule() resolves relative and absolute times against the clock", () => {
  assertEquals(parseSchedule("30s", NOW), { kind: "at", at: NOW + 30_000 });
  assertEquals(parseSchedule("2025-08-03T15:00:00Z", NOW), { kind: "at", at: NOW + 3 * 3_600_000 });
  const c = parseSchedule("cron:*/5 * * * *", NOW);
  assertEquals(c.kind === "cron" ? c.expr : "", "*/5 * * * *");
});

Deno.test("parseSchedule() rejects past times, more than a year ahead and nonsense, quoting the value", () => {
  assertThrows(() => parseSchedule("2025-08-03T11:00:00Z", NOW), /"2025-08-03T11:00:00Z" is in the past/);
  assertThrows(() => parseSchedule("400d", NOW), /more than a year ahead/);
  assertThrows(() => parseSchedule("2027-01-01T00:00:00Z", NOW), /more than a year ahead/);
  assertThrows(() => parseSchedule("soon", NOW), /"soon" is not a delay, a time or a cron schedule/);
  assertThrows(() => parseSchedule("0s", NOW), /not in the future/);
  assertThrows(() => parseSchedule("cron:* * *", NOW), /has 3 fields/);
});

Deno.test("checkScheduleSyntax() needs no clock", () => {
  checkScheduleSyntax("1h");
  checkScheduleSyntax("cron:@daily");
  assertThrows(() => checkScheduleSyntax("tomorrow"), /not a delay/);
});
