/**
 * Networks end to end: a real agent, rnx as a subprocess, and an "outside world" that is a network namespace
 * this test makes (a veth to the host and an HTTP server on it). All traffic stays on this machine. The host's
 * links, addresses, routes and nft ruleset are compared before the agent starts and after it stops.
 */
import { assert, assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";

async function sh(cmd: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("sh", { args: ["-c", cmd], stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout) + d.decode(r.stderr) };
}

async function hostState(): Promise<string> {
  const parts = [];
  for (
    const c of [
      "nft list ruleset",
      "ip route",
      "ip -o addr",
      "ip -o link",
      "cat /proc/sys/net/ipv4/ip_forward",
    ]
  ) {
    // Counters and link state flags that traffic changes are not configuration.
    parts.push(`# ${c}\n` + (await sh(c)).out.replace(/ qlen \d+| tentative/g, ""));
  }
  return parts.join("\n");
}

const WORLD = `jtw${Deno.pid % 100000}`;
const FETCH = (url: string) => [
  "python3",
  "-c",
  `import urllib.request,sys\ntry:\n print(urllib.request.urlopen("${url}",timeout=3).status)\n` +
  `except Exception as e:\n print("unreachable",e); sys.exit(3)`,
];

Deno.test({
  name:
    "jobs on bridge and custom networks reach what they should and nothing else; the host is left as it was",
  ignore: skip("root", "cgroup") || (await sh("command -v nft && command -v python3")).code !== 0,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    // The outside world: netns WORLD with 10.203.0.2, the host end with 10.203.0.1, an HTTP server on :8080.
    const setup = await sh(
      `ip netns add ${WORLD} && ip link add ${WORLD}h type veth peer name eth0 netns ${WORLD} && ` +
        `ip addr add 10.203.0.1/24 dev ${WORLD}h && ip link set ${WORLD}h up && ` +
        `ip -n ${WORLD} addr add 10.203.0.2/24 dev eth0 && ip -n ${WORLD} link set eth0 up && ` +
        `ip -n ${WORLD} link set lo up`,
    );
    assertEquals(setup.code, 0, setup.out);
    const server = new Deno.Command("ip", {
      args: ["netns", "exec", WORLD, "python3", "-m", "http.server", "-b", "10.203.0.2", "8080"],
      stdout: "null",
      stderr: "null",
      cwd: "/tmp",
    }).spawn();
    const before = await hostState();
    const agent = await TestAgent.start();
    try {
      await t.step("a bridge job reaches the outside world through NAT; a none job does not", async () => {
        const bridged = await agent.runToEnd(["--network=bridge", ...FETCH("http://10.203.0.2:8080/")]);
        assertEquals(bridged.job.status, "COMPLETED", bridged.stdout + bridged.stderr);
        assertEquals(bridged.stdout.trim(), "200");
        const none = await agent.runToEnd(["--network=none", ...FETCH("http://10.203.0.2:8080/")]);
        assertEquals(none.job.exit_code, 3, none.stdout);
        const dflt = await agent.runToEnd(["ip", "-o", "addr"]);
        assert(!dflt.stdout.includes("eth0"), `the default stays loopback only: ${dflt.stdout}`);
      });

      await t.step(
        "a bridge job has eth0 with an address from 172.20.0.0/16 and a default route",
        async () => {
          const r = await agent.runToEnd(["--network=bridge", "sh", "-c", "ip -o -4 addr; ip route"]);
          assert(/eth0\s+inet 172\.20\.\d+\.\d+\/16/.test(r.stdout), r.stdout);
          assert(r.stdout.includes("default via 172.20.0.1 dev eth0"), r.stdout);
        },
      );

      await t.step("bad network input is refused with the rule", async () => {
        const cases: Array<[string[], RegExp]> = [
          [["network", "create", "bad;name", "--cidr=10.30.0.0/24"], /not valid/],
          [["network", "create", "bridge", "--cidr=10.30.0.0/24"], /reserved/],
          [["network", "create", "n31", "--cidr=10.30.0.0/31"], /\/8 to \/30/],
          [["network", "create", "ovl", "--cidr=172.20.5.0/24"], /overlaps network "bridge"/],
          [["job", "run", "--network=nosuch", "true"], /network "nosuch" does not exist/],
        ];
        for (const [args, why] of cases) {
          const r = await agent.rnx(args);
          assert(r.code !== 0 && why.test(r.stderr), `${args.join(" ")}: ${r.code} ${r.stderr}`);
        }
      });

      await t.step(
        "jobs on one custom network reach each other by name; another network cannot",
        async () => {
          for (const [n, c] of [["neta", "10.210.0.0/24"], ["netb", "10.211.0.0/24"]]) {
            const r = await agent.rnx(["network", "create", n, `--cidr=${c}`]);
            assertEquals(r.code, 0, r.stderr);
          }
          const srv = await agent.runJob([
            "--network=neta",
            "--name=srv",
            "python3",
            "-m",
            "http.server",
            "-b",
            "0.0.0.0",
            "8000",
          ]);
          await new Promise((r) => setTimeout(r, 1500));
          const same = await agent.runToEnd(["--network=neta", ...FETCH("http://srv:8000/")]);
          assertEquals(same.stdout.trim(), "200", same.stdout + same.stderr);
          const other = await agent.runToEnd(["--network=netb", ...FETCH("http://10.210.0.2:8000/")]);
          assertEquals(other.job.exit_code, 3, other.stdout);
          const ping = await agent.runToEnd(["--network=netb", "ping", "-c1", "-W1", "10.210.0.2"]);
          assert(ping.job.exit_code !== 0, ping.stdout);

          const list = await agent.rnxJson<Array<{ name: string; jobs: string[] }>>(["network", "list"]);
          assertEquals(list.find((n) => n.name === "neta")?.jobs, [srv.id]);
          const busy = await agent.rnx(["network", "remove", "neta"]);
          assert(busy.code !== 0 && /used by job/.test(busy.stderr), busy.stderr);
          assertEquals((await agent.rnx(["job", "stop", srv.id])).code, 0);
          await agent.waitFinished(srv.id);
        },
      );
    } finally {
      await agent.stop();
      const after = await hostState();
      server.kill("SIGKILL");
      await server.status;
      await sh(`ip netns del ${WORLD}`);
      assertEquals(after, before);
    }
  },
});
