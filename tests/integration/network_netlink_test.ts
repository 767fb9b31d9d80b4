/**
 * ffi/netlink.ts against the real kernel, inside a network namespace the test makes for itself: the host's
 * links, addresses and routes are never touched.
 */
import { assert, assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import { Rtnl } from "../../ffi/netlink.ts";
import { CLONE_NEWNET } from "../../ffi/constants.ts";
import { close, openReadOnly, setns, unshare } from "../../ffi/sys.ts";

/** Runs `fn` with the JS thread in a fresh network namespace, then puts it back. */
async function inFreshNetns(fn: () => Promise<void>): Promise<void> {
  const own = openReadOnly("/proc/thread-self/ns/net");
  unshare(CLONE_NEWNET);
  try {
    await fn();
  } finally {
    setns(own, CLONE_NEWNET);
    close(own);
  }
}

/** A process in a network namespace of its own (a stand-in for a job's PID 1). */
function sleeper(): Deno.ChildProcess {
  return new Deno.Command("unshare", { args: ["-n", "sleep", "60"], stdout: "null", stderr: "null" }).spawn();
}

async function waitNetns(pid: number, own: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (Deno.readLinkSync(`/proc/${pid}/ns/net`) !== own) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`process ${pid} never got its own network namespace`);
}

async function sh(args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(args[0], { args: args.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  return { code: r.code, out: new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr) };
}

Deno.test({
  name: "Rtnl builds a bridge with two veth peers in other namespaces, and the peers ping each other",
  ignore: skip("root"),
  fn: () =>
    inFreshNetns(async () => {
      const own = Deno.readLinkSync("/proc/thread-self/ns/net");
      const a = sleeper(), b = sleeper();
      try {
        await waitNetns(a.pid, own);
        await waitNetns(b.pid, own);
        const nl = Rtnl.open();
        try {
          nl.addBridge("tbr0");
          nl.addAddr("tbr0", "10.99.0.1", 24);
          nl.up("tbr0");
          for (const [i, p] of [a, b].entries()) {
            const fd = openReadOnly(`/proc/${p.pid}/ns/net`);
            try {
              nl.addVeth(`tv${i}`, "eth0", fd);
            } finally {
              close(fd);
            }
            nl.setMaster(`tv${i}`, "tbr0");
            nl.up(`tv${i}`);
            const inner = Rtnl.openIn(`/proc/${p.pid}/ns/net`);
            try {
              inner.addAddr("eth0", `10.99.0.${i + 2}`, 24);
              inner.up("eth0");
              inner.up("lo");
              inner.addDefaultRoute("eth0", "10.99.0.1");
              assertEquals(inner.links().map((l) => l.name).sort(), ["eth0", "lo"]);
              assertEquals(inner.addrs().find((x) => x.address === `10.99.0.${i + 2}`)?.prefix, 24);
            } finally {
              inner.close();
            }
          }
          const links = nl.links();
          const br = links.find((l) => l.name === "tbr0")!;
          assertEquals(br.kind, "bridge");
          assertEquals(links.filter((l) => l.master === br.index).map((l) => l.name).sort(), ["tv0", "tv1"]);
          assertEquals(nl.link("tv0")?.kind, "veth");
          assertEquals(nl.link("nope0"), undefined);

          const ping = await sh(["nsenter", "-t", String(a.pid), "-n", "ping", "-c1", "-W2", "10.99.0.3"]);
          assertEquals(ping.code, 0, ping.out);
          const route = await sh(["nsenter", "-t", String(a.pid), "-n", "ip", "route"]);
          assert(route.out.includes("default via 10.99.0.1 dev eth0"), route.out);

          nl.setPortIsolated("tv0");
          nl.setPortIsolated("tv1");
          const cut = await sh(["nsenter", "-t", String(a.pid), "-n", "ping", "-c1", "-W1", "10.99.0.3"]);
          assert(cut.code !== 0, "isolated bridge ports must not reach each other");

          assertEquals(nl.del("tv0"), true);
          assertEquals(nl.del("tv0"), false);
          nl.del("tbr0");
          assertEquals(nl.links().map((l) => l.name).sort(), ["lo", "tv1"]);
        } finally {
          nl.close();
        }
      } finally {
        a.kill("SIGKILL");
        b.kill("SIGKILL");
        await Promise.all([a.status, b.status]);
      }
    }),
});
