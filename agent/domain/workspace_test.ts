import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { JobletError } from "./errors.ts";
import { parseMaxDisk } from "./workspace.ts";

Deno.test("parseMaxDisk() reads 1024-based sizes in any case", () => {
  assertEquals(parseMaxDisk("512MB"), 512 * 1024 ** 2);
  assertEquals(parseMaxDisk("2gb"), 2 * 1024 ** 3);
  assertEquals(parseMaxDisk("1.5GB"), 1.5 * 1024 ** 3);
  assertEquals(parseMaxDisk("1TB"), 1024 ** 4);
});

Deno.test("parseMaxDisk() refuses bad sizes naming the flag, the value and the rule", () => {
  const cases: [string, RegExp][] = [
    ["10XB", /--max-disk "10XB" is not a size \(use MB, GB or TB/],
    ["0", /--max-disk "0" is zero: every job's \/work has a size/],
    ["-1GB", /--max-disk "-1GB" is negative/],
    ["1MB", /--max-disk "1MB" is too small \(at least 8MB\)/],
    ["17TB", /--max-disk "17TB" is too large \(at most 16TB\)/],
    ["", /--max-disk "" is not a size/],
  ];
  for (const [text, want] of cases) {
    assertThrows(() => parseMaxDisk(text), want);
    try {
      parseMaxDisk(text);
    } catch (e) {
      assertEquals((e as JobletError).code, "InvalidArgument");
    }
  }
});

Deno.test("parseMaxDisk() names the setting it was given", () => {
  assertThrows(() => parseMaxDisk("lots", "max_disk"), /max_disk "lots" is not a size/);
});
