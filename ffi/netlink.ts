/**
 * rtnetlink over the libc table: links (bridge, veth), addresses, routes and moving links between network
 * namespaces — what `ip link/addr/route` do, without the `ip` binary (feasibility.md §3). IPv4 only.
 *
 * A netlink socket belongs to the network namespace of the thread that created it, so `Rtnl.open()` talks to
 * the calling thread's namespace, and `Rtnl.openIn(fd)` enters the namespace `fd` just long enough to create
 * the socket (no await in between) and then works from the agent's own. Every call blocks the JS thread until
 * the kernel's ACK: single requests take well under a millisecond.
 */
import { CLONE_NEWNET } from "./constants.ts";
import { sys, SyscallError } from "./errno.ts";
import { cstr, libc } from "./libc.ts";
import { close, openReadOnly, setns } from "./sys.ts";

// <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>, <linux/if_addr.h>
export const AF_NETLINK = 16;
export const AF_BRIDGE = 7;
export const SOCK_RAW = 3;
export const NETLINK_ROUTE = 0;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_DUMP = 0x300;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const IFLA_IFNAME = 3;
export const IFLA_MASTER = 10;
export const IFLA_PROTINFO = 12;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_PID = 19;
export const IFLA_NET_NS_FD = 28;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const VETH_INFO_PEER = 1;
export const IFLA_BRPORT_ISOLATED = 33;
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_BROADCAST = 4;
export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RT_TABLE_MAIN = 254;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RTN_UNICAST = 1;
export const NLA_F_NESTED = 1 << 15;
const AF_INET = 2;
const IFF_UP = 0x1;
const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16;
const IFADDRMSG_LEN = 8;
const RTMSG_LEN = 12;

// ------------------------------------------------------------------------------------------ attributes

/** One rtattr: its type and payload (already encoded, or nested attributes). */
export type Attr = { type: number; data: Uint8Array } | { type: number; nested: Attr[] };

const align4 = (n: number) => (n + 3) & ~3;

export function attrStr(type: number, s: string): Attr {
  return { type, data: cstr(s) };
}

export function attrU32(type: number, v: number): Attr {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, v, true);
  return { type, data };
}

export function attrU8(type: number, v: number): Attr {
  return { type, data: new Uint8Array([v]) };
}

export function attrIp(type: number, ip: string): Attr {
  return { type, data: ipv4Bytes(ip) };
}

/** Encodes attributes with 4-byte padding; nested ones get NLA_F_NESTED. */
export function encodeAttrs(attrs: readonly Attr[]): Uint8Array {
  const parts = attrs.map((a) => {
    const payload = "nested" in a ? encodeAttrs(a.nested) : a.data;
    const out = new Uint8Array(align4(4 + payload.length));
    const v = new DataView(out.buffer);
    v.setUint16(0, 4 + payload.length, true);
    v.setUint16(2, "nested" in a ? a.type | NLA_F_NESTED : a.type, true);
    out.set(payload, 4);
    return out;
  });
  return concat(parts);
}

/** Attributes of a message body from `offset`: type (without flags) → payload. */
export function decodeAttrs(buf: Uint8Array, offset = 0): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let i = offset;
  while (i + 4 <= buf.length) {
    const len = v.getUint16(i, true);
    if (len < 4) break;
    out.set(v.getUint16(i + 2, true) & 0x3fff, buf.subarray(i + 4, i + len));
    i += align4(len);
  }
  return out;
}

