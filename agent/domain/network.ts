/**
 * Networks: names, modes, IPv4 CIDR arithmetic and the rules a custom network must follow. Pure; the machine
 * side is agent/os/network/.
 */
import { z } from "zod";
import { invalidArgument } from "./errors.ts";

/** Built-in networks. `none` = loopback only; `bridge` and `isolated` are bridges with NAT. */
export const BUILTIN_NETWORKS = ["bridge", "isolated", "none"] as const;
/** Names nobody may give a custom network. */
export const RESERVED_NETWORKS = new Set<string>([...BUILTIN_NETWORKS, "host"]);

export const NETWORK_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/** A network's definition as stored. */
export interface NetworkDef {
  name: string;
  /** "a.b.c.d/p", normalised to the network address. */
  cidr: string;
  /** Linux bridge name (≤ 15 bytes). */
  bridge: string;
  /** true for `bridge` and `isolated`. */
  builtin: boolean;
  /** Jobs on it cannot reach each other nor the host (the `isolated` network). */
  isolated: boolean;
}

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function checkNetworkName(name: string): void {
  if (!NETWORK_NAME.test(name)) {
    throw invalidArgument(
      `network name "${name}" is not valid (1-32 letters, digits, '-' or '_')`,
    );
  }
  if (RESERVED_NETWORKS.has(name)) {
    throw invalidArgument(
      `network name "${name}" is reserved (reserved: ${[...RESERVED_NETWORKS].join(", ")})`,
    );
  }
}

