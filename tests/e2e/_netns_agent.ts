/**
 * A TestAgent in a network namespace of its own, for network tests that run beside others (`deno test
 * --parallel`). Its bridges, veths, qdiscs, `ip joblet` table and ip_forward (a per-namespace sysctl) are all
 * inside that namespace, so it neither meets another test's bridges (one bridge-using agent per host, ADR
 * 0008) nor shows in a test that compares the host's state. rnx runs in the same namespace (the agent listens
 * on that namespace's loopback).
 */
import { RNX_MAIN, type RunResult, TestAgent } from "./_agent.ts";

export async function sh(cmd: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("sh", { args: ["-c", cmd], stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout) + d.decode(r.stderr) };
}

/** Whether the host has what these tests use besides root and cgroups. */
export async function hasNetTools(): Promise<boolean> {
  return (await sh("command -v nft && command -v tc && command -v nsenter && command -v python3")).code === 0;
}

export class NetnsAgent {
  readonly ns: string;
  readonly agent: TestAgent;
  readonly #config: string;

  private constructor(ns: string, agent: TestAgent, config: string) {
    this.ns = ns;
    this.agent = agent;
    this.#config = config;
  }

  /** Makes namespace `ns` (loopback up) and starts an agent in it with `config` (joblet.yml text). */
  static async start(ns: string, config: string): Promise<NetnsAgent> {
    const made = await sh(`ip netns add ${ns} && ip -n ${ns} link set lo up`);
    if (made.code !== 0) throw new Error(`cannot make network namespace ${ns}: ${made.out}`);
    const file = Deno.makeTempFileSync({ suffix: ".yml" });
    Deno.writeTextFileSync(file, config);
    try {
      const agent = await TestAgent.start({
        extraArgs: ["--config", file],
        wrap: ["nsenter", `--net=/var/run/netns/${ns}`, "--"],
      });
      return new NetnsAgent(ns, agent, file);
    } catch (e) {
      await sh(`ip netns del ${ns}`);
      Deno.removeSync(file);
      throw e;
    }
  }

  /** A command's output inside the namespace (e.g. `ip -o link`). */
  async inNs(cmd: string): Promise<string> {
    return (await sh(`ip netns exec ${this.ns} sh -c '${cmd}'`)).out;
  }

  /** rnx against the agent, run inside the namespace. */
  async rnx(args: string[]): Promise<RunResult> {
    const out = await new Deno.Command("nsenter", {
      args: [`--net=/var/run/netns/${this.ns}`, "--", Deno.execPath(), "run", "-A", RNX_MAIN, ...args],
      env: { RNX_CONFIG: this.agent.rnxConfig, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  }

  async rnxJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.rnx([...args, "--json"]);
    if (r.code !== 0) throw new Error(`rnx ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  async runJob(flagsAndCommand: string[]): Promise<Record<string, unknown> & { id: string }> {
    const r = await this.rnx(["job", "run", "--json", ...flagsAndCommand]);
    if (r.code !== 0) throw new Error(`rnx job run exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  async waitFinished(id: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const job = await this.rnxJson(["job", "status", id]);
      if (["COMPLETED", "FAILED", "STOPPED", "TIMEOUT"].includes(String(job.status))) return job;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`job ${id} did not finish in ${timeoutMs} ms`);
  }

  /** Stops the agent; returns what it left in its namespace (links, qdiscs, nft ruleset), then removes it. */
  async stop(): Promise<string> {
    try {
      await this.agent.stop();
      return await this.inNs("ip -o link; tc qdisc show | grep -v noqueue; nft list ruleset");
    } finally {
      await sh(`ip netns del ${this.ns}`);
      Deno.removeSync(this.#config);
    }
  }
}
