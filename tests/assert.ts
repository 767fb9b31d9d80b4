/**
 * The few assertions our tests use, in @std/assert's names, on top of node:assert (JSR, where @std/assert lives,
 * cannot be reached from our machines).
 */
import assert from "node:assert/strict";

export function assertEquals<T>(actual: unknown, expected: T, message?: string): asserts actual is T {
  if (message === undefined) assert.deepStrictEqual(actual, expected);
  else assert.deepStrictEqual(actual, expected, message);
}

export function assertNotEquals(actual: unknown, expected: unknown, message?: string): void {
  if (message === undefined) assert.notDeepStrictEqual(actual, expected);
  else assert.notDeepStrictEqual(actual, expected, message);
}

export function assertMatch(actual: string, re: RegExp, message?: string): void {
  if (!re.test(actual)) {
    throw new assert.AssertionError({ message: message ?? `${JSON.stringify(actual)} does not match ${re}` });
  }
}

export function assertThrows(fn: () => unknown, re?: RegExp): void {
  assert.throws(fn, re ?? Error);
}

export async function assertRejects(fn: () => Promise<unknown>, re?: RegExp): Promise<void> {
  await assert.rejects(fn, re ?? Error);
}

export function assert_(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new assert.AssertionError({ message });
}
export { assert_ as assert };

export function assertStringIncludes(actual: string, expected: string, message?: string): void {
  assert_(
    actual.includes(expected),
    message ?? `expected ${JSON.stringify(actual)} to include ${JSON.stringify(expected)}`,
  );
}
