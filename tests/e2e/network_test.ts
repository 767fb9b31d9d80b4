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
  `import urllib.request,sys\ntry:\n print(urllib.request.urlopen("${url}",timeout=2).status)\n` +
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
    // The production default (bridge), and nameservers from the config.
    const config = Deno.makeTempFileSync({ suffix: ".yml" });
    Deno.writeTextFileSync(config, "network:\n  default: bridge\n  dns: [10.203.0.53]\n");
    const agent = await TestAgent.start({ extraArgs: ["--config", config] });
    try {
      await t.step("a bridge job reaches the outside world through NAT; a none job does not", async () => {
        const bridged = await agent.runToEnd(["--network=bridge", ...FETCH("http://10.203.0.2:8080/")]);
        assertEquals(bridged.job.status, "COMPLETED", bridged.stdout + bridged.stderr);
        assertEquals(bridged.stdout.trim(), "200");
        const none = await agent.runToEnd(["--network=none", ...FETCH("http://10.203.0.2:8080/")]);
        assertEquals(none.job.exit_code, 3, none.stdout);
        const dflt = await agent.runToEnd(["sh", "-c", "ip -o -4 addr; cat /etc/resolv.conf"]);
        assert(/eth0\s+inet 172\.20\./.test(dflt.stdout), `the default network is bridge: ${dflt.stdout}`);
        assert(dflt.stdout.includes("nameserver 10.203.0.53"), `dns from the config: ${dflt.stdout}`);
        const lo = await agent.runToEnd(["--network=none", "ip", "-o", "link"]);
        assert(
          !lo.stdout.includes("eth0") && lo.stdout.includes("lo"),
          `none is loopback only: ${lo.stdout}`,
        );
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

          const srvb = await agent.runJob([
            "--network=netb",
            "python3",
            "-m",
            "http.server",
            "-b",
            "0.0.0.0",
            "8000",
          ]);
          const iso = await agent.runJob([
            "--network=isolated",
            "python3",
            "-m",
            "http.server",
            "-b",
            "0.0.0.0",
            "8000",
          ]);
          await new Promise((r) => setTimeout(r, 1500));
          const reverse = await agent.runToEnd(["--network=neta", ...FETCH("http://10.211.0.2:8000/")]);
          assertEquals(reverse.job.exit_code, 3, `neta → netb must be dropped: ${reverse.stdout}`);
          const sameB = await agent.runToEnd(["--network=netb", ...FETCH("http://10.211.0.2:8000/")]);
          assertEquals(sameB.stdout.trim(), "200", `netb → netb: ${sameB.stdout}`);
          const toIso = await agent.runToEnd(["--network=neta", ...FETCH("http://172.21.0.2:8000/")]);
          assertEquals(toIso.job.exit_code, 3, `neta → isolated must be dropped: ${toIso.stdout}`);
          const fromIso = await agent.runToEnd(["--network=isolated", ...FETCH("http://10.210.0.2:8000/")]);
          assertEquals(fromIso.job.exit_code, 3, `isolated → neta must be dropped: ${fromIso.stdout}`);
          const isoPeer = await agent.runToEnd(["--network=isolated", ...FETCH("http://172.21.0.2:8000/")]);
          assertEquals(isoPeer.job.exit_code, 3, `isolated → isolated must be dropped: ${isoPeer.stdout}`);
          for (const j of [srvb, iso]) {
            assertEquals((await agent.rnx(["job", "stop", j.id])).code, 0);
            await agent.waitFinished(j.id);
          }

          const list = await agent.rnxJson<Array<{ name: string; jobs: string[] }>>(["network", "list"]);
          assertEquals(list.find((n) => n.name === "neta")?.jobs, [srv.id]);
          const busy = await agent.rnx(["network", "remove", "neta"]);
          assert(busy.code !== 0 && /used by job/.test(busy.stderr), busy.stderr);
          assertEquals((await agent.rnx(["job", "stop", srv.id])).code, 0);
          await agent.waitFinished(srv.id);
        },
      );

      await t.step(
        "a job's /etc/hosts gains and loses the jobs of its network as they come and go",
        async () => {
          // The watcher starts first; "late" appears in its /etc/hosts when it starts and leaves when it ends.
          const watcher = await agent.runJob([
            "--network=neta",
            "sh",
            "-c",
            "for i in $(seq 100); do grep -q late /etc/hosts && break; sleep 0.1; done; cat /etc/hosts; " +
            "for i in $(seq 100); do grep -q late /etc/hosts || break; sleep 0.1; done; " +
            "grep -q late /etc/hosts && exit 4; echo gone",
          ]);
          await new Promise((r) => setTimeout(r, 1000));
          const late = await agent.runToEnd(["--network=neta", "--name=late", "sleep", "2"]);
          assertEquals(late.job.status, "COMPLETED");
          const done = await agent.waitFinished(watcher.id);
          const log = await agent.rnx(["job", "log", watcher.id]);
          assertEquals(done.exit_code, 0, log.stdout);
          assert(/10\.210\.0\.\d+\tlate /.test(log.stdout), `late was listed: ${log.stdout}`);
          assert(log.stdout.includes("gone"), log.stdout);
        },
      );
    } finally {
      await agent.stop();
      Deno.removeSync(config);
      const after = await hostState();
      server.kill("SIGKILL");
      await server.status;
      await sh(`ip netns del ${WORLD}`);
      assertEquals(after, before);
    }
  },
});
