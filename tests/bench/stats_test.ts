import { assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { quantile, sample, summarize } from "./stats.ts";

Deno.test("quantile() interpolates between the two nearest ranks", () => {
  assertEquals(quantile([10, 20, 30, 40], 0.5), 25);
  assertEquals(quantile([10, 20, 30, 40], 0), 10);
  assertEquals(quantile([10, 20, 30, 40], 1), 40);
  assertEquals(quantile([7], 0.95), 7);
});

Deno.test("quantile() rejects no samples and a q outside 0…1", () => {
  assertThrows(() => quantile([], 0.5), /no samples/);
  assertThrows(() => quantile([1], 1.5), /outside 0…1/);
});

Deno.test("summarize() sorts first: median and p95 do not depend on the order of the samples", () => {
  const s = summarize([5, 1, 4, 2, 3, 100, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  assertEquals(s.n, 20);
  assertEquals(s.median, 10.5);
  assertEquals(s.min, 1);
  assertEquals(s.max, 100);
  // rank 0.95 × 19 = 18.05: between 19 and 100
  assertEquals(Math.round(s.p95 * 100) / 100, 23.05);
});

Deno.test("sample() discards the warm-ups and summarizes only the timed runs", async () => {
  let calls = 0;
  const s = await sample({ warmups: 3, runs: 4 }, () => Promise.resolve(++calls <= 3 ? 1000 : calls));
  assertEquals(calls, 7);
  assertEquals([s.n, s.min, s.max], [4, 4, 7]);
});

Deno.test("sample() passes on a failing run instead of reporting partial figures", async () => {
  await assertRejects(
    () => sample({ warmups: 0, runs: 3 }, () => Promise.reject(new Error("job exited 1"))),
    /job exited 1/,
  );
});
