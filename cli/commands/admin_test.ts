import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { adminToken, openCommand } from "./admin.ts";
import { urlHost } from "../admin/server/serve.ts";

Deno.test("adminToken() needs no token on loopback and makes one beyond it", () => {
  assertEquals(adminToken("127.0.0.1", undefined), undefined);
  assertEquals(adminToken("localhost", undefined), undefined);
  const made = adminToken("0.0.0.0", undefined);
  assertEquals(typeof made === "string" && made.length >= 32, true);
  assertEquals(adminToken("0.0.0.0", "a-long-enough-token"), "a-long-enough-token");
});

Deno.test("adminToken() refuses a short token", () => {
  assertThrows(() => adminToken("0.0.0.0", "short"), /--token must be at least 16 characters/);
});

Deno.test("openCommand() uses each desktop's opener", () => {
  assertEquals(openCommand("linux", "http://x/"), ["xdg-open", "http://x/"]);
  assertEquals(openCommand("darwin", "http://x/"), ["open", "http://x/"]);
  assertEquals(openCommand("windows", "http://x/")[0], "cmd");
});

Deno.test("urlHost() prints a browsable host for the bound address", () => {
  assertEquals(urlHost("127.0.0.1", "box"), "127.0.0.1");
  assertEquals(urlHost("0.0.0.0", "box"), "box");
  assertEquals(urlHost("::1", "box"), "[::1]");
});
