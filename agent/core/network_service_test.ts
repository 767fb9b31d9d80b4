import { assert, assertEquals, assertThrows } from "../../tests/assert.ts";
import type { NetworkDef } from "../domain/network.ts";
import type { Allocation, HostAddress, NetworkDriver, NetworkStore } from "./network_ports.ts";
import { HOSTS_HEADER, NetworkService } from "./network_service.ts";

class MemoryStore implements NetworkStore {
  nets: NetworkDef[] = [];
  allocs = new Map<string, Allocation>();
  facts = new Map<string, string>();
  networks = () => [...this.nets];
  addNetwork = (d: NetworkDef) => void this.nets.push(d);
  removeNetwork = (name: string) => void (this.nets = this.nets.filter((n) => n.name !== name));
  allocations = (network?: string) =>
    [...this.allocs.values()].filter((a) => network === undefined || a.network === network);
  allocation = (id: string) => this.allocs.get(id);
  putAllocation = (a: Allocation) => void this.allocs.set(a.jobId, { ...a });
  removeAllocation = (id: string) => void this.allocs.delete(id);
  getFact = (k: string) => this.facts.get(k);
  setFact = (k: string, v: string | undefined) =>
    void (v === undefined ? this.facts.delete(k) : this.facts.set(k, v));
  close = () => {};
}

/** Records what the service asks of the machine; hosts files are kept in a map. */
class RecordingDriver implements NetworkDriver {
  hosts = new Map<string, string>();
  bridges = new Set<string>();
  hostAddresses = (): HostAddress[] => [];
  ensure = (net: NetworkDef) => Promise.resolve(void this.bridges.add(net.bridge));
  applyRules = () => Promise.resolve();
  attached: Array<{ jobId: string; ip: string; maxNetBwBytes?: number }> = [];
  attach = (jobId: string, _pid: number, _net: NetworkDef, ip: string, maxNetBwBytes?: number) =>
    void this.attached.push({ jobId, ip, maxNetBwBytes });
  detach = () => {};
  writeHosts = (jobId: string, content: string) => (this.hosts.set(jobId, content), `/hosts/${jobId}`);
  removeHosts = (jobId: string) => void this.hosts.delete(jobId);
  removeBridge = (b: string) => void this.bridges.delete(b);
  teardown = () => Promise.resolve(void this.bridges.clear());
  existingBridges = (bs: readonly string[]) => bs.filter((b) => this.bridges.has(b));
}

async function service(defaultNetwork = "bridge") {
  const store = new MemoryStore();
  const driver = new RecordingDriver();
  const svc = new NetworkService(store, driver, {
    defaultNetwork,
    bridgeCidr: "172.20.0.0/16",
    isolatedCidr: "172.21.0.0/16",
    resolvConf: "",
  });
  await svc.recover();
  return { svc, driver };
}

Deno.test("a job without --network gets the configured default network", async () => {
  const { svc } = await service("bridge");
  svc.reserve("j1", undefined, ["web", "j1"]);
  assertEquals(svc.networkOf("j1"), "bridge");
  const none = await service("none");
  none.svc.reserve("j2", undefined, ["x", "j2"]);
  assertEquals(none.svc.networkOf("j2"), "none");
  assertEquals(await none.svc.prepare("j2"), undefined);
});

Deno.test("a job's /etc/hosts gains a peer that starts later and loses it when it ends", async () => {
  const { svc, driver } = await service();
  svc.reserve("a", "bridge", ["api", "aaaa"]);
  const a = (await svc.prepare("a"))!;
  assertEquals(a.hostsFile, "/hosts/a");
  assertEquals(driver.hosts.get("a"), HOSTS_HEADER + "172.20.0.2\tapi aaaa\n");
  svc.reserve("b", "bridge", ["client", "bbbb"]);
  const b = (await svc.prepare("b"))!;
  assertEquals(driver.hosts.get("b"), HOSTS_HEADER + "172.20.0.3\tclient bbbb\n172.20.0.2\tapi aaaa\n");
  assertEquals(driver.hosts.get("a"), HOSTS_HEADER + "172.20.0.2\tapi aaaa\n172.20.0.3\tclient bbbb\n");
  b.attach(1);
  await b.detach();
  assert(!driver.hosts.has("b"), "the ended job's file is removed");
  assertEquals(driver.hosts.get("a"), HOSTS_HEADER + "172.20.0.2\tapi aaaa\n");
});

Deno.test("a job's /etc/hosts lists only jobs of its own network", async () => {
  const { svc, driver } = await service();
  await svc.create("backend", "10.10.0.0/24");
  svc.reserve("a", "backend", ["api", "aaaa"]);
  await svc.prepare("a");
  svc.reserve("b", "bridge", ["other", "bbbb"]);
  await svc.prepare("b");
  assertEquals(driver.hosts.get("a"), HOSTS_HEADER + "10.10.0.2\tapi aaaa\n");
  assertEquals(driver.hosts.get("b"), HOSTS_HEADER + "172.20.0.2\tother bbbb\n");
});

Deno.test("a job's --max-net-bw reaches the driver's attach(), is shown, and its cron runs keep it", async () => {
  const { svc, driver } = await service("bridge");
  svc.reserve("sched", "bridge", ["nightly", "sched"], 1_000_000);
  svc.inherit("sched", "run1", ["nightly", "run1"]);
  assertEquals(svc.maxNetBwOf("run1"), 1_000_000);
  const run = await svc.prepare("run1");
  run!.attach(42);
  assertEquals(driver.attached, [{ jobId: "run1", ip: "172.20.0.2", maxNetBwBytes: 1_000_000 }]);
  svc.reserve("free", "bridge", ["free", "free"]);
  assertEquals(svc.maxNetBwOf("free"), 0);
  (await svc.prepare("free"))!.attach(43);
  assertEquals(driver.attached[1].maxNetBwBytes, undefined);
});

Deno.test("--max-net-bw on network none is refused, also when none is the default", async () => {
  const { svc } = await service("bridge");
  assertThrows(() => svc.check("none", 1_000_000), /--max-net-bw needs a network: .* network none, /);
  const dflt = await service("none");
  assertThrows(() => dflt.svc.reserve("j", undefined, ["j"], 1_000), /network none \(the default\)/);
  dflt.svc.check(undefined);
  dflt.svc.check("none", 0);
});
