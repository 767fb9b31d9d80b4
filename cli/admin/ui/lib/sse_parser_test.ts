import { assertEquals } from "../../../../tests/assert.ts";
import { SseParser } from "./sse_parser.ts";

Deno.test("SseParser returns an event once its blank line arrives, across chunks", () => {
  const p = new SseParser();
  assertEquals(p.push('event: progress\ndata: {"phase":'), []);
  assertEquals(p.push('"index"}\n\n'), [{ event: "progress", data: '{"phase":"index"}' }]);
});

Deno.test("SseParser joins data lines, skips comments and defaults the event name", () => {
  const p = new SseParser();
  assertEquals(p.push(": keep-alive\ndata: a\ndata: b\n\n"), [{ event: "message", data: "a\nb" }]);
});

Deno.test("SseParser treats CRLF split between chunks as one line end", () => {
  const p = new SseParser();
  assertEquals(p.push("event: done\r\ndata: 1\r"), []);
  assertEquals(p.push("\n\r\n"), [{ event: "done", data: "1" }]);
});
