import { assertEquals } from "../../../../tests/assert.ts";
import { humanRate, limit, localTime, percent, share, shortId } from "./format.ts";

Deno.test("humanRate() appends /s to a byte count", () => {
  assertEquals(humanRate(0), "0 B/s");
  assertEquals(humanRate(1536), "1.5 KiB/s");
});

Deno.test("percent() rounds to one decimal and shows NaN as 0%", () => {
  assertEquals(percent(37.54), "37.5%");
  assertEquals(percent(NaN), "0%");
  assertEquals(percent(-3), "0%");
});

Deno.test("localTime() shows null and garbage as a dash", () => {
  assertEquals(localTime(null), "-");
  assertEquals(localTime("soon"), "-");
  assertEquals(localTime("2024-01-02T03:04:05Z").length, 19);
});

Deno.test("shortId() keeps the first 8 characters", () => {
  assertEquals(shortId("0a1b2c3d-0000-4000"), "0a1b2c3d");
});

Deno.test("share() is 0 for an empty total and capped at 100", () => {
  assertEquals(share(5, 0), 0);
  assertEquals(share(3, 4), 75);
  assertEquals(share(9, 4), 100);
});

Deno.test("limit() names 0 and empty string unlimited", () => {
  assertEquals(limit(0), "unlimited");
  assertEquals(limit(""), "unlimited");
  assertEquals(limit(50, (v: number) => `${v}%`), "50%");
});
