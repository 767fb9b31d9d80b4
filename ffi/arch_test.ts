import { assertEquals, assertThrows } from "../tests/assert.ts";
import { syscallNumber } from "./arch.ts";

Deno.test("syscallNumber() gives pivot_root's number on x86_64 and aarch64", () => {
  assertEquals(syscallNumber("pivot_root", "x86_64"), 155n);
  assertEquals(syscallNumber("pivot_root", "aarch64"), 41n);
});

Deno.test("syscallNumber() names the architecture it has no table for", () => {
  assertThrows(() => syscallNumber("pivot_root", "riscv64"), /"riscv64"/);
});
