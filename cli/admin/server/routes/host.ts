/** /api/nodes/:node/host: the host summary (`rnx monitor status --json`), once or every `interval` seconds (SSE). */
import { Hono } from "hono";
import { z } from "zod";
import type { HostStatus } from "../../../../proto/gen/joblet.ts";
import { getHostStatus, MAX_COUNT, MAX_INTERVAL, monitorClient } from "../../../commands/monitor.ts";
import { hostToJson } from "../../../output/host_text.ts";
import { sseFromCall } from "../sse.ts";
import { type Deps, nodeOf } from "../deps.ts";

const between = (name: string, min: number, max: number) =>
  z.string().regex(/^\d{1,9}$/, `${name} must be a whole number`).transform(Number).refine(
    (n) => n >= min && n <= max,
    `${name} must be from ${min} to ${max}`,
  );

export const HostQuery = z.object({
  top: between("top", 1, MAX_COUNT).default(10),
  interval: between("interval", 1, MAX_INTERVAL).default(2),
});

export function hostRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/host", async (c) => {
    const { top } = HostQuery.parse(c.req.query());
    const { conn } = nodeOf(deps, c);
    return c.json(hostToJson(await getHostStatus(conn, top)));
  });

  app.get("/host/stream", (c) => {
    const { top, interval } = HostQuery.parse(c.req.query());
    const { conn } = nodeOf(deps, c);
    return sseFromCall<HostStatus>(c, {
      tracker: deps.streams,
      address: conn.address,
      log: deps.log,
      open: () => monitorClient(conn).watchHostStatus({ intervalSeconds: interval, top }),
      each: (h, send) => send("host", hostToJson(h)),
    });
  });

  return app;
}
