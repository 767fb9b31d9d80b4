import { assertEquals, assertThrows } from "../../tests/assert.ts";
import {
  allocateIp,
  checkCidr,
  checkNetworkName,
  formatCidr,
  formatNetRate,
  gatewayOf,
  type NetworkDef,
  parseCidr,
  parseNetRate,
} from "./network.ts";

const bridge: NetworkDef = {
  name: "bridge",
  cidr: "172.20.0.0/16",
  bridge: "joblet0",
  builtin: true,
  isolated: false,
};
const host = [{ address: "192.0.2.2", prefix: 24, link: "eth0" }, {
  address: "127.0.0.1",
  prefix: 8,
  link: "lo",
}];

Deno.test("checkNetworkName() accepts letters, digits, - and _ up to 32 characters", () => {
  checkNetworkName("backend_1-a");
  checkNetworkName("x".repeat(32));
});

Deno.test("checkNetworkName() rejects bad characters, long names and reserved names, naming the rule", () => {
  assertThrows(() => checkNetworkName("bad;name"), /"bad;name" is not valid \(1-32 letters/);
  assertThrows(() => checkNetworkName("x".repeat(33)), /1-32/);
  for (const r of ["bridge", "isolated", "none", "host"]) assertThrows(() => checkNetworkName(r), /reserved/);
});

Deno.test("parseCidr() rejects garbage and host bits, suggesting the network address", () => {
  assertThrows(() => parseCidr("10.0.0.0"), /a\.b\.c\.d\/prefix/);
  assertThrows(() => parseCidr("10.0.0.300/24"), /not an IPv4 address/);
  assertThrows(() => parseCidr("10.10.0.5/24"), /did you mean 10\.10\.0\.0\/24/);
  assertEquals(formatCidr(parseCidr("10.10.0.0/24")), "10.10.0.0/24");
});

Deno.test("checkCidr() enforces /8 to /30", () => {
  assertThrows(() => checkCidr("10.0.0.0/31", [], host), /\/8 to \/30/);
  assertThrows(() => checkCidr("10.0.0.0/7", [], host), /\/8 to \/30/);
  assertEquals(checkCidr("10.0.0.0/30", [], host).prefix, 30);
});

Deno.test("checkCidr() refuses loopback, link-local, multicast, other networks and host interface addresses", () => {
  assertThrows(() => checkCidr("127.1.0.0/16", [], host), /loopback/);
  assertThrows(() => checkCidr("169.254.1.0/24", [], host), /link-local/);
  assertThrows(() => checkCidr("239.1.0.0/16", [], host), /multicast/);
  assertThrows(
    () => checkCidr("172.20.5.0/24", [bridge], host),
    /overlaps network "bridge" \(172\.20\.0\.0\/16\)/,
  );
  assertThrows(() => checkCidr("172.0.0.0/8", [bridge], host), /overlaps network "bridge"/);
  assertThrows(() => checkCidr("192.0.2.0/28", [], host), /192\.0\.2\.2\/24 on host interface eth0/);
  assertEquals(formatCidr(checkCidr("10.10.0.0/24", [bridge], host)), "10.10.0.0/24");
});

Deno.test("allocateIp() skips network, gateway and broadcast and says when the network is full", () => {
  const c = parseCidr("10.0.0.0/29");
  assertEquals(gatewayOf(c), "10.0.0.1");
  assertEquals(allocateIp(c, new Set()), "10.0.0.2");
  assertEquals(allocateIp(c, new Set(["10.0.0.2", "10.0.0.3"])), "10.0.0.4");
  const all = new Set(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
  assertEquals(allocateIp(c, all), undefined);
});

Deno.test("parseNetRate() reads bits as tc does and bytes with a capital B", () => {
  const cases: Array<[string, number]> = [
    ["10mbit", 1_250_000],
    ["8mbit", 1_000_000],
    ["8Mbit", 1_000_000],
    ["10Mbps", 1_250_000],
    ["10Mb/s", 1_250_000],
    ["1gbit", 125_000_000],
    ["500kbit", 62_500],
    ["1.5 Gbps", 187_500_000],
    ["100MB/s", 100_000_000],
    ["100MBps", 100_000_000],
    ["2KB/s", 2_000],
    ["1MiB/s", 1_048_576],
    ["8kbit", 1_000],
    ["100gbit", 12_500_000_000],
  ];
  for (const [text, bytes] of cases) assertEquals(parseNetRate(text), bytes, text);
});

Deno.test("parseNetRate() rejects bad spellings, zero, negative and absurd rates, naming the flag", () => {
  const cases: Array<[string, RegExp]> = [
    ["10", /--max-net-bw "10" is not a rate/],
    ["10m", /is not a rate/],
    ["fast", /is not a rate/],
    ["10 mbits", /is not a rate/],
    ["10MB", /is not a rate/],
    ["0mbit", /is zero/],
    ["-5mbit", /is negative/],
    ["1kbit", /too small \(at least 8kbit/],
    ["101gbit", /too large \(at most 100gbit/],
    ["1tbit", /too large/],
  ];
  for (const [text, why] of cases) assertThrows(() => parseNetRate(text), why);
  assertThrows(() => parseNetRate("x", "max_net_bw"), /: max_net_bw "x" is not a rate/);
});

Deno.test("formatNetRate() prints bits per second with tc's 1000-based units", () => {
  assertEquals(formatNetRate(1_000_000), "8 Mbit/s");
  assertEquals(formatNetRate(62_500), "500 kbit/s");
  assertEquals(formatNetRate(187_500_000), "1.5 Gbit/s");
  assertEquals(formatNetRate(100), "800 bit/s");
});
