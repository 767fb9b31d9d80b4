/**
 * `joblet serve --detach`: starts the agent in the background, waits until it serves, and returns — so a new user
 * can start it and run a first job in one line. Output goes to <state dir>/joblet.log.
 */
import { join } from "node:path";
import type { ServeFlags } from "./serve.ts";
import { resolveConfig } from "./serve.ts";
import { runningAgentPid } from "./pidfile.ts";

export async function detach(serveArgs: string[], flags: ServeFlags): Promise<number> {
  const config = resolveConfig(flags);
  Deno.mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const existing = runningAgentPid(config.stateDir);
  if (existing) {
    console.log(`joblet is already running (pid ${existing}, state ${config.stateDir})`);
    return 0;
  }
  const logPath = join(config.stateDir, "joblet.log");
  let start = 0;
  try {
    start = Deno.statSync(logPath).size;
  } catch { /* first start */ }
  const program = selfCommand(["serve", ...serveArgs]);
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", 'exec "$@" </dev/null >>"$JOBLET_LOG" 2>&1', "joblet", ...program],
    env: { JOBLET_LOG: logPath },
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  child.unref();
  const deadline = Date.now() + 60_000;
  let exited: Deno.CommandStatus | undefined;
  child.status.then((s) => exited = s);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const text = readFrom(logPath, start);
    const m = text.match(/listening on (\S+)/);
    if (m) {
      const rnx = text.match(/rnx config: ([^"\s]+)/)?.[1];
      console.log(`joblet started in the background (pid ${child.pid}), listening on ${m[1]}`);
      console.log(`  state: ${config.stateDir}\n  log:   ${logPath}${rnx ? `\n  rnx config: ${rnx}` : ""}`);
      return 0;
    }
    if (exited) {
      console.error(`joblet: the agent exited (code ${exited.code}) before serving:\n${text}`);
      return 1;
    }
  }
  console.error(`joblet: the agent did not start within 60 s; see ${logPath}`);
  return 1;
}

function readFrom(path: string, offset: number): string {
  try {
    return new TextDecoder().decode(Deno.readFileSync(path).subarray(offset));
  } catch {
    return "";
  }
}

/** How to start this same program again: the compiled binary, or `deno run` of this source/bundle. */
export function selfCommand(args: string[]): string[] {
  const exe = Deno.execPath();
  if (/(^|\/)deno$/.test(exe)) {
    const main = new URL(Deno.mainModule).pathname;
    // A bundle (dist/joblet.js) needs no config and must not pick up a deno.json from the working directory.
    const bundle = main.endsWith(".js") ? ["--no-config"] : [];
    return [exe, "run", "-A", "--no-prompt", ...bundle, main, ...args];
  }
  return [exe, ...args];
}
