import assert from "node:assert/strict";
import { parseNetDev, ratePerSecond } from "./net_dev.ts";

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 7006324417  846079    0    0    0     0          0         0 7006324417  846079    0    0    0     0       0          0
  eth0: 203886554    6341    0    0    0     0          0         0   330772    3908    0    0    0     0       0          0
  eth1:1234 5 0 0 0 0 0 0 99 1 0 0 0 0 0 0
`;

Deno.test("parseNetDev() reads rx and tx bytes per interface, with or without a space after the colon", () => {
  assert.deepEqual(parseNetDev(NET_DEV), [
    { name: "lo", rxBytes: 7006324417, txBytes: 7006324417 },
    { name: "eth0", rxBytes: 203886554, txBytes: 330772 },
    { name: "eth1", rxBytes: 1234, txBytes: 99 },
  ]);
});

Deno.test("ratePerSecond() divides the growth by the time and gives 0 for a reset or a first reading", () => {
  assert.equal(ratePerSecond(1000, 3000, 2), 1000);
  assert.equal(ratePerSecond(undefined, 3000, 2), 0);
  assert.equal(ratePerSecond(5000, 3000, 2), 0);
  assert.equal(ratePerSecond(1000, 3000, 0), 0);
});
