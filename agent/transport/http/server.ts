/**
 * The Prometheus endpoint: a hono app serving `GET /metrics`, `GET /healthz` (200 "ok" while the agent serves, 503
 * while it shuts down; for probes that speak HTTP only) and `/` pointing there, and the function that serves it
 * with Deno.serve. Off unless the config names an address; plain HTTP, so keep it on loopback or a
 * trusted network.
 */
import { Hono } from "hono";
import type { HostSampler, HostStatus } from "../../domain/host.ts";
import type { JobMetricsView } from "../../domain/metrics.ts";
import { formatHostPort, parseHostPort } from "../../config/listen.ts";
import { CONTENT_TYPE } from "./exposition.ts";
import { type BuildInfo, renderMetrics } from "./metrics.ts";

export interface MetricsDeps {
  /** A sampler of its own (HostMonitor.sampler()), so scrapes do not move other watchers' baselines. */
  host: HostSampler;
  jobs: JobMetricsView;
  info: BuildInfo;
  log: (msg: string) => void;
  /** False once the agent stops serving (shutdown); /healthz answers 503 then. Default: always true. */
  healthy?: () => boolean;
}

export function prometheusApp(deps: MetricsDeps): Hono {
  const app = new Hono();
  let warned = false;
  app.get("/metrics", async (c) => {
    let host: HostStatus | undefined;
    try {
      host = await deps.host.sample(0);
      warned = false;
    } catch (err) {
      // Job metrics are still worth serving; say once (until it works again) why host metrics are missing.
      if (!warned) deps.log(`metrics: cannot read host status, serving job metrics only: ${String(err)}`);
      warned = true;
    }
    return c.body(renderMetrics(host, deps.jobs, deps.info), 200, { "Content-Type": CONTENT_TYPE });
  });
  app.get("/healthz", (c) => {
    const ok = deps.healthy?.() ?? true;
    return c.text(ok ? "ok\n" : "not serving\n", ok ? 200 : 503, { "Cache-Control": "no-store" });
  });
  app.get("/", (c) => c.text("joblet metrics: see /metrics (health: /healthz)\n"));
  return app;
}

export interface MetricsServer {
  /** HOST:PORT actually bound (port 0 in the config picks a free one). */
  address: string;
  shutdown(): Promise<void>;
}

/** Serves the app on `listen` (HOST:PORT, e.g. "127.0.0.1:9464"). */
export function startMetricsServer(listen: string, deps: MetricsDeps): Promise<MetricsServer> {
  const { host, port } = parseHostPort(listen);
  const app = prometheusApp(deps);
  return new Promise((resolve, reject) => {
    try {
      const server = Deno.serve({
        hostname: host,
        port,
        onListen: (addr) => {
          resolve({
            address: formatHostPort({ host, port: addr.port }),
            shutdown: () => server.shutdown(),
          });
        },
        onError: (err) => {
          deps.log(`metrics: ${String(err)}`);
          return new Response("internal error\n", { status: 500 });
        },
      }, app.fetch);
    } catch (err) {
      reject(err);
    }
  });
}
