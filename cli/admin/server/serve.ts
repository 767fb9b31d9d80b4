/**
 * Serving the admin app: Deno.serve on the chosen address, the URL to print (with `?token=` beyond loopback),
 * and a clean stop: open agent streams are cancelled, the server drains, the gRPC channels close.
 */
import { JobletError } from "../../../agent/domain/errors.ts";
import { createAdminApp } from "./app.ts";
import type { NodePool } from "./nodes.ts";
import { isLoopback, isWildcard } from "./security.ts";
import type { Asset } from "./static.ts";

export interface ServeOptions {
  pool: NodePool;
  bind: string;
  port: number;
  token?: string;
  assets: Record<string, Asset>;
  /** The host name to print for a wildcard bind (default: this machine's). */
  hostname?: string;
}

export interface RunningAdmin {
  url: string;
  port: number;
  /** Stops serving; resolves when done. */
  stop(): Promise<void>;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
}

/** How the printed URL names the host. */
export function urlHost(bind: string, hostname: string): string {
  if (isWildcard(bind)) return hostname;
  return bind.includes(":") && !bind.startsWith("[") ? `[${bind}]` : bind;
}

export function startAdmin(opts: ServeOptions): RunningAdmin {
  if (!isLoopback(opts.bind) && !opts.token) {
    throw new JobletError("InvalidArgument", `--bind ${opts.bind} is not loopback: it needs --token`);
  }
  const admin = createAdminApp({ pool: opts.pool, bind: opts.bind, token: opts.token, assets: opts.assets });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve(
      { hostname: opts.bind.replace(/^\[|\]$/g, ""), port: opts.port, onListen: () => {} },
      admin.app.fetch,
    );
  } catch (e) {
    if (e instanceof Deno.errors.AddrInUse) {
      throw new JobletError(
        "Unavailable",
        `port ${opts.port} on ${opts.bind} is in use (choose another with --port, or --port 0 for a free one)`,
      );
    }
    if (e instanceof Deno.errors.AddrNotAvailable) {
      throw new JobletError("InvalidArgument", `--bind ${opts.bind} is not an address of this machine`);
    }
    throw e;
  }
  const port = server.addr.port;
  const host = urlHost(opts.bind, opts.hostname ?? Deno.hostname());
  const url = `http://${host}:${port}/` + (opts.token ? `?token=${encodeURIComponent(opts.token)}` : "");
  let stopping: Promise<void> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      admin.streams.cancelAll();
      await server.shutdown();
      opts.pool.close();
    })();
  return { url, port, stop, finished: server.finished };
}
