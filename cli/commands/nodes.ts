/** `rnx nodes`: the nodes in the config, which one is used by default; no network. */
import type { Command } from "commander";
import { type Context, globalsOf, loadFor } from "../context.ts";
import { pickNode } from "../config.ts";
import { renderTable } from "../output/table.ts";
import { toJsonText } from "../output/json.ts";
import { action, leaf } from "./shared.ts";

export function registerNodesCommand(program: Command, ctx: Context): void {
  leaf(program.command("nodes").description("List the nodes in the rnx config ('*' marks the default)"))
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const { config, path } = await loadFor(ctx, g);
      const chosen = pickNode(config, g.node).name;
      const nodes = Object.entries(config.nodes).map(([name, n]) => ({
        name,
        address: n.address,
        server_name: n.server_name ?? null,
        default: name === chosen,
      }));
      if (g.json) {
        ctx.io.stdout.print(toJsonText({ config: path, nodes }));
        return;
      }
      const rows = nodes.map((n) => [n.name, n.address, n.default ? "*" : ""]);
      ctx.io.stdout.print(renderTable(["NAME", "ADDRESS", "DEFAULT"], rows));
    }));
}
