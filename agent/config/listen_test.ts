import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { formatHostPort, isHostName, parseHostPort } from "./listen.ts";

Deno.test("parseHostPort() reads IPv4, names and bracketed IPv6", () => {
  assertEquals(parseHostPort("127.0.0.1:50051"), { host: "127.0.0.1", port: 50051 });
  assertEquals(parseHostPort("node-1.example.com:1"), { host: "node-1.example.com", port: 1 });
  assertEquals(parseHostPort("[::1]:50051"), { host: "::1", port: 50051 });
  assertEquals(parseHostPort("[::]:443"), { host: "::", port: 443 });
});

Deno.test("parseHostPort() rejects a missing port, bare IPv6, a bad port and a bad host", () => {
  assertThrows(() => parseHostPort("localhost"), /"localhost" is not an address \(use HOST:PORT/);
  assertThrows(() => parseHostPort("::1:50051"), /is not an address/);
  assertThrows(() => parseHostPort("a:65536"), /port 65536 must be 0–65535/);
  assertThrows(() => parseHostPort("[node]:1"), /"node" in brackets is not an IPv6 address/);
  assertThrows(() => parseHostPort("bad_host:1"), /"bad_host" is not a host name/);
});

Deno.test("formatHostPort() brackets IPv6 only", () => {
  assertEquals(formatHostPort({ host: "::1", port: 5 }), "[::1]:5");
  assertEquals(formatHostPort({ host: "10.0.0.1", port: 5 }), "10.0.0.1:5");
});

Deno.test("isHostName() accepts names and addresses, not spaces or underscores", () => {
  assertEquals(["a", "a.b-c", "10.0.0.1", "fe80::1"].map(isHostName), [true, true, true, true]);
  assertEquals(["a b", "a_b", "-a", ""].map(isHostName), [false, false, false, false]);
});