export function ipv4Bytes(ip: string): Uint8Array {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`"${ip}" is not an IPv4 address`);
  }
  return new Uint8Array(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

function ifinfomsg(
  opts: { family?: number; index?: number; flags?: number; change?: number } = {},
): Uint8Array {
  const b = new Uint8Array(IFINFOMSG_LEN);
  const v = new DataView(b.buffer);
  v.setUint8(0, opts.family ?? 0);
  v.setInt32(4, opts.index ?? 0, true);
  v.setUint32(8, opts.flags ?? 0, true);
  v.setUint32(12, opts.change ?? 0, true);
  return b;
}

// ------------------------------------------------------------------------------------------- socket

export interface LinkInfo {
  index: number;
  name: string;
  /** IFLA_INFO_KIND: "bridge", "veth", … ("" for devices without one, e.g. lo or a NIC). */
  kind: string;
  /** Index of the bridge it is enslaved to (0 = none). */
  master: number;
  up: boolean;
}

export interface AddrInfo {
  index: number;
  address: string;
  prefix: number;
}

export class Rtnl {
  readonly #fd: number;
  #seq = 1;
  readonly #buf = new Uint8Array(64 * 1024);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** A socket in the calling thread's network namespace. */
  static open(): Rtnl {
    const fd = sys(
      "socket(AF_NETLINK)",
      undefined,
      () => libc().socket(AF_NETLINK, SOCK_RAW | 0o2000000, /* SOCK_CLOEXEC */ NETLINK_ROUTE),
    );
    try {
      const sa = new Uint8Array(12);
      new DataView(sa.buffer).setUint16(0, AF_NETLINK, true);
      sys("bind(AF_NETLINK)", undefined, () => libc().bind(fd, sa, sa.length));
    } catch (e) {
      close(fd);
      throw e;
    }
    return new Rtnl(fd);
  }

  /**
   * A socket in the network namespace at `nsPath` (e.g. /proc/<pid>/ns/net). The JS thread enters it, creates
   * the socket and returns at once, synchronously; the socket keeps working in that namespace afterwards.
   */
  static openIn(nsPath: string): Rtnl {
    const own = openReadOnly("/proc/thread-self/ns/net");
    try {
      const target = openReadOnly(nsPath);
      try {
        setns(target, CLONE_NEWNET, nsPath);
        try {
          return Rtnl.open();
        } finally {
          setns(own, CLONE_NEWNET, "/proc/thread-self/ns/net (back)");
        }
      } finally {
        close(target);
      }
    } finally {
      close(own);
    }
  }

  close(): void {
    close(this.#fd);
  }

  /** Sends one request and waits for its ACK; throws a SyscallError with the kernel's errno. */
  request(what: string, type: number, flags: number, body: Uint8Array): void {
    const seq = this.#send(type, flags | NLM_F_REQUEST | NLM_F_ACK, body);
    for (;;) {
      for (const m of this.#recv()) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_ERROR) {
          const err = -new DataView(m.body.buffer, m.body.byteOffset).getInt32(0, true);
          if (err !== 0) throw new SyscallError(`netlink ${what}`, err);
          return;
        }
      }
    }
  }

  /** Sends a dump request and collects every reply body until NLMSG_DONE. */
  dump(what: string, type: number, body: Uint8Array): Uint8Array[] {
    const seq = this.#send(type, NLM_F_REQUEST | NLM_F_DUMP, body);
    const out: Uint8Array[] = [];
    for (;;) {
      for (const m of this.#recv()) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_DONE) return out;
        if (m.type === NLMSG_ERROR) {
          const err = -new DataView(m.body.buffer, m.body.byteOffset).getInt32(0, true);
          throw new SyscallError(`netlink ${what}`, err);
        }
        out.push(m.body.slice());
      }
    }
  }

  #send(type: number, flags: number, body: Uint8Array): number {
    const seq = this.#seq++;
    const msg = new Uint8Array(NLMSG_HDRLEN + body.length);
    const v = new DataView(msg.buffer);
    v.setUint32(0, msg.length, true);
    v.setUint16(4, type, true);
    v.setUint16(6, flags, true);
    v.setUint32(8, seq, true);
    msg.set(body, NLMSG_HDRLEN);
    sys("send(netlink)", undefined, () => libc().send(this.#fd, msg, BigInt(msg.length), 0));
    return seq;
  }

  #recv(): Array<{ type: number; seq: number; body: Uint8Array }> {
    const n = sys(
      "recv(netlink)",
      undefined,
      () => libc().recv(this.#fd, this.#buf, BigInt(this.#buf.length), 0),
    );
    const v = new DataView(this.#buf.buffer);
    const out = [];
    let i = 0;
    while (i + NLMSG_HDRLEN <= n) {
      const len = v.getUint32(i, true);
      if (len < NLMSG_HDRLEN) break;
      out.push({
        type: v.getUint16(i + 4, true),
        seq: v.getUint32(i + 8, true),
        body: this.#buf.subarray(i + NLMSG_HDRLEN, i + len),
      });
      i += align4(len);
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------ links

  /** The interface index of `name` in this socket's namespace, or 0 when there is none. */
  index(name: string): number {
    return this.link(name)?.index ?? 0;
  }

  /** One link by name (RTM_GETLINK with IFLA_IFNAME), or undefined. */
  link(name: string): LinkInfo | undefined {
    const seq = this.#send(
      RTM_GETLINK,
      NLM_F_REQUEST,
      concat([ifinfomsg(), encodeAttrs([attrStr(IFLA_IFNAME, name)])]),
    );
    for (;;) {
      for (const m of this.#recv()) {
        if (m.seq !== seq) continue;
        if (m.type === NLMSG_ERROR) {
          const err = -new DataView(m.body.buffer, m.body.byteOffset).getInt32(0, true);
          if (err === 19 /* ENODEV */) return undefined;
          throw new SyscallError("netlink get link", err, name);
        }
        return parseLink(m.body);
      }
    }
  }

  #mustIndex(name: string): number {
    const i = this.index(name);
    if (!i) throw new SyscallError(`netlink find link`, 19, /* ENODEV */ name);
    return i;
  }

  links(): LinkInfo[] {
    return this.dump("list links", RTM_GETLINK, ifinfomsg()).map(parseLink);
  }

  addBridge(name: string): void {
    this.request(
      `add bridge ${name}`,
      RTM_NEWLINK,
      NLM_F_CREATE | NLM_F_EXCL,
      concat([
        ifinfomsg(),
        encodeAttrs([attrStr(IFLA_IFNAME, name), {
          type: IFLA_LINKINFO,
          nested: [attrStr(IFLA_INFO_KIND, "bridge")],
        }]),
      ]),
    );
  }

  /**
   * A veth pair `name` ⇄ `peer`. With `peerNetnsFd`, the peer is created directly inside that network
   * namespace (IFLA_NET_NS_FD in the peer's own ifinfomsg), so it never appears in ours.
   */
  addVeth(name: string, peer: string, peerNetnsFd?: number): void {
    const peerAttrs: Attr[] = [attrStr(IFLA_IFNAME, peer)];
    if (peerNetnsFd !== undefined) peerAttrs.push(attrU32(IFLA_NET_NS_FD, peerNetnsFd));
    const peerInfo = concat([ifinfomsg(), encodeAttrs(peerAttrs)]);
    this.request(
      `add veth ${name}`,
      RTM_NEWLINK,
      NLM_F_CREATE | NLM_F_EXCL,
      concat([
        ifinfomsg(),
        encodeAttrs([
          attrStr(IFLA_IFNAME, name),
          {
            type: IFLA_LINKINFO,
            nested: [attrStr(IFLA_INFO_KIND, "veth"), {
              type: IFLA_INFO_DATA,
              nested: [{ type: VETH_INFO_PEER, data: peerInfo }],
            }],
          },
        ]),
      ]),
    );
  }

  /** Enslaves `name` to bridge `master`. */
  setMaster(name: string, master: string): void {
    const m = this.#mustIndex(master);
    this.request(
      `set master of ${name}`,
      RTM_NEWLINK,
      0,
      concat([
        ifinfomsg({ index: this.#mustIndex(name) }),
        encodeAttrs([attrU32(IFLA_MASTER, m)]),
      ]),
    );
  }

  /** Marks a bridge port isolated: isolated ports cannot exchange frames with each other. */
  setPortIsolated(name: string): void {
    this.request(
      `isolate bridge port ${name}`,
      RTM_SETLINK,
      0,
      concat([
        ifinfomsg({ family: AF_BRIDGE, index: this.#mustIndex(name) }),
        encodeAttrs([{ type: IFLA_PROTINFO, nested: [attrU8(IFLA_BRPORT_ISOLATED, 1)] }]),
      ]),
    );
  }

  up(name: string): void {
    this.request(
      `set ${name} up`,
      RTM_NEWLINK,
      0,
      ifinfomsg({
        index: this.#mustIndex(name),
        flags: IFF_UP,
        change: IFF_UP,
      }),
    );
  }

  /** Moves `name` into the network namespace of process `pid`. */
  moveToPid(name: string, pid: number): void {
    this.request(
      `move ${name} to netns of ${pid}`,
      RTM_NEWLINK,
      0,
      concat([
        ifinfomsg({ index: this.#mustIndex(name) }),
        encodeAttrs([attrU32(IFLA_NET_NS_PID, pid)]),
      ]),
    );
  }

  /** Deletes a link; false when there was none. */
  del(name: string): boolean {
    const i = this.index(name);
    if (!i) return false;
    try {
      this.request(`delete ${name}`, RTM_DELLINK, 0, ifinfomsg({ index: i }));
    } catch (e) {
      if (e instanceof SyscallError && e.code === "ENODEV") return false;
      throw e;
    }
    return true;
  }

  // ------------------------------------------------------------------------------- addresses, routes

  addAddr(name: string, ip: string, prefix: number, broadcast?: string): void {
    const msg = new Uint8Array(IFADDRMSG_LEN);
    const v = new DataView(msg.buffer);
    v.setUint8(0, AF_INET);
    v.setUint8(1, prefix);
    v.setUint32(4, this.#mustIndex(name), true);
    const attrs = [attrIp(IFA_LOCAL, ip), attrIp(IFA_ADDRESS, ip)];
    if (broadcast) attrs.push(attrIp(IFA_BROADCAST, broadcast));
    this.request(
      `add address ${ip}/${prefix} to ${name}`,
      RTM_NEWADDR,
      NLM_F_CREATE | NLM_F_EXCL,
      concat([
        msg,
        encodeAttrs(attrs),
      ]),
    );
  }

  addrs(): AddrInfo[] {
    const msg = new Uint8Array(IFADDRMSG_LEN);
    msg[0] = AF_INET;
    return this.dump("list addresses", RTM_GETADDR, msg).flatMap((b) => {
      if (b[0] !== AF_INET) return [];
      const attrs = decodeAttrs(b, IFADDRMSG_LEN);
      const a = attrs.get(IFA_LOCAL) ?? attrs.get(IFA_ADDRESS);
      if (!a) return [];
      return [{
        index: new DataView(b.buffer, b.byteOffset).getUint32(4, true),
        address: a.join("."),
        prefix: b[1],
      }];
    });
  }

  /** `ip route add default via <gateway> dev <name>` in the main table. */
  addDefaultRoute(name: string, gateway: string): void {
    const msg = new Uint8Array(RTMSG_LEN);
    msg.set([AF_INET, 0, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST]);
    this.request(
      `add default route via ${gateway}`,
      RTM_NEWROUTE,
      NLM_F_CREATE | NLM_F_EXCL,
      concat([
        msg,
        encodeAttrs([attrIp(RTA_GATEWAY, gateway), attrU32(RTA_OIF, this.#mustIndex(name))]),
      ]),
    );
  }
}

function parseLink(b: Uint8Array): LinkInfo {
  const v = new DataView(b.buffer, b.byteOffset);
  const attrs = decodeAttrs(b, IFINFOMSG_LEN);
  const info = attrs.get(IFLA_LINKINFO);
  const master = attrs.get(IFLA_MASTER);
  return {
    index: v.getInt32(4, true),
    name: cString(attrs.get(IFLA_IFNAME)),
    kind: cString(info ? decodeAttrs(info).get(IFLA_INFO_KIND) : undefined),
    master: master ? new DataView(master.buffer, master.byteOffset).getUint32(0, true) : 0,
    up: (v.getUint32(8, true) & IFF_UP) !== 0,
  };
}

function cString(b: Uint8Array | undefined): string {
  if (!b) return "";
  const end = b.indexOf(0);
  return new TextDecoder().decode(end < 0 ? b : b.subarray(0, end));
}

/** if_nametoindex(3) in the calling thread's namespace; 0 when absent. */
export function ifNameToIndex(name: string): number {
  return libc().if_nametoindex(cstr(name));
}
