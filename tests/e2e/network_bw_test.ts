/**
 * `--max-net-bw` end to end: two jobs on one custom network, one sends 4 MB over TCP and the other receives
 * it and measures the rate from its first byte to the last, inside the jobs. Limiting the receiver (its
 * ingress) or the sender (its egress) to 8mbit must give 8 Mbit/s within 20% (payload is ~96% of what tc
 * counts: Ethernet, IP and TCP headers are in the shaped bytes). The agent runs in a network namespace of its
 * own (_netns_agent.ts).
 */
import { assert, assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import { hasNetTools, NetnsAgent } from "./_netns_agent.ts";

const BYTES = 4_000_000;
const LIMIT_BITS = 8_000_000;

/** Accepts one connection on :9000 and sends `argv[1]` bytes. */
const SENDER = `
import socket, sys
n = int(sys.argv[1]); s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9000)); s.listen(1); c, _ = s.accept(); buf = b"x" * 65536; left = n
while left > 0:
    left -= c.send(buf[:min(left, 65536)])
c.shutdown(socket.SHUT_WR); c.recv(1); c.close(); print("sent", n)
`;

/** Connects to `argv[1]`:9000 (retrying while the sender starts), reads to EOF, prints "RATE bits/s bytes". */
const RECEIVER = `
import socket, sys, time
for i in range(150):
    try:
        s = socket.create_connection((sys.argv[1], 9000), timeout=30); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("cannot connect to " + sys.argv[1])
got = 0; t0 = None
while True:
    b = s.recv(65536)
    if not b: break
    if t0 is None: t0 = time.monotonic()
    got += len(b)
dt = time.monotonic() - t0
print("RATE %d %d" % (got * 8 / dt, got))
`;

Deno.test({
  name: "--max-net-bw=8mbit limits a job's ingress and its egress to 8 Mbit/s within 20%",
  ignore: skip("root", "cgroup") || !(await hasNetTools()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const net = await NetnsAgent.start(`jbw${Deno.pid % 100000}`, "network:\n  default: none\n");
    let left = "";
    try {
      const made = await net.rnx(["network", "create", "bw", "--cidr=10.231.0.0/24"]);
      assertEquals(made.code, 0, made.stderr);

      /** Runs the pair with `flags` on the sender and the receiver; returns the receiver's rate in bit/s. */
      const transfer = async (senderFlags: string[], receiverFlags: string[]) => {
        const name = `snd${Math.floor(Math.random() * 1e6)}`;
        const sender = await net.runJob([
          "--network=bw",
          `--name=${name}`,
          ...senderFlags,
          "python3",
          "-c",
          SENDER,
          String(BYTES),
        ]);
        const receiver = await net.runJob([
          "--network=bw",
          ...receiverFlags,
          "python3",
          "-c",
          RECEIVER,
          name,
        ]);
        const done = await net.waitFinished(receiver.id);
        const log = await net.rnx(["job", "log", receiver.id]);
        assertEquals(done.status, "COMPLETED", log.stdout + log.stderr);
        assertEquals((await net.waitFinished(sender.id)).status, "COMPLETED");
        const m = /RATE (\d+) (\d+)/.exec(log.stdout);
        assert(m, log.stdout);
        assertEquals(Number(m[2]), BYTES);
        console.log(`  measured ${(Number(m[1]) / 1e6).toFixed(2)} Mbit/s`);
        return { rate: Number(m[1]), sender, receiver };
      };

      await t.step("the receiver limited: its ingress", async () => {
        const { rate, receiver } = await transfer([], ["--max-net-bw=8mbit"]);
        assert(Math.abs(rate - LIMIT_BITS) <= LIMIT_BITS * 0.2, `measured ${rate} bit/s, want 8000000 ± 20%`);
        const status = await net.rnxJson(["job", "status", receiver.id]);
        assertEquals(status.max_net_bw_bytes, 1_000_000);
        const text = await net.rnx(["job", "status", receiver.id]);
        assert(/Max net bw:\s+8 Mbit\/s each way/.test(text.stdout), text.stdout);
      });

      await t.step("the sender limited: its egress", async () => {
        const { rate } = await transfer(["--max-net-bw=1MB/s"], []);
        assert(Math.abs(rate - LIMIT_BITS) <= LIMIT_BITS * 0.2, `measured ${rate} bit/s, want 8000000 ± 20%`);
      });

      await t.step("a job cannot remove its own limit", async () => {
        const { id } = await net.runJob([
          "--network=bw",
          "--max-net-bw=8mbit",
          "sh",
          "-c",
          "tc qdisc del dev eth0 root; echo rc=$?; tc qdisc show dev eth0",
        ]);
        await net.waitFinished(id);
        const log = await net.rnx(["job", "log", id]);
        const out = log.stdout + log.stderr;
        assert(/rc=[1-9]/.test(out) && /qdisc tbf .* rate 8Mbit/.test(out), out);
      });

      await t.step("the qdiscs go with the jobs' veths", async () => {
        const qdiscs = await net.inNs("tc qdisc show");
        assert(!qdiscs.includes("tbf"), qdiscs);
        const links = await net.inNs("ip -o link");
        assert(!/ jv[0-9a-f]{12}/.test(links), links);
      });

      await t.step("bad rates and a limit on network none are refused, naming the flag", async () => {
        const cases: Array<[string[], number, RegExp]> = [
          [["--max-net-bw=10", "true"], 2, /--max-net-bw "10" is not a rate/],
          [["--max-net-bw=0mbit", "true"], 2, /--max-net-bw "0mbit" is zero/],
          [["--max-net-bw=-1mbit", "true"], 2, /--max-net-bw "-1mbit" is negative/],
          [["--max-net-bw=200gbit", "true"], 2, /is too large \(at most 100gbit/],
          [["--network=none", "--max-net-bw=8mbit", "true"], 2, /--max-net-bw needs a network/],
          // The agent's default network here is none: the agent refuses it.
          [["--max-net-bw=8mbit", "true"], 1, /--max-net-bw needs a network: .*network none \(the default\)/],
        ];
        for (const [args, code, why] of cases) {
          const r = await net.rnx(["job", "run", ...args]);
          assert(r.code === code && why.test(r.stderr), `${args.join(" ")}: ${r.code} ${r.stderr}`);
        }
      });
    } finally {
      left = await net.stop();
    }
    assertEquals(left.trim().split("\n").filter((l) => !/^\d+: lo:/.test(l)), [], left);
  },
});
