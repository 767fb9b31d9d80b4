import { assertEquals } from "../../../tests/assert.ts";
import { tbfArgs, tbfBurstBytes } from "./tc.ts";

Deno.test("tbfArgs() gives tc the rate in bits, a burst and a 50 ms queue", () => {
  assertEquals(
    tbfArgs("jv0123456789ab", 1_000_000).join(" "),
    "qdisc replace dev jv0123456789ab root tbf rate 8000000bit burst 32768 latency 50ms",
  );
});

Deno.test("tbfBurstBytes() is 32 KiB for slow rates and 4 ms of traffic for fast ones", () => {
  assertEquals(tbfBurstBytes(1_000), 32 * 1024);
  assertEquals(tbfBurstBytes(1_000_000), 32 * 1024);
  assertEquals(tbfBurstBytes(125_000_000), 500_000);
  assertEquals(tbfBurstBytes(12_500_000_000), 50_000_000);
});