export function ipToNum(ip: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) throw invalidArgument(`"${ip}" is not an IPv4 address (e.g. 10.10.0.1)`);
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) throw invalidArgument(`"${ip}" is not an IPv4 address (each part 0-255)`);
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function numToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parses "a.b.c.d/p" (host bits must be zero). */
export function parseCidr(text: string): Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m) throw invalidArgument(`CIDR "${text}" is not of the form a.b.c.d/prefix (e.g. 10.10.0.0/24)`);
  const prefix = Number(m[2]);
  if (prefix > 32) throw invalidArgument(`CIDR "${text}": the prefix must be 0-32`);
  const ip = ipToNum(m[1]);
  const base = (ip & mask(prefix)) >>> 0;
  if (base !== ip) {
    throw invalidArgument(`CIDR "${text}" has host bits set (did you mean ${numToIp(base)}/${prefix}?)`);
  }
  return { base, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${numToIp(c.base)}/${c.prefix}`;
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

const FORBIDDEN: Array<{ cidr: Cidr; what: string }> = [
  { cidr: { base: ipToNum("127.0.0.0"), prefix: 8 }, what: "loopback (127.0.0.0/8)" },
  { cidr: { base: ipToNum("169.254.0.0"), prefix: 16 }, what: "link-local (169.254.0.0/16)" },
  { cidr: { base: ipToNum("224.0.0.0"), prefix: 4 }, what: "multicast (224.0.0.0/4)" },
  { cidr: { base: ipToNum("0.0.0.0"), prefix: 8 }, what: '"this network" (0.0.0.0/8)' },
  { cidr: { base: ipToNum("240.0.0.0"), prefix: 4 }, what: "reserved (240.0.0.0/4)" },
];

/**
 * Checks a new network's CIDR: /8 to /30, not loopback, link-local or multicast, no overlap with another
 * network, and no address of a host interface inside it. Returns it normalised.
 */
export function checkCidr(
  text: string,
  others: readonly NetworkDef[],
  hostAddrs: readonly { address: string; prefix: number; link: string }[],
): Cidr {
  const c = parseCidr(text);
  if (c.prefix < 8 || c.prefix > 30) {
    throw invalidArgument(`CIDR "${text}": the prefix must be /8 to /30 (a /30 holds 2 addresses)`);
  }
  for (const f of FORBIDDEN) {
    if (overlaps(c, f.cidr)) throw invalidArgument(`CIDR "${text}" overlaps ${f.what}`);
  }
  for (const n of others) {
    if (overlaps(c, parseCidr(n.cidr))) {
      throw invalidArgument(`CIDR "${text}" overlaps network "${n.name}" (${n.cidr})`);
    }
  }
  for (const a of hostAddrs) {
    const host: Cidr = { base: (ipToNum(a.address) & mask(a.prefix)) >>> 0, prefix: a.prefix };
    if (overlaps(c, host)) {
      throw invalidArgument(
        `CIDR "${text}" overlaps ${a.address}/${a.prefix} on host interface ${a.link}`,
      );
    }
  }
  return c;
}

/** The bridge's own address: the first usable one. */
export function gatewayOf(c: Cidr): string {
  return numToIp(c.base + 1);
}

/**
 * The lowest free job address in `c`: not the network address, the gateway (first) or the broadcast (last).
 * undefined when the network is full.
 */
export function allocateIp(c: Cidr, used: ReadonlySet<string>): string | undefined {
  const last = c.base + cidrSize(c) - 1;
  for (let n = c.base + 2; n < last; n++) {
    const ip = numToIp(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}

/** A Linux bridge holds at most this many ports (BR_MAX_PORTS). */
export const MAX_BRIDGE_PORTS = 1024;

/** `--max-net-bw` bounds in bytes per second: 8kbit (1,000 B/s) to 100gbit (12.5 GB/s). */
export const MIN_NET_BW_BYTES = 1_000;
export const MAX_NET_BW_BYTES = 12_500_000_000;

const RATE_RULE =
  "bits: bit, kbit, mbit, gbit or Kbps, Mbps, Gbps, 1000-based; bytes: B/s, KB/s, MB/s, GB/s " +
  "(1000-based) or KiB/s, MiB/s, GiB/s; from 8kbit to 100gbit, e.g. 10mbit, 100MB/s";

const PREFIX: Record<string, number> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
  ti: 1024 ** 4,
};

/**
 * A rate as users and tc write it, to bytes per second. Bits: "bit" in any case, or "bps"/"b/s" with a small
 * b (so Mbps = megabits, as users expect; note that tc itself reads "mbps" as megabytes). Bytes: "B/s" or "Bps"
 * with a capital B. Prefixes k, M, G (1000-based, any case) or Ki, Mi, Gi (1024-based).
 */
export const NetRateSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  const fail = (why: string, rule = true) => {
    ctx.addIssue({ code: "custom", message: `"${raw}" ${why}${rule ? ` (${RATE_RULE})` : ""}` });
    return z.NEVER;
  };
  if (text.startsWith("-")) return fail("is negative");
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?)?(.+)$/i.exec(text);
  if (!m) return fail("is not a rate");
  const [, num, prefix = "", unit] = m;
  let perByte: number;
  if (unit.toLowerCase() === "bit" || unit === "bps" || unit === "b/s") perByte = 8;
  else if (unit === "Bps" || unit === "B/s") perByte = 1;
  else return fail("is not a rate");
  const bytes = Math.round(Number(num) * PREFIX[prefix.toLowerCase()] / perByte);
  if (Number(num) === 0) return fail("is zero: to leave the network unlimited, leave the flag out", false);
  if (bytes < MIN_NET_BW_BYTES) return fail("is too small (at least 8kbit, i.e. 1KB/s)", false);
  if (bytes > MAX_NET_BW_BYTES) return fail("is too large (at most 100gbit, i.e. 12.5GB/s)", false);
  return bytes;
});

/** Parses `--max-net-bw` (`flag` names the setting in messages) into bytes per second. */
export function parseNetRate(text: string, flag = "--max-net-bw"): number {
  const r = NetRateSchema.safeParse(text);
  if (!r.success) throw invalidArgument(`${flag} ${r.error.issues.map((i) => i.message).join("; ")}`);
  return r.data;
}

/** Bytes per second as bits the way tc prints them: 1000000 → "8 Mbit/s", 62500 → "500 kbit/s". */
export function formatNetRate(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  for (const [unit, n] of [["Gbit/s", 1e9], ["Mbit/s", 1e6], ["kbit/s", 1e3]] as const) {
    if (bits >= n) return `${Number((bits / n).toFixed(2))} ${unit}`;
  }
  return `${bits} bit/s`;
}
