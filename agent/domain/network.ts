/**
 * Networks: names, modes, IPv4 CIDR arithmetic and the rules a custom network must follow. Pure; the machine
 * side is agent/os/network/.
 */
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
