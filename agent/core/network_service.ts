/**
 * Network use cases: the built-in networks (`bridge`, `isolated`, `none`), custom networks (create, list,
 * remove), a job's network from submission to exit, and cleaning up after a crash. Bridges and rules are made
 * lazily, when the first job of a network starts, and all removed at shutdown.
 */
import { failedPrecondition, invalidArgument, JobletError, notFound } from "../domain/errors.ts";
import {
  allocateIp,
  checkCidr,
  checkNetworkName,
  formatCidr,
  MAX_BRIDGE_PORTS,
  type NetworkDef,
  parseCidr,
} from "../domain/network.ts";
import type { Allocation, JobNetworks, NetworkDriver, NetworkStore } from "./network_ports.ts";
import type { NetworkAttachment } from "./ports.ts";

export interface NetworkServiceOptions {
  /** Network of jobs that name none: "bridge", "isolated", "none" or a custom one. */
  defaultNetwork: string;
  bridgeCidr: string;
  isolatedCidr: string;
  /** /etc/resolv.conf for jobs with a network ("" = none). */
  resolvConf: string;
}

export const BRIDGE_DEVICE = "joblet0";
export const ISOLATED_DEVICE = "joblet-iso";

export interface NetworkView extends NetworkDef {
  /** Jobs using it now (attached) and reserved (scheduled) ones. */
  jobs: string[];
}

export class NetworkService implements JobNetworks {
  readonly #store: NetworkStore;
  readonly #driver: NetworkDriver;
  readonly #opts: NetworkServiceOptions;
  readonly #log: (msg: string) => void;
  /** Serialises bridge and rule changes (nft runs asynchronously). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    store: NetworkStore,
    driver: NetworkDriver,
    opts: NetworkServiceOptions,
    log: (msg: string) => void = () => {},
  ) {
    this.#store = store;
    this.#driver = driver;
    this.#opts = opts;
    this.#log = log;
  }

  /**
   * At start: writes the built-in networks (taking the configured CIDRs), then removes whatever a previous run
   * left on the host (veths of dead jobs, bridges, the nft table) and restores ip_forward. Every job that was
   * attached is dead by now: the agent kills orphans before serving.
   */
  async recover(): Promise<void> {
    const nets = this.#store.networks();
    for (
      const b of [
        { name: "bridge", cidr: this.#opts.bridgeCidr, bridge: BRIDGE_DEVICE, isolated: false },
        { name: "isolated", cidr: this.#opts.isolatedCidr, bridge: ISOLATED_DEVICE, isolated: true },
      ]
    ) {
      const cidr = formatCidr(parseCidr(b.cidr));
      const have = nets.find((n) => n.name === b.name);
      if (have?.cidr === cidr) continue;
      if (have) this.#store.removeNetwork(b.name);
      this.#store.addNetwork({ ...b, cidr, builtin: true });
    }
    for (const a of this.#store.allocations()) {
      if (!a.attached && !a.ip) continue;
      try {
        this.#driver.detach(a.jobId);
      } catch (e) {
        this.#log(`network: cannot remove the veth of job ${a.jobId}: ${(e as Error).message}`);
      }
      this.#store.putAllocation({ ...a, ip: "", attached: false });
    }
    await this.shutdown();
    this.check(this.#opts.defaultNetwork);
  }

  /** Removes every bridge and rule of the agent and restores the host's settings. */
  shutdown(): Promise<void> {
    return this.#serial(() => this.#driver.teardown(this.#store.networks().map((n) => n.bridge)));
  }

  list(): NetworkView[] {
    const views: NetworkView[] = this.#store.networks().map((n) => ({
      ...n,
      jobs: this.#users(n.name).map((a) => a.jobId),
    }));
    views.push({ name: "none", cidr: "", bridge: "", builtin: true, isolated: true, jobs: [] });
    return views;
  }

