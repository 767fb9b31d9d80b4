import { assertEquals, assertThrows } from "../tests/assert.ts";
import { EINTR, errnoName, sys, SyscallError } from "./errno.ts";

Deno.test("SyscallError names the call, the path and the errno name", () => {
  const e = new SyscallError("mount", 1, "/run/root/usr");
  assertEquals(e.message, `mount("/run/root/usr") failed: EPERM (errno 1)`);
  assertEquals([e.call, e.path, e.errno, e.code], ["mount", "/run/root/usr", 1, "EPERM"]);
});

Deno.test("SyscallError without a path and with an unknown errno still says what happened", () => {
  assertEquals(new SyscallError("unshare", 999).message, "unshare failed: errno 999 (errno 999)");
  assertEquals(errnoName(22), "EINVAL");
});

Deno.test("sys() retries a call that fails with EINTR and returns its result", () => {
  const results = [-1, -1, 7];
  let calls = 0;
  const r = sys("open", "/x", () => results[calls++], { readErrno: () => EINTR });
  assertEquals([r, calls], [7, 3]);
});

Deno.test("sys() does not retry EINTR when told not to (close)", () => {
  let calls = 0;
  assertThrows(
    () => sys("close", undefined, () => (calls++, -1), { retryEintr: false, readErrno: () => EINTR }),
    /EINTR/,
  );
  assertEquals(calls, 1);
});

Deno.test("sys() throws a SyscallError for -1 and accepts bigint results", () => {
  assertThrows(
    () => sys("pivot_root", "/r", () => -1n, { readErrno: () => 16 }),
    /pivot_root\("\/r"\) failed: EBUSY/,
  );
  assertEquals(sys("syscall", undefined, () => 0n, { readErrno: () => 0 }), 0);
});
