import { assertEquals } from "../../../tests/assert.ts";
import { LogStream } from "../../../proto/gen/joblet.ts";
import { LineSplitter, MAX_LINE } from "./log_lines.ts";

const enc = new TextEncoder();
const rec = (stream: LogStream, text: string | Uint8Array, t = 1_700_000_000_000) => ({
  stream,
  data: typeof text === "string" ? enc.encode(text) : text,
  timeUnixMs: t,
});

Deno.test("LineSplitter gives one line per newline and joins lines cut across records", () => {
  const s = new LineSplitter();
  assertEquals(s.push(rec(LogStream.LOG_STREAM_STDOUT, "a\nb")).map((l) => l.line), ["a"]);
  assertEquals(s.push(rec(LogStream.LOG_STREAM_STDOUT, "c\nd\n")).map((l) => l.line), ["bc", "d"]);
  assertEquals(s.flush(), []);
});

Deno.test("LineSplitter keeps stdout and stderr apart and shows agent records with stderr", () => {
  const s = new LineSplitter();
  assertEquals(s.push(rec(LogStream.LOG_STREAM_STDOUT, "out")), []);
  const err = s.push(rec(LogStream.LOG_STREAM_STDERR, "err\r\n"));
  assertEquals(err.map((l) => [l.stream, l.line]), [["stderr", "err"]]);
  const sys = s.push(rec(LogStream.LOG_STREAM_SYSTEM, "log cap reached\n"));
  assertEquals(sys.map((l) => [l.stream, l.line]), [["stderr", "log cap reached"]]);
  assertEquals(s.flush().map((l) => [l.stream, l.line]), [["stdout", "out"]]);
});

Deno.test("LineSplitter joins a UTF-8 character split across records and stamps the time", () => {
  const s = new LineSplitter();
  const bytes = enc.encode("é\n");
  assertEquals(s.push(rec(LogStream.LOG_STREAM_STDOUT, bytes.slice(0, 1))), []);
  const [line] = s.push(rec(LogStream.LOG_STREAM_STDOUT, bytes.slice(1)));
  assertEquals(line, { stream: "stdout", line: "é", time: "2023-11-14T22:13:20.000Z" });
});

Deno.test("LineSplitter cuts a line longer than MAX_LINE", () => {
  const s = new LineSplitter();
  const out = s.push(rec(LogStream.LOG_STREAM_STDOUT, "x".repeat(MAX_LINE * 2 + 5)));
  assertEquals(out.map((l) => l.line.length), [MAX_LINE, MAX_LINE]);
  assertEquals(s.flush().map((l) => l.line.length), [5]);
});
