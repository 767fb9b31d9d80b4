/**
 * `rnx network create|list|remove`: custom bridge networks for jobs (`rnx job run --network=NAME`). Names and
 * CIDRs are checked here with the agent's own rules (usage errors exit 2 before any connection is made); the
 * agent alone knows about overlaps.
 */
import type { Command } from "commander";
import { Metadata } from "@grpc/grpc-js";
import {
  type ListNetworksResponse,
  type Network,
  NetworkServiceClient,
  type RemoveNetworkResponse,
} from "../../proto/gen/joblet.ts";
import { checkNetworkName, parseCidr } from "../../agent/domain/network.ts";
import { JobletError } from "../../agent/domain/errors.ts";
import { type Context, globalsOf, withConnection } from "../context.ts";
import { type Connection, deadline, serviceClient, unary } from "../client.ts";
import { UsageError } from "../errors.ts";
import { renderTable } from "../output/table.ts";
import { toJsonText } from "../output/json.ts";
import { action, leaf } from "./shared.ts";

function networksOf(conn: Connection): NetworkServiceClient {
  return serviceClient(conn, NetworkServiceClient);
}

export function networkToJson(n: Network) {
  return { name: n.name, cidr: n.cidr || null, bridge: n.bridge || null, builtin: n.builtin, jobs: n.jobIds };
}

export function networkTable(list: Network[]): string {
  const rows = list.map((n) => [
    n.builtin ? `${n.name}*` : n.name,
    n.cidr || "-",
    n.bridge || "-",
    String(n.jobIds.length),
  ]);
  return renderTable(["NAME", "CIDR", "BRIDGE", "JOBS"], rows) + "* built in\n";
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof JobletError) throw new UsageError(e.message);
    throw e;
  }
}

export function registerNetworkCommands(program: Command, ctx: Context): void {
  const network = program.command("network").description("Create, list and remove networks for jobs")
    .enablePositionalOptions();
  const { io } = ctx;

  leaf(
    network.command("create").description("Create a network (use it with: rnx job run --network=NAME)")
      .argument("<name>", "1-32 letters, digits, '-' or '_'")
      .requiredOption("--cidr <cidr>", "its addresses, e.g. 10.10.0.0/24 (/8 to /30)"),
  ).action(action(async (name: string, opts: { cidr: string }, cmd: Command) => {
    usage(() => {
      checkNetworkName(name);
      parseCidr(opts.cidr);
    });
    const g = globalsOf(cmd);
    const n = await withConnection(ctx, g, (conn) => {
      const c = networksOf(conn);
      return unary<Network>(
        conn,
        (cb) => c.createNetwork({ name, cidr: opts.cidr }, new Metadata(), deadline(), cb),
      );
    });
    io.stdout.print(g.json ? toJsonText(networkToJson(n)) : `Network created: ${n.name} (${n.cidr})\n`);
  }));

  leaf(network.command("list").description("List networks: CIDR, bridge and how many jobs use them"))
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const res = await withConnection(ctx, g, (conn) => {
        const c = networksOf(conn);
        return unary<ListNetworksResponse>(conn, (cb) => c.listNetworks({}, new Metadata(), deadline(), cb));
      });
      io.stdout.print(g.json ? toJsonText(res.networks.map(networkToJson)) : networkTable(res.networks));
    }));

  leaf(
    network.command("remove").alias("rm").description("Remove a custom network (refused while jobs use it)")
      .argument("<name>", "the network"),
  ).action(action(async (name: string, _opts: unknown, cmd: Command) => {
    const g = globalsOf(cmd);
    const res = await withConnection(ctx, g, (conn) => {
      const c = networksOf(conn);
      return unary<RemoveNetworkResponse>(
        conn,
        (cb) => c.removeNetwork({ name }, new Metadata(), deadline(), cb),
      );
    });
    io.stdout.print(g.json ? toJsonText({ removed: res.name }) : `Network removed: ${res.name}\n`);
  }));
}
