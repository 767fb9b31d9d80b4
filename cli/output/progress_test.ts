import assert from "node:assert/strict";
import { MemorySink } from "../io.ts";
import { Progress, PROGRESS_THRESHOLD } from "./progress.ts";

Deno.test("Progress draws nothing when stderr is not a terminal", () => {
  const sink = new MemorySink(false);
  const p = new Progress(sink, PROGRESS_THRESHOLD * 2);
  p.add(PROGRESS_THRESHOLD);
  p.finish();
  assert.equal(sink.text(), "");
});

Deno.test("Progress draws nothing for a small upload", () => {
  const sink = new MemorySink(true);
  new Progress(sink, 1024).add(1024);
  assert.equal(sink.text(), "");
});

Deno.test("Progress redraws at most once per interval and clears its line at the end", () => {
  const sink = new MemorySink(true);
  let t = 1000;
  const total = 16 * 1024 * 1024;
  const p = new Progress(sink, total, () => t, 200);
  p.add(1024 * 1024);
  p.add(1024 * 1024); // same instant: skipped
  t += 250;
  p.add(6 * 1024 * 1024);
  p.add(8 * 1024 * 1024); // reaches the total: always drawn
  p.finish();
  const draws = sink.text().split("\r\x1b[2K").filter((s) => s !== "");
  assert.deepEqual(draws, [
    "Uploading 1.0 MiB / 16.0 MiB (6%)",
    "Uploading 8.0 MiB / 16.0 MiB (50%)",
    "Uploading 16.0 MiB / 16.0 MiB (100%)",
  ]);
  assert.ok(sink.text().endsWith("\r\x1b[2K"));
});
