import { assertEquals } from "../../../../tests/assert.ts";
import { appendPoint, maxOf, rates } from "./series.ts";

Deno.test("appendPoint() keeps at most max points, dropping the oldest", () => {
  let s = appendPoint([], { t: 1, v: 1 }, 2);
  s = appendPoint(s, { t: 2, v: 2 }, 2);
  s = appendPoint(s, { t: 3, v: 3 }, 2);
  assertEquals(s.map((p) => p.t), [2, 3]);
});

Deno.test("rates() turns a cumulative counter into bytes per second", () => {
  assertEquals(rates([{ t: 0, v: 0 }, { t: 2000, v: 4096 }, { t: 3000, v: 5120 }]), [
    { t: 2000, v: 2048 },
    { t: 3000, v: 1024 },
  ]);
});

Deno.test("rates() gives 0, not a negative rate, when a counter goes down", () => {
  assertEquals(rates([{ t: 0, v: 100 }, { t: 1000, v: 5 }]), [{ t: 1000, v: 0 }]);
});

Deno.test("maxOf() is the largest value of all series, 0 for none", () => {
  assertEquals(maxOf([{ t: 0, v: 3 }], [{ t: 0, v: 7 }]), 7);
  assertEquals(maxOf(), 0);
});
