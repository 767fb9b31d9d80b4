import { assertEquals } from "../../../../tests/assert.ts";
import { issueFromText, issuesByLine } from "./yaml_issues.ts";

Deno.test("issueFromText() reads file:line:col: message", () => {
  assertEquals(issueFromText('flow.yaml:7:5: jobs.train.requires: unknown job "prep"'), {
    line: 7,
    column: 5,
    message: 'jobs.train.requires: unknown job "prep"',
  });
  assertEquals(issueFromText("12:1: bad"), { line: 12, column: 1, message: "bad" });
});

Deno.test("issueFromText() keeps a message without a place on line 0", () => {
  assertEquals(issueFromText("the file is empty"), { line: 0, column: 0, message: "the file is empty" });
});

Deno.test("issuesByLine() groups by line in order", () => {
  const m = issuesByLine([
    { line: 9, column: 1, message: "b" },
    { line: 2, column: 4, message: "a2" },
    { line: 2, column: 1, message: "a1" },
  ]);
  assertEquals([...m.keys()], [2, 9]);
  assertEquals(m.get(2)!.map((i) => i.message), ["a1", "a2"]);
});
