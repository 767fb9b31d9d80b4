import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { NoCgroupDriver, refuseLimits } from "./none.ts";
import { NO_LIMITS } from "../../domain/limits.ts";

Deno.test("with limits disabled, asking for a limit is refused naming it; a timeout still works", () => {
  assertThrows(() => refuseLimits({ memoryBytes: 64 << 20 }), /limits\.disabled.*memoryBytes/);
  assertThrows(() => refuseLimits({ cpuCores: [0] }), /cpuCores/);
  assertEquals(refuseLimits({ timeoutMs: 1000 }), { ...NO_LIMITS, timeoutMs: 1000 });
});

Deno.test("without cgroups a job's signals go to its PID 1 while it lives", () => {
  const sent: [number, string][] = [];
  let living = true;
  const driver = new NoCgroupDriver((pid, sig) => sent.push([pid, sig]), () => living);
  const cg = driver.create("j", NO_LIMITS);
  cg.addProcess(4242);
  cg.signal("SIGTERM");
  assertEquals(sent, [[4242, "SIGTERM"]]);
  living = false;
  cg.signal("SIGKILL");
  assertEquals(sent.length, 1);
  assertEquals(cg.stats().cpuUsageUs, 0);
  assertEquals(driver.list(), []);
});
