/**
 * Bridges, veths, addresses and routes through rtnetlink (ffi/netlink.ts), filtering and NAT through `nft`
 * in the agent's own table (nft_rules.ts), and net.ipv4.ip_forward — on only while a bridge exists, and put
 * back as it was by teardown() (the original value is kept in the store, so a crashed agent's next start
 * restores it too).
 */
import { close, openReadOnly } from "../../../ffi/sys.ts";
import { Rtnl } from "../../../ffi/netlink.ts";
import { failedPrecondition, internal } from "../../domain/errors.ts";
import { cidrSize, gatewayOf, type NetworkDef, numToIp, parseCidr } from "../../domain/network.ts";
import type { HostAddress, NetworkDriver, NetworkStore } from "../../core/network_ports.ts";
import { deleteTable, rulesetFor, TABLE } from "./nft_rules.ts";
import { limitVeth, type TcOptions } from "./tc.ts";

const IP_FORWARD = "/proc/sys/net/ipv4/ip_forward";
const FORWARD_FACT = "ip_forward_before";
const TABLE_FACT = "nft_table";
/** Bridges this agent made (JSON list): teardown removes these and no others, even after a crash. */
const BRIDGES_FACT = "bridges_made";

export interface LinuxNetworkDriverOptions {
  store: NetworkStore;
  /** nftables table name (default "joblet"). */
  table?: string;
  nft?: string;
  /** Where jobs' /etc/hosts files live (bind-mounted into each job; removed whole by teardown()). */
  hostsDir?: string;
  /** The tc and nsenter binaries for --max-net-bw (tc.ts). */
  tc?: TcOptions;
}

/** The host end of a job's veth: "jv" + 12 hex digits of the job id (15-byte limit). */
export function vethName(jobId: string): string {
  return "jv" + jobId.replace(/-/g, "").slice(0, 12);
}

export class LinuxNetworkDriver implements NetworkDriver {
  readonly #store: NetworkStore;
  readonly #table: string;
  readonly #nft: string;
  readonly #hostsDir: string | undefined;
  readonly #tc: TcOptions;

  constructor(opts: LinuxNetworkDriverOptions) {
    this.#store = opts.store;
    this.#table = opts.table ?? TABLE;
    this.#nft = opts.nft ?? "nft";
    this.#hostsDir = opts.hostsDir;
    this.#tc = opts.tc ?? {};
  }

