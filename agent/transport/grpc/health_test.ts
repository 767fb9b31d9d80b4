import { assertEquals } from "../../../tests/assert.ts";
import { HealthState, Serving } from "./health.ts";

Deno.test("HealthState serves the agent and each named service until told otherwise", () => {
  const h = new HealthState(["joblet.v1.JobService"]);
  assertEquals([h.get(""), h.get("joblet.v1.JobService"), h.get("nope")], [
    Serving.SERVING,
    Serving.SERVING,
    undefined,
  ]);
  h.set(Serving.NOT_SERVING);
  assertEquals([...h.all().values()], [Serving.NOT_SERVING, Serving.NOT_SERVING]);
});

Deno.test("HealthState tells watchers about changes only, until they stop watching", () => {
  const h = new HealthState(["a"]);
  const seen: string[] = [];
  const stop = h.watch((name, s) => seen.push(`${name}=${s}`));
  h.set(Serving.SERVING, "a");
  h.set(Serving.NOT_SERVING, "a");
  stop();
  h.set(Serving.SERVING, "a");
  assertEquals(seen, [`a=${Serving.NOT_SERVING}`]);
});
