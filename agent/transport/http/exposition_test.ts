import assert from "node:assert/strict";
import { escapeLabelValue, Exposition, formatValue } from "./exposition.ts";

Deno.test("Exposition writes HELP, TYPE and labelled samples", () => {
  const text = new Exposition()
    .family("x_bytes_total", "counter", "Bytes seen.", [[{ device: "eth0" }, 12], [{ device: "lo" }, 3]])
    .single("y", "gauge", "A line\nand a \\ backslash.", 1.5)
    .text();
  assert.equal(
    text,
    `# HELP x_bytes_total Bytes seen.
# TYPE x_bytes_total counter
x_bytes_total{device="eth0"} 12
x_bytes_total{device="lo"} 3
# HELP y A line\\nand a \\\\ backslash.
# TYPE y gauge
y 1.5
`,
  );
});

Deno.test("escapeLabelValue() escapes backslash, quote and newline", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
});

Deno.test("Exposition refuses a counter without _total, a bad name and a family added twice", () => {
  assert.throws(() => new Exposition().single("x_bytes", "counter", "h", 1), /must end in _total/);
  assert.throws(() => new Exposition().single("x-y", "gauge", "h", 1), /not valid/);
  assert.throws(() => new Exposition().family("x", "gauge", "h", [[{ __x: "a" }, 1]]), /label name/);
  assert.throws(() => new Exposition().single("x", "gauge", "h", 1).single("x", "gauge", "h", 1), /twice/);
});

Deno.test("formatValue() writes special floats the Prometheus way", () => {
  assert.equal(formatValue(NaN), "NaN");
  assert.equal(formatValue(Infinity), "+Inf");
  assert.equal(formatValue(-Infinity), "-Inf");
  assert.equal(formatValue(1e21), "1e+21");
});
