/**
 * `rnx admin`: serves the web admin UI and its API (cli/admin/server) on this machine, talking to the config's
 * nodes with the config's certificates. Loopback only unless --bind says otherwise; then a token is required
 * (generated when not given). Runs until Ctrl-C (SIGINT) or SIGTERM. See docs/admin.md.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { type Context, globalsOf, loadFor } from "../context.ts";
import { UsageError } from "../errors.ts";
import { NodePool } from "../admin/server/nodes.ts";
import { isLoopback, randomToken } from "../admin/server/security.ts";
import { startAdmin } from "../admin/server/serve.ts";
import { ASSETS } from "../admin/assets.gen.ts";
import { action } from "./shared.ts";

export const DEFAULT_PORT = 5173;
export const MIN_TOKEN = 16;

export interface AdminOptions {
  port: number;
  bind: string;
  open?: boolean;
  token?: string;
}

/** The token to use: the given one (long enough), a new one beyond loopback, none on loopback. */
export function adminToken(bind: string, token: string | undefined): string | undefined {
  if (token !== undefined) {
    if (token.length < MIN_TOKEN || /\s/.test(token)) {
      throw new UsageError(`--token must be at least ${MIN_TOKEN} characters without spaces`);
    }
    return token;
  }
  return isLoopback(bind) ? undefined : randomToken();
}

/** The command that opens a URL in the desktop's browser, if this OS has one. */
export function openCommand(os: typeof Deno.build.os, url: string): string[] {
  if (os === "darwin") return ["open", url];
  if (os === "windows") return ["cmd", "/c", "start", "", url];
  return ["xdg-open", url];
}

function port(value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError("--port must be a number from 0 to 65535.");
  return n;
}

export function registerAdminCommand(program: Command, ctx: Context): void {
  program.command("admin").description(
    "Serve the web admin UI for the config's nodes on this machine (until Ctrl-C)",
  )
    .addOption(
      new Option("--port <port>", "port to listen on (0 = any free port)").default(DEFAULT_PORT).argParser(
        port,
      ),
    )
    .option("--bind <address>", "address to listen on; beyond loopback a token is required", "127.0.0.1")
    .option("--open", "open the UI in the desktop's browser")
    .option("--token <token>", `access token for a non-loopback --bind (at least ${MIN_TOKEN} characters)`)
    .addOption(new Option("--config <path>", "rnx config file").hideHelp())
    .addOption(new Option("--node <name>", "node from the config").hideHelp())
    .action(action(async (opts: AdminOptions, cmd: Command) => {
      const token = adminToken(opts.bind, opts.token);
      const { config } = await loadFor(ctx, globalsOf(cmd));
      const pool = new NodePool(config, ctx.connect);
      const admin = startAdmin({ pool, bind: opts.bind, port: opts.port, token, assets: ASSETS });
      const { io } = ctx;
      io.stdout.print(`rnx admin: serving ${admin.url}\n`);
      if (!isLoopback(opts.bind)) {
        io.stderr.print(
          `rnx admin: listening beyond loopback on ${opts.bind}; anyone with the URL above can act with this ` +
            `config's certificates, over plain HTTP\n`,
        );
      }
      io.stderr.print("rnx admin: press Ctrl-C to stop\n");
      if (opts.open) openBrowser(ctx, admin.url);
      const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
      const onSignal = () => void admin.stop();
      for (const s of signals) Deno.addSignalListener(s, onSignal);
      try {
        await admin.finished;
      } finally {
        for (const s of signals) Deno.removeSignalListener(s, onSignal);
        await admin.stop();
      }
      io.stderr.print("rnx admin: stopped\n");
    }));
}

function openBrowser(ctx: Context, url: string): void {
  const [cmd, ...args] = openCommand(Deno.build.os, url);
  try {
    const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "null" }).spawn();
    child.status.then((s) => {
      if (!s.success) ctx.io.stderr.print(`rnx admin: ${cmd} exited ${s.code}; open ${url} yourself\n`);
    });
  } catch (e) {
    ctx.io.stderr.print(`rnx admin: cannot run ${cmd} (${(e as Error).message}); open ${url} yourself\n`);
  }
}
