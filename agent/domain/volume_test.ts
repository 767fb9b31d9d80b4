import { assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  checkVolumeMounts,
  checkVolumeName,
  formatVolumeMount,
  parseVolumeMount,
  parseVolumeSize,
  parseVolumeType,
} from "./volume.ts";

Deno.test("parseVolumeSize() reads MB, GB and TB, 1024-based, any case, with fractions", () => {
  assertEquals(parseVolumeSize("100MB"), 100 * 1024 ** 2);
  assertEquals(parseVolumeSize("10GB"), 10 * 1024 ** 3);
  assertEquals(parseVolumeSize("1.5GB"), 1.5 * 1024 ** 3);
  assertEquals(parseVolumeSize("1TB"), 1024 ** 4);
  assertEquals(parseVolumeSize("100mb"), 100 * 1024 ** 2);
  assertEquals(parseVolumeSize("2gib"), 2 * 1024 ** 3);
});

Deno.test("parseVolumeSize() rejects an unknown unit, zero, a negative size and tiny sizes, quoting them", () => {
  assertThrows(() => parseVolumeSize("10XB"), /--size "10XB" is not a size/);
  assertThrows(() => parseVolumeSize("0"), /--size "0" is zero/);
  assertThrows(() => parseVolumeSize("0GB"), /--size "0GB" is zero/);
  assertThrows(() => parseVolumeSize("-1GB"), /--size "-1GB" is negative/);
  assertThrows(() => parseVolumeSize("1MB"), /--size "1MB" is too small \(at least 8MB\)/);
  assertThrows(() => parseVolumeSize("100"), /too small/);
  assertThrows(() => parseVolumeSize("17TB"), /too large/);
  assertThrows(() => parseVolumeSize(""), /is not a size/);
});

Deno.test("checkVolumeName() takes 1-63 letters, digits, '-' and '_' that start and end with a letter or digit", () => {
  for (const ok of ["a", "results", "r-1", "A_b-9", "x".repeat(63)]) assertEquals(checkVolumeName(ok), ok);
  for (const bad of ["", "-bad", "bad-", "_x", "x/../y", "a b", "x".repeat(64), "ä", "..", "a.b"]) {
    assertThrows(() => checkVolumeName(bad), /volume name ".*" is not valid \(1-63 letters/);
  }
});

Deno.test("parseVolumeMount() reads NAME and NAME:ro and rejects anything else", () => {
  assertEquals(parseVolumeMount("results"), { name: "results", readOnly: false });
  assertEquals(parseVolumeMount("results:ro"), { name: "results", readOnly: true });
  assertEquals(parseVolumeMount("results:rw"), { name: "results", readOnly: false });
  assertThrows(() => parseVolumeMount("results:rx"), /volume "results:rx" must be NAME or NAME:ro/);
  assertThrows(() => parseVolumeMount("../etc"), /volume "..\/etc" must be NAME or NAME:ro/);
  assertThrows(() => parseVolumeMount(":ro"), /must be NAME or NAME:ro/);
  assertEquals(formatVolumeMount({ name: "a", readOnly: true }), "a:ro");
});

Deno.test("checkVolumeMounts() refuses the same volume twice", () => {
  assertThrows(
    () => checkVolumeMounts([{ name: "a", readOnly: false }, { name: "a", readOnly: true }]),
    /volume "a" is given twice/,
  );
  assertEquals(checkVolumeMounts([{ name: "a", readOnly: true }]), [{ name: "a", readOnly: true }]);
});

Deno.test("parseVolumeType() defaults to filesystem and knows memory", () => {
  assertEquals(parseVolumeType(""), "filesystem");
  assertEquals(parseVolumeType("Memory"), "memory");
  assertThrows(
    () => parseVolumeType("nfs"),
    /--type "nfs" is not a volume type \(use filesystem or memory\)/,
  );
});
