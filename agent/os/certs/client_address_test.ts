import { assertEquals } from "../../../tests/assert.ts";
import { clientAddress } from "./client_address.ts";

Deno.test("clientAddress() uses the host name for wildcard listeners", () => {
  assertEquals(clientAddress({ host: "0.0.0.0", port: 1 }, "box"), { address: "box:1" });
  assertEquals(clientAddress({ host: "::", port: 1 }, "box"), { address: "box:1" });
});

Deno.test("clientAddress() keeps an IPv4 address and names the TLS server", () => {
  assertEquals(clientAddress({ host: "127.0.0.1", port: 2 }, "box"), {
    address: "127.0.0.1:2",
    serverName: "localhost",
  });
  assertEquals(clientAddress({ host: "10.0.0.5", port: 2 }, "box"), {
    address: "10.0.0.5:2",
    serverName: "box",
  });
});

Deno.test("clientAddress() replaces IPv6 literals by names and keeps DNS names", () => {
  assertEquals(clientAddress({ host: "::1", port: 3 }, "box"), { address: "localhost:3" });
  assertEquals(clientAddress({ host: "fe80::1", port: 3 }, "box"), { address: "box:3" });
  assertEquals(clientAddress({ host: "node.example", port: 3 }, "box"), { address: "node.example:3" });
});
