import { assert, assertEquals } from "../../../tests/assert.ts";
import { currentUid, localHostname, parsePasswd, sudoUser } from "./host.ts";

const PASSWD = "# comment\nroot:x:0:0:root:/root:/bin/bash\nbob:x:1001:1001::/home/bob:/bin/sh\nbad line\n";

Deno.test("parsePasswd() reads name, uid, gid and home, skipping comments and junk", () => {
  assertEquals(parsePasswd(PASSWD), [
    { name: "root", uid: 0, gid: 0, home: "/root" },
    { name: "bob", uid: 1001, gid: 1001, home: "/home/bob" },
  ]);
});

Deno.test("sudoUser() needs uid 0 and a non-root SUDO_UID with a passwd entry", () => {
  const env = { SUDO_USER: "bob", SUDO_UID: "1001", SUDO_GID: "50" };
  assertEquals(sudoUser({ uid: 0, env, passwd: PASSWD }), {
    name: "bob",
    uid: 1001,
    gid: 50,
    home: "/home/bob",
  });
  assertEquals(sudoUser({ uid: 1001, env, passwd: PASSWD }), undefined);
  assertEquals(sudoUser({ uid: 0, env: { ...env, SUDO_UID: "0" }, passwd: PASSWD }), undefined);
  assertEquals(sudoUser({ uid: 0, env: { ...env, SUDO_UID: "7" }, passwd: PASSWD }), undefined);
  assertEquals(sudoUser({ uid: 0, env: {}, passwd: PASSWD }), undefined);
});

Deno.test("localHostname() works with read permission only", () => {
  assert(localHostname().length > 0);
});

Deno.test("currentUid() is -1 (not root) without --allow-sys, the real uid with it", () => {
  const allowed = Deno.permissions.querySync({ name: "sys", kind: "uid" }).state === "granted";
  assertEquals(currentUid(), allowed ? Deno.uid() : -1);
});
