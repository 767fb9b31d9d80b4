import { assertEquals } from "../../../../tests/assert.ts";
import { isAtBottom, scrollTopFor, visibleRange } from "./virtual_window.ts";

Deno.test("visibleRange() draws only the rows in view plus the overscan", () => {
  const r = visibleRange({
    scrollTop: 1800,
    viewportHeight: 180,
    rowHeight: 18,
    count: 100_000,
    overscan: 5,
  });
  assertEquals(r, { start: 95, end: 116, offsetTop: 95 * 18, totalHeight: 1_800_000 });
});

Deno.test("visibleRange() clamps a scroll past the end to the last rows", () => {
  const r = visibleRange({ scrollTop: 1e9, viewportHeight: 90, rowHeight: 18, count: 20, overscan: 0 });
  assertEquals([r.start, r.end], [15, 20]);
});

Deno.test("visibleRange() of an empty list draws nothing", () => {
  assertEquals(visibleRange({ scrollTop: 0, viewportHeight: 100, rowHeight: 18, count: 0 }).end, 0);
});

Deno.test("isAtBottom() allows a few pixels of slack", () => {
  assertEquals(isAtBottom(800, 200, 1003), true);
  assertEquals(isAtBottom(700, 200, 1000), false);
});

Deno.test("scrollTopFor() centres a row and never goes negative", () => {
  assertEquals(scrollTopFor(0, 18, 180), 0);
  assertEquals(scrollTopFor(100, 18, 180), 1800 - 90 + 18);
});
