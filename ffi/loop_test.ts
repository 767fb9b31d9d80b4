import { assertEquals } from "../tests/assert.ts";
import { LO_FLAGS_AUTOCLEAR, LOOP_CONFIG_SIZE, loopConfig } from "./loop.ts";

Deno.test("loopConfig() lays out struct loop_config: fd first, lo_flags at 60, the name at 64", () => {
  const buf = loopConfig(7, LO_FLAGS_AUTOCLEAR, "/var/lib/joblet/jobs/x/work.ext4.new");
  const view = new DataView(buf.buffer);
  assertEquals(buf.byteLength, LOOP_CONFIG_SIZE);
  assertEquals(view.getUint32(0, true), 7);
  assertEquals(view.getUint32(4, true), 0, "block_size 0: the kernel's default");
  assertEquals(view.getUint32(60, true), LO_FLAGS_AUTOCLEAR);
  assertEquals(new TextDecoder().decode(buf.subarray(64, 64 + 36)), "/var/lib/joblet/jobs/x/work.ext4.new");
  assertEquals(buf[64 + 36], 0);
});

Deno.test("loopConfig() cuts a long name to 63 bytes, keeping the NUL of lo_file_name[64]", () => {
  const buf = loopConfig(3, 0, "/" + "a".repeat(100));
  assertEquals(buf[64 + 62], 0x61);
  assertEquals(buf[64 + 63], 0);
  assertEquals(buf[128], 0, "lo_crypt_name stays empty");
});
