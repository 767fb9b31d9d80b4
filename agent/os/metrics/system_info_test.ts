import assert from "node:assert/strict";
import { parseLoadavg, parseOsRelease, parseUptime } from "./system_info.ts";

Deno.test("parseLoadavg() reads the three averages", () => {
  assert.deepEqual(parseLoadavg("0.80 1.25 1.13 4/112 7462\n"), { load1: 0.8, load5: 1.25, load15: 1.13 });
  assert.throws(() => parseLoadavg("garbage"), /loadavg/);
});

Deno.test("parseUptime() gives whole seconds", () => {
  assert.equal(parseUptime("1690.51 2184.23\n"), 1690);
  assert.throws(() => parseUptime(""), /uptime/);
});

Deno.test("parseOsRelease() prefers PRETTY_NAME and unquotes it", () => {
  const text = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
`;
  assert.equal(parseOsRelease(text), "Debian GNU/Linux 12 (bookworm)");
  assert.equal(parseOsRelease(`NAME='Alpine Linux'\nVERSION="3.19 \\"x\\""\n`), `Alpine Linux 3.19 "x"`);
  assert.equal(parseOsRelease(""), "Linux");
});
