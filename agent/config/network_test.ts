import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { parseConfigText } from "./load.ts";
import { DEFAULT_NETWORK_CONFIG } from "./network.ts";

Deno.test("the network section defaults to the bridge network on 172.20.0.0/16", () => {
  assertEquals(parseConfigText("", "t.yml").network, DEFAULT_NETWORK_CONFIG);
  assertEquals(DEFAULT_NETWORK_CONFIG.defaultNetwork, "bridge");
});

Deno.test("the network section takes a default network, CIDRs and nameservers", () => {
  const c = parseConfigText(
    "network:\n  default: none\n  bridge_cidr: 10.77.0.0/16\n  isolated_cidr: 10.78.0.0/24\n  dns: [10.0.0.53]\n",
    "t.yml",
  );
  assertEquals(c.network, {
    defaultNetwork: "none",
    bridgeCidr: "10.77.0.0/16",
    isolatedCidr: "10.78.0.0/24",
    dns: ["10.0.0.53"],
  });
});

Deno.test("the network section refuses bad CIDRs, overlapping built-ins, bad nameservers and names", () => {
  const cases: Array<[string, RegExp]> = [
    ["network:\n  bridge_cidr: 10.0.0.1/16\n", /network\.bridge_cidr.*host bits set/],
    ["network:\n  bridge_cidr: 10.0.0.0/31\n", /\/8 to \/30/],
    ["network:\n  isolated_cidr: 172.20.128.0/24\n", /overlap/],
    ["network:\n  dns: [localhost]\n", /network\.dns\.0.*not an IPv4 address/],
    ["network:\n  default: bad;name\n", /not a network name/],
    ["network:\n  dfault: none\n", /unknown key "network\.dfault".*known: default, bridge_cidr/],
  ];
  for (const [text, why] of cases) {
    assertThrows(() => parseConfigText(text, "t.yml"), why);
  }
});