  #nl<T>(fn: (nl: Rtnl) => T): T {
    const nl = Rtnl.open();
    try {
      return fn(nl);
    } finally {
      nl.close();
    }
  }

  hostAddresses(): HostAddress[] {
    return this.#nl((nl) => {
      const names = new Map(nl.links().map((l) => [l.index, l.name]));
      return nl.addrs().map((a) => ({
        address: a.address,
        prefix: a.prefix,
        link: names.get(a.index) ?? "?",
      }));
    });
  }

  existingBridges(bridges: readonly string[]): string[] {
    return this.#nl((nl) => bridges.filter((b) => nl.index(b) !== 0));
  }

  async ensure(net: NetworkDef, all: readonly NetworkDef[]): Promise<void> {
    const created = this.#nl((nl) => {
      if (nl.index(net.bridge)) {
        if (this.#madeBridges().includes(net.bridge)) return false;
        // Sharing another agent's bridge would mean two address pools on one wire and rules removed under it.
        throw failedPrecondition(
          `Cannot connect jobs to network "${net.name}": bridge ${net.bridge} already exists and this agent ` +
            `did not make it (another joblet on this host?). Give one agent "network: { default: none }" ` +
            `or remove the bridge`,
        );
      }
      const c = parseCidr(net.cidr);
      this.#madeBridges(net.bridge, true);
      nl.addBridge(net.bridge);
      try {
        nl.addAddr(net.bridge, gatewayOf(c), c.prefix, numToIp(c.base + cidrSize(c) - 1));
        nl.up(net.bridge);
      } catch (e) {
        nl.del(net.bridge);
        throw e;
      }
      return true;
    });
    if (!created) return;
    try {
      this.#enableForwarding();
      await this.applyRules(this.existingAmong(all));
    } catch (e) {
      this.#nl((nl) => nl.del(net.bridge));
      throw e;
    }
  }

  existingAmong(all: readonly NetworkDef[]): NetworkDef[] {
    const present = new Set(this.existingBridges(all.map((n) => n.bridge)));
    return all.filter((n) => present.has(n.bridge));
  }

  async applyRules(active: readonly NetworkDef[]): Promise<void> {
    if (active.length === 0) {
      if (this.#store.getFact(TABLE_FACT)) await this.#runNft(deleteTable(this.#table));
      this.#store.setFact(TABLE_FACT, undefined);
      return;
    }
    this.#store.setFact(TABLE_FACT, this.#table);
    await this.#runNft(rulesetFor(active, this.#table));
  }

  attach(jobId: string, pid: number, net: NetworkDef, ip: string, maxNetBwBytes?: number): void {
    const host = vethName(jobId);
    const nsPath = `/proc/${pid}/ns/net`;
    const c = parseCidr(net.cidr);
    this.#nl((nl) => {
      const fd = openReadOnly(nsPath);
      try {
        nl.addVeth(host, "eth0", fd);
      } finally {
        close(fd);
      }
      try {
        nl.setMaster(host, net.bridge);
        if (net.isolated) nl.setPortIsolated(host);
        nl.up(host);
        const inner = Rtnl.openIn(nsPath);
        try {
          inner.addAddr("eth0", ip, c.prefix, numToIp(c.base + cidrSize(c) - 1));
          inner.up("eth0");
          inner.addDefaultRoute("eth0", gatewayOf(c));
        } finally {
          inner.close();
        }
        // The qdiscs live on the veth's two ends and go with it (detach, or the namespace's end).
        if (maxNetBwBytes) limitVeth(host, nsPath, maxNetBwBytes, this.#tc);
      } catch (e) {
        nl.del(host);
        throw e;
      }
    });
  }

  writeHosts(jobId: string, content: string): string | undefined {
    if (!this.#hostsDir) return undefined;
    Deno.mkdirSync(this.#hostsDir, { recursive: true, mode: 0o755 });
    const path = `${this.#hostsDir}/${jobId}`;
    // In place (O_TRUNC, same inode): the job sees the file through a bind mount of this inode.
    Deno.writeTextFileSync(path, content, { mode: 0o644 });
    return path;
  }

  removeHosts(jobId: string): void {
    if (!this.#hostsDir) return;
    try {
      Deno.removeSync(`${this.#hostsDir}/${jobId}`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }

  detach(jobId: string): void {
    // The kernel removes the pair with the job's network namespace; this covers a namespace kept alive.
    this.#nl((nl) => nl.del(vethName(jobId)));
  }

  removeBridge(bridge: string): void {
    if (!this.#madeBridges().includes(bridge)) return;
    this.#nl((nl) => nl.del(bridge));
    this.#madeBridges(bridge, false);
  }

  /** Removes the bridges among `bridges` that this agent made (others with these names are not its own). */
  async teardown(bridges: readonly string[]): Promise<void> {
    const made = this.#madeBridges();
    this.#nl((nl) => {
      for (const b of bridges.filter((b) => made.includes(b))) {
        nl.del(b);
        this.#madeBridges(b, false);
      }
    });
    if (this.#store.getFact(TABLE_FACT)) {
      await this.#runNft(deleteTable(this.#store.getFact(TABLE_FACT)!));
      this.#store.setFact(TABLE_FACT, undefined);
    }
    if (this.#hostsDir) {
      try {
        Deno.removeSync(this.#hostsDir, { recursive: true });
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    const before = this.#store.getFact(FORWARD_FACT);
    if (before !== undefined) {
      Deno.writeTextFileSync(IP_FORWARD, before + "\n");
      this.#store.setFact(FORWARD_FACT, undefined);
    }
  }

  /** The list of bridges this agent made; with `add`, records that `name` was made (true) or removed (false). */
  #madeBridges(name?: string, add?: boolean): string[] {
    const list: string[] = JSON.parse(this.#store.getFact(BRIDGES_FACT) ?? "[]");
    if (name === undefined) return list;
    const next = add ? [...new Set([...list, name])] : list.filter((b) => b !== name);
    this.#store.setFact(BRIDGES_FACT, next.length ? JSON.stringify(next) : undefined);
    return next;
  }

  #enableForwarding(): void {
    const now = Deno.readTextFileSync(IP_FORWARD).trim();
    if (now === "1") return;
    if (this.#store.getFact(FORWARD_FACT) === undefined) this.#store.setFact(FORWARD_FACT, now);
    Deno.writeTextFileSync(IP_FORWARD, "1\n");
  }

  async #runNft(script: string): Promise<void> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(this.#nft, {
        args: ["-f", "-"],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      })
        .spawn();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw failedPrecondition(
          `Cannot set up job networking: "${this.#nft}" is missing (install the Debian package nftables)`,
        );
      }
      throw e;
    }
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(script));
    await w.close();
    const out = await child.output();
    if (out.code !== 0) {
      throw internal(`nft -f failed (${out.code}): ${new TextDecoder().decode(out.stderr).trim()}`);
    }
  }
}