  create(name: string, cidrText: string): Promise<NetworkDef> {
    checkNetworkName(name);
    return this.#serial(() => {
      const nets = this.#store.networks();
      if (nets.some((n) => n.name === name)) {
        throw new JobletError("AlreadyExists", `network "${name}" already exists`);
      }
      const cidr = checkCidr(cidrText, nets, this.#driver.hostAddresses());
      const used = new Set(nets.map((n) => n.bridge));
      let i = 1;
      while (used.has(`joblet${i}`)) i++;
      const def: NetworkDef = {
        name,
        cidr: formatCidr(cidr),
        bridge: `joblet${i}`,
        builtin: false,
        isolated: false,
      };
      this.#store.addNetwork(def);
      return Promise.resolve(def);
    });
  }

  remove(name: string): Promise<void> {
    return this.#serial(async () => {
      const net = this.#store.networks().find((n) => n.name === name);
      if (!net) throw notFound(`network "${name}" not found (see rnx network list)`);
      if (net.builtin || name === "none") {
        throw invalidArgument(`network "${name}" is built in and cannot be removed`);
      }
      const users = this.#users(name);
      if (users.length) {
        throw failedPrecondition(
          `Cannot remove network "${name}": used by job(s) ${users.map((u) => u.names.join("/")).join(", ")}`,
        );
      }
      this.#driver.removeBridge(net.bridge);
      this.#store.removeNetwork(name);
      await this.#driver.applyRules(this.#active());
    });
  }

  check(network: string | undefined, maxNetBwBytes?: number): void {
    const name = network || this.#opts.defaultNetwork;
    if (name === "none") {
      if (maxNetBwBytes) {
        throw invalidArgument(
          `--max-net-bw needs a network: the job would run on network none${
            network ? "" : " (the default)"
          }, ` +
            `which has only loopback, nothing to limit; give --network=bridge or another network`,
        );
      }
      return;
    }
    if (!this.#store.networks().some((n) => n.name === name)) {
      throw invalidArgument(
        `network "${name}" does not exist (built in: bridge, isolated, none; custom: rnx network create)`,
      );
    }
  }

  reserve(jobId: string, network: string | undefined, names: string[], maxNetBwBytes = 0): void {
    this.check(network, maxNetBwBytes);
    const name = network || this.#opts.defaultNetwork;
    if (name === "none") return;
    this.#store.putAllocation({
      jobId,
      network: name,
      ip: "",
      names: names.filter(Boolean),
      attached: false,
      maxNetBwBytes,
    });
  }

  inherit(fromJobId: string, toJobId: string, names: string[]): void {
    const a = this.#store.allocation(fromJobId);
    if (a) {
      this.#store.putAllocation({
        jobId: toJobId,
        network: a.network,
        ip: "",
        names,
        attached: false,
        maxNetBwBytes: a.maxNetBwBytes ?? 0,
      });
    }
  }

  networkOf(jobId: string): string {
    return this.#store.allocation(jobId)?.network ?? "none";
  }

  maxNetBwOf(jobId: string): number {
    return this.#store.allocation(jobId)?.maxNetBwBytes ?? 0;
  }

  ended(jobId: string): void {
    const a = this.#store.allocation(jobId);
    if (a) this.#store.putAllocation({ ...a, ended: true });
  }

  /** Allocations of jobs that run or will run (not ended ones). */
  #users(network: string): Allocation[] {
    return this.#store.allocations(network).filter((a) => !a.ended);
  }

  release(jobId: string): void {
    this.#store.removeAllocation(jobId);
  }

  async prepare(jobId: string): Promise<NetworkAttachment | undefined> {
    const a = this.#store.allocation(jobId);
    if (!a) return undefined;
    const net = this.#store.networks().find((n) => n.name === a.network);
    if (!net) throw failedPrecondition(`job ${jobId}: its network "${a.network}" was removed`);
    const mine = await this.#serial(async () => {
      await this.#driver.ensure(net, this.#store.networks());
      const peers = this.#store.allocations(net.name).filter((p) => p.ip && p.jobId !== jobId);
      if (peers.length >= MAX_BRIDGE_PORTS - 1) {
        throw new JobletError(
          "ResourceExhausted",
          `network "${net.name}" is full: a Linux bridge holds at most ${MAX_BRIDGE_PORTS} ports`,
        );
      }
      const ip = allocateIp(parseCidr(net.cidr), new Set(peers.map((p) => p.ip)));
      if (!ip) {
        throw new JobletError("ResourceExhausted", `network "${net.name}" (${net.cidr}) has no free address`);
      }
      const mine: Allocation = { ...a, ip, attached: true };
      this.#store.putAllocation(mine);
      return { mine, peers };
    });
    const hosts = hostLines([mine.mine, ...mine.peers]);
    const hostsFile = this.#driver.writeHosts(jobId, HOSTS_HEADER + hosts);
    this.#refreshHosts(net.name, jobId);
    let attached = false;
    return {
      hosts,
      hostsFile,
      resolvConf: this.#opts.resolvConf || undefined,
      attach: (pid: number) => {
        this.#driver.attach(jobId, pid, net, mine.mine.ip, mine.mine.maxNetBwBytes || undefined);
        attached = true;
      },
      detach: () => {
        if (attached) {
          try {
            this.#driver.detach(jobId);
          } catch (e) {
            this.#log(`network: job ${jobId}: cannot remove its veth: ${(e as Error).message}`);
          }
        }
        const now = this.#store.allocation(jobId);
        if (now) this.#store.putAllocation({ ...now, ip: "", attached: false });
        try {
          this.#driver.removeHosts(jobId);
        } catch (e) {
          this.#log(`network: job ${jobId}: cannot remove its hosts file: ${(e as Error).message}`);
        }
        this.#refreshHosts(net.name, jobId);
      },
    };
  }

  /** Rewrites /etc/hosts of every job on `network` with an address, except `except` (who just came or went). */
  #refreshHosts(network: string, except: string): void {
    const live = this.#store.allocations(network).filter((a) => a.ip);
    for (const a of live) {
      if (a.jobId === except) continue;
      try {
        this.#driver.writeHosts(a.jobId, HOSTS_HEADER + hostLines([a, ...live.filter((p) => p !== a)]));
      } catch (e) {
        this.#log(`network: job ${a.jobId}: cannot update its /etc/hosts: ${(e as Error).message}`);
      }
    }
  }

  #active(): NetworkDef[] {
    const nets = this.#store.networks();
    const present = new Set(this.#driver.existingBridges(nets.map((n) => n.bridge)));
    return nets.filter((n) => present.has(n.bridge));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => {});
    return next;
  }
}

/** The lines every job's /etc/hosts starts with (the launcher's own, less the hostname: the job's line has it). */
export const HOSTS_HEADER = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

/** "IP\tname shortid" for each allocation that has names, in order (the job itself first). */
export function hostLines(allocs: readonly Allocation[]): string {
  return allocs.filter((p) => p.ip && p.names.length).map((p) => `${p.ip}\t${p.names.join(" ")}\n`).join("");
}

/** The host's resolv.conf minus loopback resolvers (unreachable from a job's namespace); "" when none remain. */
export function jobResolvConf(hostText: string, servers: readonly string[] = []): string {
  if (servers.length) return servers.map((s) => `nameserver ${s}\n`).join("");
  const lines = hostText.split("\n").filter((l) => l.trim() && !/^\s*nameserver\s+(127\.|::1)/.test(l));
  return lines.some((l) => /^\s*nameserver\s/.test(l)) ? lines.join("\n") + "\n" : "";
}
