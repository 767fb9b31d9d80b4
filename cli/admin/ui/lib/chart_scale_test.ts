import { assertEquals } from "../../../../tests/assert.ts";
import { linearScale, linePath, niceMax, niceTicks } from "./chart_scale.ts";

Deno.test("linearScale() maps a domain onto a range, also inverted", () => {
  const y = linearScale([0, 100], [200, 0]);
  assertEquals([y(0), y(50), y(100)], [200, 100, 0]);
  assertEquals(linearScale([5, 5], [0, 10])(5), 0);
});

Deno.test("niceTicks() steps by 1, 2 or 5 times a power of ten", () => {
  assertEquals(niceTicks(0, 100, 4), [0, 50, 100]);
  assertEquals(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assertEquals(niceTicks(3, 3), [3]);
});

Deno.test("niceMax() rounds up to a readable axis top", () => {
  assertEquals(niceMax(73), 80);
  assertEquals(niceMax(1001), 1200);
  assertEquals(niceMax(0, 1), 1);
});

Deno.test("linePath() moves to the first point and draws lines to the rest", () => {
  const id = (v: number) => v;
  assertEquals(linePath([{ t: 0, v: 1 }, { t: 2, v: 3 }], id, id), "M0.0,1.0 L2.0,3.0");
  assertEquals(linePath([], id, id), "");
});
