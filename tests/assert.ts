/**
 * The few assertions our tests use, in @std/assert's names, on top of node:assert (JSR, where @std/assert lives,
 * cannot be reached from our machines).
 */
import assert from "node:assert/strict";

export const assertEquals: <T>(actual: unknown, expected: T, message?: string) => asserts actual is T =
  assert.deepStrictEqual;
export const assertNotEquals = assert.notDeepStrictEqual;
export const assertMatch = (actual: string, re: RegExp, msg?: string) => assert.match(actual, re, msg);
export const assertThrows = (fn: () => unknown, re?: RegExp) => assert.throws(fn, re ?? Error);
export const assertRejects = (fn: () => Promise<unknown>, re?: RegExp) => assert.rejects(fn, re ?? Error);

export function assert_(cond: unknown, message = "assertion failed"): asserts cond {
  assert.ok(cond, message);
}
export { assert_ as assert };

export function assertStringIncludes(actual: string, expected: string, message?: string) {
  assert.ok(actual.includes(expected), message ?? `expected ${JSON.stringify(actual)} to include ${
    JSON.stringify(expected)
  }`);
}
