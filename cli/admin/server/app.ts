/**
 * The rnx admin HTTP app: security checks (security.ts), the JSON + SSE API over the nodes' gRPC channels
 * (routes/), and the embedded UI (static.ts). `createAdminApp` builds it without listening, so tests drive it
 * with `app.request`; cli/commands/admin.ts serves it with Deno.serve. The API is documented in docs/admin.md.
 */
import { Hono } from "hono";
import { RNX_VERSION } from "../../commands/version.ts";
import { AdminHttpError, toHttpError } from "./errors.ts";
import { randomToken, securityMiddleware } from "./security.ts";
import type { NodePool } from "./nodes.ts";
import { StreamTracker } from "./sse.ts";
import type { Deps } from "./deps.ts";
import { allJobsRoutes, nodeJobRoutes } from "./routes/jobs.ts";
import { workflowRoutes } from "./routes/workflows.ts";
import { hostRoutes } from "./routes/host.ts";
import { resourceRoutes } from "./routes/resources.ts";
import { type Asset, SECURITY_HEADERS, staticRoutes } from "./static.ts";

export interface AdminAppOptions {
  pool: NodePool;
  /** Address bound to; beyond loopback a token is required. */
  bind: string;
  token?: string;
  /** Default: random per app. */
  csrf?: string;
  assets: Record<string, Asset>;
  now?: () => number;
  log?: (err: unknown) => void;
}

export interface AdminApp {
  app: Hono;
  csrf: string;
  /** Open agent streams behind SSE responses. */
  streams: StreamTracker;
}

export function createAdminApp(opts: AdminAppOptions): AdminApp {
  const csrf = opts.csrf ?? randomToken();
  const deps: Deps = {
    pool: opts.pool,
    streams: new StreamTracker(),
    now: opts.now ?? Date.now,
    log: opts.log ?? ((e) => console.error("rnx admin:", e)),
  };
  const app = new Hono();
  app.use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(k)) c.header(k, v);
  });
  app.use("*", securityMiddleware({ bind: opts.bind, token: opts.token, csrf }));

  app.get("/api/session", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ nodes: deps.pool.info(), csrf, version: RNX_VERSION });
  });
  app.route("/api", allJobsRoutes(deps));
  for (const routes of [nodeJobRoutes, workflowRoutes, hostRoutes, resourceRoutes]) {
    app.route("/api/nodes/:node", routes(deps));
  }
  app.all("/api/*", (c) => {
    throw new AdminHttpError(
      404,
      "NotFound",
      `no API endpoint ${c.req.method} ${c.req.path} (see docs/admin.md)`,
    );
  });
  app.route("/", staticRoutes(opts.assets));

  app.onError((err, c) => {
    const { status, body } = toHttpError(err, deps.log);
    return c.json(body, status as 400);
  });
  return { app, csrf, streams: deps.streams };
}
