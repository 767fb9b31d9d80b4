/** What the network use cases need from the machine (agent/os/network implements them). */
import type { NetworkDef } from "../domain/network.ts";
import type { NetworkAttachment } from "./ports.ts";

/** One job's place on a network: its address (empty for `none`). */
export interface Allocation {
  jobId: string;
  network: string;
  ip: string;
  /** Job name (or workflow job name) and short id, for /etc/hosts. */
  names: string[];
  /** True once attach() ran and until detach(): its veth may exist. */
  attached: boolean;
  /** The job reached a final state: it no longer counts as a user of the network. */
  ended?: boolean;
  /** `--max-net-bw`: traffic limit each way in bytes per second; 0 or absent = unlimited. */
  maxNetBwBytes?: number;
}

/** Durable network definitions and allocations. Synchronous and transactional. */
export interface NetworkStore {
  networks(): NetworkDef[];
  addNetwork(def: NetworkDef): void;
  removeNetwork(name: string): void;
  allocations(network?: string): Allocation[];
  allocation(jobId: string): Allocation | undefined;
  /** Inserts or replaces a job's allocation. */
  putAllocation(a: Allocation): void;
  removeAllocation(jobId: string): void;
  /** Small key/value facts about what the agent changed on the host (e.g. the original ip_forward). */
  getFact(key: string): string | undefined;
  setFact(key: string, value: string | undefined): void;
  close(): void;
}

/** Host interface addresses, for CIDR checks. */
export interface HostAddress {
  address: string;
  prefix: number;
  link: string;
}

/** The machine side: bridges, veths, filtering and NAT. */
export interface NetworkDriver {
  hostAddresses(): HostAddress[];
  /** Makes sure the network's bridge exists with its gateway address and the rules cover `all` networks. */
  ensure(net: NetworkDef, all: readonly NetworkDef[]): Promise<void>;
  /** Rewrites the filtering/NAT rules for the networks whose bridges exist. */
  applyRules(active: readonly NetworkDef[]): Promise<void>;
  /**
   * Connects the job's PID 1 (`pid`) to `net` with address `ip`, its traffic limited to `maxNetBwBytes` per
   * second each way when given. Synchronous (netlink, and tc for the limit).
   */
  attach(jobId: string, pid: number, net: NetworkDef, ip: string, maxNetBwBytes?: number): void;
  /** Removes the job's veth, if any. */
  detach(jobId: string): void;
  /**
   * Writes (in place) the job's /etc/hosts, a host file bind-mounted into the job; returns its path, or
   * undefined when this driver keeps none (the launcher then writes /etc/hosts once).
   */
  writeHosts(jobId: string, content: string): string | undefined;
  /** Removes the job's hosts file, if any. */
  removeHosts(jobId: string): void;
  /** Removes a bridge (and nothing else). */
  removeBridge(bridge: string): void;
  /** Removes the agent's rules and restores host settings the agent changed. */
  teardown(bridges: readonly string[]): Promise<void>;
  /** Names of the bridges that exist now among `bridges`. */
  existingBridges(bridges: readonly string[]): string[];
}

/** What JobService asks of networking (NetworkService implements it). */
export interface JobNetworks {
  /**
   * Throws InvalidArgument for a network that does not exist, or for a traffic limit on network none.
   * undefined/"" = the default network.
   */
  check(network: string | undefined, maxNetBwBytes?: number): void;
  /** Remembers which network job `jobId` runs on, and its traffic limit (its runs and retries reuse them). */
  reserve(jobId: string, network: string | undefined, names: string[], maxNetBwBytes?: number): void;
  /** Copies a cron schedule's network to one of its runs. */
  inherit(fromJobId: string, toJobId: string, names: string[]): void;
  /** Everything the launcher needs to connect the job, or undefined for loopback only. */
  prepare(jobId: string): Promise<NetworkAttachment | undefined>;
  /** The job's network name ("none" when it has none). */
  networkOf(jobId: string): string;
  /** The job's traffic limit each way in bytes per second (0 = unlimited). */
  maxNetBwOf(jobId: string): number;
  /** The job reached a final state (it keeps its network name for display). */
  ended(jobId: string): void;
  /** Forgets the job (deleted). */
  release(jobId: string): void;
}
