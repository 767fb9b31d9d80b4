import { assertEquals, assertStringIncludes } from "../assert.ts";
import { renderJson, renderText, type Report, verdictAtLeast, verdictAtMost } from "./report.ts";

Deno.test("verdictAtMost() tells the goal, the target and a miss apart", () => {
  assertEquals(verdictAtMost(2.9, 10, 3), "meets goal");
  assertEquals(verdictAtMost(3.5, 10, 3), "misses goal");
  assertEquals(verdictAtMost(10.5, 10, 3), "MISSES TARGET");
  assertEquals(verdictAtMost(9, 10), "meets target");
});

Deno.test("verdictAtLeast() misses a throughput below the target", () => {
  assertEquals(verdictAtLeast(100, 100), "meets target");
  assertEquals(verdictAtLeast(73, 100), "MISSES TARGET");
});

const report: Report = {
  machine: { os: "Debian GNU/Linux 12", cpus: 2, kernel: "6.1", deno: "2.9.3" },
  startedAt: "2026-01-01T00:00:00.000Z",
  durationS: 42,
  figures: [
    {
      section: "s1",
      name: "launch",
      unit: "ms",
      n: 30,
      median: 12.34,
      p95: 20,
      ratio: 3.5,
      ratioTo: "unshare",
    },
    { section: "s1", name: "unshare", unit: "ms", n: 30, median: 3.5, p95: 4 },
    { section: "s2", name: "capture", unit: "MiB/s", n: 3, median: 246.4, note: "three runs" },
  ],
  skipped: ["bwrap baseline: missing"],
};

Deno.test("renderText() prints each section with median, p95, ratio, notes and what was skipped", () => {
  const text = renderText(report);
  assertStringIncludes(text, "## s1");
  assertStringIncludes(text, "## s2");
  assertStringIncludes(text, "12.3 ms");
  assertStringIncludes(text, "3.50× unshare");
  assertStringIncludes(text, "246 MiB/s");
  assertStringIncludes(text, "* capture: three runs");
  assertStringIncludes(text, "- bwrap baseline: missing");
});

Deno.test("renderJson() round-trips the report", () => {
  assertEquals(JSON.parse(renderJson(report)), report);
});
