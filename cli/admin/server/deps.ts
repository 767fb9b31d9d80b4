/** What every route needs: the nodes, the open-stream count, the clock and where unexpected errors go. */
import type { Context } from "hono";
import { JobletError } from "../../../agent/domain/errors.ts";
import type { Connection } from "../../client.ts";
import type { NodePool } from "./nodes.ts";
import type { StreamTracker } from "./sse.ts";

export interface Deps {
  pool: NodePool;
  streams: StreamTracker;
  now(): number;
  log(err: unknown): void;
}

/** The connection of the request's `:node`; NotFound (404) for a node not in the config. */
export function nodeOf(deps: Deps, c: Context): { name: string; conn: Connection } {
  const name = c.req.param("node") ?? "";
  return { name, conn: deps.pool.get(name) };
}

/** The request's JSON body; InvalidArgument when it is not JSON. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new JobletError(
      "InvalidArgument",
      "the request body must be JSON (Content-Type: application/json)",
    );
  }
}

/** The request's multipart form; InvalidArgument when it is not one. */
export async function formBody(c: Context): Promise<FormData> {
  try {
    return await c.req.raw.formData();
  } catch {
    throw new JobletError("InvalidArgument", "the request body must be multipart/form-data");
  }
}
