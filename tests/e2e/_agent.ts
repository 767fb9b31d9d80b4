/**
 * Starts a real joblet agent (from source) on a free port with a temporary state dir, and runs rnx against it as
 * a user would: as a subprocess, with the rnx config the agent wrote.
 */
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
export const AGENT_MAIN = join(ROOT, "agent/main.ts");
export const RNX_MAIN = join(ROOT, "cli/main.ts");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TestAgent {
  readonly stateDir: string;
  readonly rnxConfig: string;
  #child: Deno.ChildProcess | undefined;
  #output = "";
  port = 0;

  readonly #wrap: string[];

  private constructor(stateDir: string, wrap: string[]) {
    this.stateDir = stateDir;
    this.rnxConfig = join(stateDir, "rnx-config.yml");
    this.#wrap = wrap;
  }

  /**
   * Starts an agent and waits until it serves. `wrap` runs it under another command (e.g. `unshare -m …`),
   * which must end by exec'ing its arguments.
   */
  static async start(
    opts: { stateDir?: string; extraArgs?: string[]; wrap?: string[] } = {},
  ): Promise<TestAgent> {
    const agent = new TestAgent(
      opts.stateDir ?? Deno.makeTempDirSync({ prefix: "joblet-e2e-" }),
      opts.wrap ?? [],
    );
    await agent.#spawn(opts.extraArgs ?? []);
    return agent;
  }

  async #spawn(extraArgs: string[], port = this.port): Promise<void> {
    if (!extraArgs.includes("--config")) {
      // Test agents run side by side on one host: loopback-only jobs unless a test asks for a network, so
      // that only tests about networks make bridges (docs/adr/0008-networks.md, "Several agents on one host").
      const config = join(this.stateDir, "test-agent.yml");
      Deno.mkdirSync(this.stateDir, { recursive: true });
      Deno.writeTextFileSync(config, "network:\n  default: none\n");
      extraArgs = ["--config", config, ...extraArgs];
    }
    const [program, ...prefix] = this.#wrap.length ? [...this.#wrap, Deno.execPath()] : [Deno.execPath()];
    const child = new Deno.Command(program, {
      args: [
        ...prefix,
        "run",
        "-A",
        AGENT_MAIN,
        "serve",
        "--state-dir",
        this.stateDir,
        "--listen",
        `127.0.0.1:${port}`,
        "--rnx-config",
        this.rnxConfig,
        ...extraArgs,
      ],
      stdout: "piped",
      stderr: "piped",
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    this.#child = child;
    const ready = /listening on \S+:(\d+)/;
    const decoder = new TextDecoder();
    const pump = async (s: ReadableStream<Uint8Array>, onText: (t: string) => void) => {
      for await (const chunk of s) onText(decoder.decode(chunk, { stream: true }));
    };
    let resolveReady!: (port: number) => void;
    const readyP = new Promise<number>((r) => resolveReady = r);
    // Only this process's output counts: after a restart the earlier "listening on" line is still there.
    const from = this.#output.length;
    const onText = (t: string) => {
      this.#output += t;
      const m = this.#output.slice(from).match(ready);
      if (m) resolveReady(Number(m[1]));
    };
    void pump(child.stdout, onText).catch(() => {});
    void pump(child.stderr, onText).catch(() => {});
    const exited = child.status.then((s) => {
      throw new Error(`agent exited (${s.code}) before serving:\n${this.#output}`);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`agent did not start in 60 s:\n${this.#output}`)), 60_000);
    });
    try {
      this.port = await Promise.race([readyP, exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
    exited.catch(() => {});
  }

  get output(): string {
    return this.#output;
  }

  get pid(): number {
    return this.#child?.pid ?? 0;
  }

  /** Runs rnx with this agent's config. */
  async rnx(
    args: string[],
    opts: { stdin?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<RunResult> {
    // A hung rnx must fail its test, not the whole run: kill it after the timeout (default 5 min).
    const signal = AbortSignal.timeout(opts.timeoutMs ?? 300_000);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", RNX_MAIN, ...args],
      env: { RNX_CONFIG: this.rnxConfig, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...opts.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).output();
    const d = new TextDecoder();
    if (signal.aborted) throw new Error(`rnx ${args.join(" ")} did not finish in time and was killed`);
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  }

  /** rnx with --json, parsed; fails the test on a non-zero exit. */
  async rnxJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
    const r = await this.rnx([...args, "--json"]);
    if (r.code !== 0) throw new Error(`rnx ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** `rnx job run --json FLAGS… COMMAND ARGS…`; returns the job as JSON. */
  async runJob(flagsAndCommand: string[]): Promise<Record<string, unknown> & { id: string }> {
    const r = await this.rnx(["job", "run", "--json", ...flagsAndCommand]);
    if (r.code !== 0) throw new Error(`rnx job run exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  /** Runs a job to its end; returns its final status and its log (stdout and stderr apart). */
  async runToEnd(
    flagsAndCommand: string[],
  ): Promise<{ job: Record<string, unknown>; stdout: string; stderr: string }> {
    const { id } = await this.runJob(flagsAndCommand);
    const job = await this.waitFinished(id);
    const log = await this.rnx(["job", "log", id]);
    return { job, stdout: log.stdout, stderr: log.stderr };
  }

  /** Polls `rnx job status` until the job has finished. */
  async waitFinished(id: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const job = await this.rnxJson(["job", "status", id]);
      if (["COMPLETED", "FAILED", "STOPPED", "TIMEOUT"].includes(String(job.status))) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not finish in ${timeoutMs} ms`);
  }

  /** kill -9 of the agent, as a crash would. */
  async crash(): Promise<void> {
    this.#child?.kill("SIGKILL");
    await this.#child?.status;
    this.#child = undefined;
  }

  async restart(): Promise<void> {
    await this.#spawn([], this.port);
  }

  async stop(opts: { keepState?: boolean } = {}): Promise<void> {
    if (this.#child) {
      this.#child.kill("SIGTERM");
      await this.#child.status;
      this.#child = undefined;
    }
    if (!opts.keepState) Deno.removeSync(this.stateDir, { recursive: true });
  }
}
