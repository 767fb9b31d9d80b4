/**
 * Runs rnx as a user would — a fresh `deno run -A cli/main.ts` process with the agent's rnx config — and times
 * it from spawn to exit. Output goes to /dev/null (or is kept, for --json), never through the bench's memory
 * unless asked for.
 */
import { RNX_MAIN, type TestAgent } from "../e2e/_agent.ts";

export interface RnxRun {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

export async function timeRnx(
  agent: TestAgent,
  args: string[],
  opts: { keepStdout?: boolean } = {},
): Promise<RnxRun> {
  const t0 = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RNX_MAIN, ...args],
    env: { RNX_CONFIG: agent.rnxConfig, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: "null",
    stdout: opts.keepStdout ? "piped" : "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const d = new TextDecoder();
  return {
    ms,
    code: out.code,
    stdout: opts.keepStdout ? d.decode(out.stdout) : "",
    stderr: d.decode(out.stderr),
  };
}

/** Like timeRnx, but throws (with rnx's stderr) unless rnx exits 0. */
export async function rnxOk(agent: TestAgent, args: string[], opts: { keepStdout?: boolean } = {}) {
  const r = await timeRnx(agent, args, opts);
  if (r.code !== 0) throw new Error(`rnx ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r;
}
