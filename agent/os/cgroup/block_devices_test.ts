import { assertEquals } from "../../../tests/assert.ts";
import { selectBlockDevices } from "./block_devices.ts";

Deno.test("selectBlockDevices() keeps whole disks with a size, sorted, and drops empty loop/zram and junk", () => {
  assertEquals(
    selectBlockDevices([
      { name: "zram0", dev: "253:0\n", size: "0\n" },
      { name: "vda", dev: "254:0\n", size: "536870912\n" },
      { name: "loop0", dev: "7:0\n", size: "0\n" },
      { name: "loop1", dev: "7:1\n", size: "2048\n" },
      { name: "odd", dev: "0:5\n", size: "10\n" },
      { name: "gone", dev: undefined, size: undefined },
    ]),
    [{ name: "loop1", major: 7, minor: 1 }, { name: "vda", major: 254, minor: 0 }],
  );
});
