/**
 * What every command gets: the process's streams and environment, how to read the config and how to open a
 * connection. main.ts passes the real ones; tests pass fakes, so no test needs a network.
 */
import type { Command } from "commander";
import type { RnxNode } from "../agent/domain/rnx_config.ts";
import type { Io } from "./io.ts";
import { type DiscoveryInput, type LoadedConfig, pickNode } from "./config.ts";
import type { Connection } from "./client.ts";

export interface Context {
  io: Io;
  loadConfig(input: DiscoveryInput): Promise<LoadedConfig>;
  connect(nodeName: string, node: RnxNode): Connection;
  /** The process exit code once the command returns (commands that exit non-zero without an error set it). */
  exitCode: number;
}

/** Options accepted before the subcommand and again on each leaf command. */
export interface GlobalOptions {
  config?: string;
  node?: string;
  json?: boolean;
}

/** The global options in effect for `cmd`: a value given on the leaf wins over one given before it. */
export function globalsOf(cmd: Command): GlobalOptions {
  const out: GlobalOptions = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    const o = c.opts() as GlobalOptions;
    out.config ??= o.config;
    out.node ??= o.node;
    out.json ??= o.json;
  }
  return out;
}

export function loadFor(ctx: Context, globals: GlobalOptions): Promise<LoadedConfig> {
  return ctx.loadConfig({ flag: globals.config, env: ctx.io.env, cwd: ctx.io.cwd() });
}

/** Opens a connection to the chosen node, runs `fn`, and always closes the connection. */
export async function withConnection<T>(
  ctx: Context,
  globals: GlobalOptions,
  fn: (conn: Connection) => Promise<T>,
): Promise<T> {
  const { config } = await loadFor(ctx, globals);
  const { name, node } = pickNode(config, globals.node);
  const conn = ctx.connect(name, node);
  try {
    return await fn(conn);
  } finally {
    conn.close();
  }
}
