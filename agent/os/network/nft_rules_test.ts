import { assert, assertEquals } from "../../../tests/assert.ts";
import type { NetworkDef } from "../../domain/network.ts";
import { deleteTable, rulesetFor } from "./nft_rules.ts";

const net = (name: string, bridge: string, cidr: string, isolated = false): NetworkDef => ({
  name,
  bridge,
  cidr,
  builtin: false,
  isolated,
});

Deno.test("rulesetFor() drops traffic between every pair of networks, in both directions", () => {
  const text = rulesetFor([net("a", "joblet1", "10.1.0.0/24"), net("b", "joblet2", "10.2.0.0/24")]);
  assert(text.includes(`iifname "joblet1" oifname { "joblet2" } drop`), text);
  assert(text.includes(`iifname "joblet2" oifname { "joblet1" } drop`), text);
});

Deno.test("rulesetFor() masquerades each network's traffic that leaves its bridge", () => {
  const text = rulesetFor([net("bridge", "joblet0", "172.20.0.0/16")]);
  assert(text.includes(`ip saddr 172.20.0.0/16 oifname != "joblet0" masquerade`), text);
  assert(!text.includes("oifname {"), "one network has nobody to be cut off from");
});

Deno.test("rulesetFor() keeps isolated networks off the host's own services", () => {
  const text = rulesetFor([
    net("isolated", "joblet-iso", "172.21.0.0/16", true),
    net("x", "joblet1", "10.1.0.0/24"),
  ]);
  assert(/chain input \{[^}]*iifname "joblet-iso" drop/.test(text), text);
  assert(!/chain input \{[^}]*joblet1/.test(text), text);
});

Deno.test("rulesetFor() replaces the table in one transaction and never sets a drop policy", () => {
  const text = rulesetFor([]);
  assert(text.startsWith("add table ip joblet\ndelete table ip joblet\ntable ip joblet {"), text);
  assertEquals(text.match(/policy drop/g), null);
  assertEquals(deleteTable("t"), "add table ip t\ndelete table ip t\n");
});
