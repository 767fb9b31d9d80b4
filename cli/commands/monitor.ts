/**
 * `rnx monitor …`: the agent's host — status (one summary), top (busiest processes, with the job each belongs
 * to) and watch (a summary every interval: redrawn in place on a terminal, one block or one JSON line per
 * interval otherwise). Calls MonitorService.
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { Metadata } from "@grpc/grpc-js";
import { type HostStatus, MonitorServiceClient } from "../../proto/gen/joblet.ts";
import { type Connection, deadline, serviceClient, unary } from "../client.ts";
import { type Context, globalsOf, withConnection } from "../context.ts";
import { isServiceError, rpcError } from "../errors.ts";
import { toJsonText } from "../output/json.ts";
import { localTime } from "../output/format.ts";
import { hostSummary, hostToJson, topText, topToJson } from "../output/host_text.ts";
import { action, leaf } from "./shared.ts";

/** Processes shown in `status` and `watch`. */
const SUMMARY_TOP = 5;
export const MAX_COUNT = 1000;
export const MAX_INTERVAL = 3600;
/** ANSI: cursor home, clear screen. */
const CLEAR = "\x1b[H\x1b[2J";

/**
 * The MonitorService client on the connection's channel. A Connection may carry one already (tests, or once
 * client.ts adds it); otherwise one is made over the JobService channel, which already holds the mTLS
 * credentials (with channelOverride grpc-js ignores the credentials given here).
 */
export function monitorClient(conn: Connection): MonitorServiceClient {
  const c = conn as Connection & { monitor?: MonitorServiceClient };
  c.monitor ??= serviceClient(conn, MonitorServiceClient);
  return c.monitor;
}

export function getHostStatus(conn: Connection, top: number): Promise<HostStatus> {
  return unary<HostStatus>(
    conn,
    (cb) => monitorClient(conn).getHostStatus({ top }, new Metadata(), deadline(), cb),
  );
}

export function registerMonitorCommands(program: Command, ctx: Context): void {
  const monitor = program.command("monitor").description(
    "Show the agent's host: CPU, memory, disks, network, processes",
  )
    .enablePositionalOptions();
  const { io } = ctx;

  leaf(
    monitor.command("status").description("Host summary: CPU per core, load, memory, disks, network, jobs"),
  )
    .action(action(async (_opts: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const h = await withConnection(ctx, g, (conn) => getHostStatus(conn, SUMMARY_TOP));
      io.stdout.print(g.json ? toJsonText(hostToJson(h)) : hostSummary(h, SUMMARY_TOP));
    }));

  leaf(
    monitor.command("top").description("The busiest processes by CPU and by memory, with their job")
      .addOption(
        new Option("-n, --count <n>", `processes per list (1-${MAX_COUNT})`).default(10)
          .argParser(intIn("--count", 1, MAX_COUNT)),
      ),
  ).action(action(async (opts: { count: number }, cmd: Command) => {
    const g = globalsOf(cmd);
    const h = await withConnection(ctx, g, (conn) => getHostStatus(conn, opts.count));
    io.stdout.print(g.json ? toJsonText(topToJson(h, opts.count)) : topText(h, opts.count));
  }));

  leaf(
    monitor.command("watch").description("Host summary every interval until interrupted (Ctrl-C)")
      .addOption(
        new Option("--interval <seconds>", `seconds between updates (1-${MAX_INTERVAL})`).default(5)
          .argParser(intIn("--interval", 1, MAX_INTERVAL)),
      ),
  ).action(action(async (opts: { interval: number }, cmd: Command) => {
    const g = globalsOf(cmd);
    await withConnection(ctx, g, (conn) => watchHost(ctx, conn, opts.interval, g.json ?? false));
  }));
}

async function watchHost(ctx: Context, conn: Connection, interval: number, json: boolean): Promise<void> {
  const { stdout } = ctx.io;
  const call = monitorClient(conn).watchHostStatus({ intervalSeconds: interval, top: SUMMARY_TOP });
  try {
    for await (const h of call as AsyncIterable<HostStatus>) {
      if (json) {
        stdout.print(JSON.stringify(hostToJson(h)) + "\n");
      } else if (stdout.isTerminal) {
        const title = `Every ${interval}s: ${conn.nodeName} (${conn.address}) at ${localTime(h.timeUnixMs)}`;
        stdout.print(`${CLEAR}${title}   Ctrl-C to stop\n\n${hostSummary(h, SUMMARY_TOP)}`);
      } else {
        stdout.print(`=== ${localTime(h.timeUnixMs)}\n${hostSummary(h, SUMMARY_TOP)}\n`);
      }
    }
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) {
      call.on("error", () => {}); // the CANCELLED status that follows is expected
      call.cancel();
      return;
    }
    if (isServiceError(err)) throw rpcError(err, conn.address);
    throw err;
  }
}

function intIn(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max)) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}
