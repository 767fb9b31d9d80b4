/** `rnx version`: this client's version, and the agent's (SystemService.GetVersion). */
import type { Command } from "commander";
import { type Context, globalsOf, withConnection } from "../context.ts";
import { getVersion } from "../api.ts";
import { toJsonText, versionToJson } from "../output/json.ts";
import { renderPairs } from "../output/table.ts";
import { errorMessage, UsageError } from "../errors.ts";
import { action, leaf } from "./shared.ts";

export const RNX_VERSION = "0.1.0";

export function registerVersionCommand(program: Command, ctx: Context): void {
  leaf(program.command("version").description("Show the client and agent versions"))
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const client = { version: RNX_VERSION, runtime: `deno ${Deno.version.deno}` };
      const { io } = ctx;
      if (!g.json) io.stdout.print(renderPairs([["Client", `rnx ${client.version} (${client.runtime})`]]));
      try {
        const v = await withConnection(ctx, g, (conn) => getVersion(conn));
        if (g.json) {
          io.stdout.print(toJsonText({ client, server: versionToJson(v) }));
          return;
        }
        io.stdout.print(renderPairs([
          ["Server", `joblet ${v.version} (api ${v.apiVersion || "?"}, ${v.runtime || "?"})`],
          ["Host", `${v.hostname} (${v.os}${v.cgroupVersion ? `, cgroup ${v.cgroupVersion}` : ""})`],
          ["Caller", `${v.callerName}${v.callerRole ? ` (${v.callerRole})` : ""}`],
        ]));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        // The client half is still useful; print it as JSON too, then fail.
        if (g.json) io.stdout.print(toJsonText({ client, server: null }));
        io.stderr.print(`rnx: ${errorMessage(err)}\n`);
        ctx.exitCode = 1;
      }
    }));
}
