import { assertEquals } from "../../tests/assert.ts";
import { canTransition, isFinished, outcomeOf } from "./job.ts";

Deno.test("outcomeOf() calls exit 0 COMPLETED and names the reason for failures", () => {
  assertEquals(outcomeOf({ code: 0, signal: null }), { status: "COMPLETED", reason: "" });
  assertEquals(outcomeOf({ code: 127, signal: null }), { status: "FAILED", reason: "command not found" });
  assertEquals(outcomeOf({ code: 3, signal: null }), { status: "FAILED", reason: "exited with code 3" });
  assertEquals(outcomeOf({ code: 137, signal: null }), { status: "FAILED", reason: "exited on signal 9" });
});

Deno.test("finished jobs never change state again", () => {
  for (const s of ["COMPLETED", "FAILED", "STOPPED"] as const) {
    assertEquals(isFinished(s), true);
    assertEquals(canTransition(s, "RUNNING"), false);
  }
  assertEquals(canTransition("RUNNING", "STOPPED"), true);
  assertEquals(canTransition("INITIALIZING", "COMPLETED"), false);
});
