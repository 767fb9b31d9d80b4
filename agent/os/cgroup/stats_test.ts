import { assertEquals } from "../../../tests/assert.ts";
import { parseBlkioServiceBytesV1, parseFlatKeyed, parseIoStatV2, parseSingle } from "./stats.ts";

Deno.test("parseFlatKeyed() reads cpu.stat, memory.events and memory.oom_control", () => {
  assertEquals(
    parseFlatKeyed("usage_usec 2010000\nuser_usec 2000000\nnr_throttled 40\nthrottled_usec 1990000\n"),
    { usage_usec: 2010000, user_usec: 2000000, nr_throttled: 40, throttled_usec: 1990000 },
  );
  assertEquals(parseFlatKeyed("oom_kill_disable 0\nunder_oom 0\noom_kill 1\n").oom_kill, 1);
  assertEquals(parseFlatKeyed(undefined), {});
});

Deno.test("parseSingle() reads a number; max and a missing file are 0", () => {
  assertEquals([parseSingle("67108864\n"), parseSingle("max\n"), parseSingle(undefined)], [67108864, 0, 0]);
});

Deno.test("parseIoStatV2() sums rbytes and wbytes over devices", () => {
  assertEquals(
    parseIoStatV2(
      "254:0 rbytes=1000 wbytes=20971520 rios=1 wios=20 dbytes=0 dios=0\n7:1 rbytes=5 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
    ),
    { read: 1005, write: 20971520 },
  );
});

Deno.test("parseBlkioServiceBytesV1() sums Read and Write lines over devices, not Total or Sync", () => {
  assertEquals(
    parseBlkioServiceBytesV1(
      "254:0 Read 4096\n254:0 Write 20971520\n254:0 Sync 20975616\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 20975616\n" +
        "7:1 Read 10\n7:1 Write 0\nTotal 20975626\n",
    ),
    { read: 4106, write: 20971520 },
  );
});
