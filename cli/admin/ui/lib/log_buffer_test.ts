import { assertEquals } from "../../../../tests/assert.ts";
import { LogBuffer, nextMatch } from "./log_buffer.ts";

Deno.test("LogBuffer keeps each line's stream", () => {
  const b = new LogBuffer();
  b.push("stdout", "a");
  b.push("stderr", "b");
  assertEquals([b.length, b.line(1), b.stream(0), b.stream(1)], [2, "b", "stdout", "stderr"]);
});

Deno.test("LogBuffer holds 100,000 lines and finds one among them", () => {
  const b = new LogBuffer();
  for (let i = 0; i < 100_000; i++) b.push(i % 7 ? "stdout" : "stderr", `line ${i}`);
  assertEquals(b.length, 100_000);
  assertEquals(b.search("line 99999"), [99999]);
  assertEquals(b.stream(99995), "stderr");
});

Deno.test("LogBuffer.search() ignores case unless the query has a capital", () => {
  const b = new LogBuffer();
  ["Error here", "error there", "fine"].forEach((l) => b.push("stdout", l));
  assertEquals(b.search("error"), [0, 1]);
  assertEquals(b.search("Error"), [0]);
  assertEquals(b.search(""), []);
});

Deno.test("LogBuffer drops the oldest tenth when full and counts what it dropped", () => {
  const b = new LogBuffer(10);
  for (let i = 0; i < 11; i++) b.push(i === 1 ? "stderr" : "stdout", `l${i}`);
  assertEquals([b.length, b.dropped, b.line(0), b.stream(0)], [10, 1, "l1", "stderr"]);
});

Deno.test("nextMatch() wraps round in both directions", () => {
  assertEquals(nextMatch([2, 5, 9], 5, 1), 9);
  assertEquals(nextMatch([2, 5, 9], 9, 1), 2);
  assertEquals(nextMatch([2, 5, 9], 2, -1), 9);
  assertEquals(nextMatch([], 0, 1), -1);
});
