/**
 * /api/nodes/:node/{networks,volumes,runtimes}: list, create, remove, and runtime install with its progress
 * (SSE over POST). Bodies are checked with zod and the agent's own name rules before any call.
 */
import { Hono } from "hono";
import { Metadata } from "@grpc/grpc-js";
import { z } from "zod";
import {
  type InstallRuntimeProgress,
  InstallRuntimeRequest,
  type ListNetworksResponse,
  type ListRuntimesResponse,
  type ListVolumesResponse,
  type Network,
  NetworkServiceClient,
  type RemoveNetworkResponse,
  type RemoveRuntimeResponse,
  type RemoveVolumeResponse,
  RuntimeServiceClient,
  type Volume,
  VolumeServiceClient,
} from "../../../../proto/gen/joblet.ts";
import { checkNetworkName, parseCidr } from "../../../../agent/domain/network.ts";
import { checkVolumeName, parseVolumeSize, parseVolumeType } from "../../../../agent/domain/volume.ts";
import { runtimeName } from "../../../../agent/domain/runtime.ts";
import { type Connection, deadline, serviceClient, unary } from "../../../client.ts";
import { networkToJson } from "../../../commands/network.ts";
import { volumeToJson } from "../../../commands/volume.ts";
import { runtimeToJson } from "../../../commands/runtime.ts";
import { sseFromCall } from "../sse.ts";
import { type Deps, jsonBody, nodeOf } from "../deps.ts";

const NetworkBody = z.strictObject({ name: z.string(), cidr: z.string() });
const VolumeBody = z.strictObject({ name: z.string(), size: z.string(), type: z.string().optional() });

/** Install progress as the UI gets it (the fields of InstallRuntimeProgress, snake_case). */
export function progressToJson(p: InstallRuntimeProgress) {
  return {
    phase: p.phase,
    message: p.message,
    done: p.done,
    total: p.total,
    bytes: p.bytes,
    total_bytes: p.totalBytes,
  };
}

const networks = (conn: Connection) => serviceClient(conn, NetworkServiceClient);
const volumes = (conn: Connection) => serviceClient(conn, VolumeServiceClient);
const runtimes = (conn: Connection) => serviceClient(conn, RuntimeServiceClient);

export function resourceRoutes(deps: Deps): Hono {
  const app = new Hono();

  app.get("/networks", async (c) => {
    const { conn } = nodeOf(deps, c);
    const n = networks(conn);
    const res = await unary<ListNetworksResponse>(
      conn,
      (cb) => n.listNetworks({}, new Metadata(), deadline(), cb),
    );
    return c.json({ networks: res.networks.map(networkToJson) });
  });

  app.post("/networks", async (c) => {
    const { conn } = nodeOf(deps, c);
    const body = NetworkBody.parse(await jsonBody(c));
    checkNetworkName(body.name);
    parseCidr(body.cidr);
    const n = networks(conn);
    const net = await unary<Network>(conn, (cb) => n.createNetwork(body, new Metadata(), deadline(), cb));
    return c.json(networkToJson(net), 201);
  });

  app.delete("/networks/:name", async (c) => {
    const { conn } = nodeOf(deps, c);
    const n = networks(conn);
    const name = c.req.param("name");
    const res = await unary<RemoveNetworkResponse>(
      conn,
      (cb) => n.removeNetwork({ name }, new Metadata(), deadline(), cb),
    );
    return c.json({ removed: res.name });
  });

  app.get("/volumes", async (c) => {
    const { conn } = nodeOf(deps, c);
    const v = volumes(conn);
    const res = await unary<ListVolumesResponse>(
      conn,
      (cb) => v.listVolumes({}, new Metadata(), deadline(), cb),
    );
    return c.json({ volumes: res.volumes.map(volumeToJson) });
  });

  app.post("/volumes", async (c) => {
    const { conn } = nodeOf(deps, c);
    const body = VolumeBody.parse(await jsonBody(c));
    checkVolumeName(body.name);
    parseVolumeSize(body.size);
    const req = { name: body.name, size: body.size, type: parseVolumeType(body.type ?? "") };
    const v = volumes(conn);
    const vol = await unary<Volume>(conn, (cb) => v.createVolume(req, new Metadata(), deadline(), cb));
    return c.json(volumeToJson(vol), 201);
  });

  app.delete("/volumes/:name", async (c) => {
    const { conn } = nodeOf(deps, c);
    const name = c.req.param("name");
    checkVolumeName(name);
    const v = volumes(conn);
    const res = await unary<RemoveVolumeResponse>(
      conn,
      (cb) => v.removeVolume({ name }, new Metadata(), deadline(), cb),
    );
    return c.json({ removed: res.name });
  });

  app.get("/runtimes", async (c) => {
    const { conn } = nodeOf(deps, c);
    const r = runtimes(conn);
    const res = await unary<ListRuntimesResponse>(
      conn,
      (cb) => r.listRuntimes({}, new Metadata(), deadline(), cb),
    );
    return c.json({ runtimes: res.runtimes.map(runtimeToJson) });
  });

  app.post("/runtimes/:name/install", (c) => {
    const { conn } = nodeOf(deps, c);
    const name = c.req.param("name");
    runtimeName(name);
    const force = c.req.query("force") === "1" || c.req.query("force") === "true";
    const r = runtimes(conn);
    return sseFromCall<InstallRuntimeProgress>(c, {
      tracker: deps.streams,
      address: conn.address,
      log: deps.log,
      open: () => r.installRuntime(InstallRuntimeRequest.fromPartial({ name, force }), new Metadata()),
      async each(p, send) {
        await send("progress", progressToJson(p));
        if (p.runtime) await send("done", { runtime: runtimeToJson(p.runtime) });
      },
    });
  });

  app.delete("/runtimes/:name", async (c) => {
    const { conn } = nodeOf(deps, c);
    const name = c.req.param("name");
    runtimeName(name);
    const r = runtimes(conn);
    const res = await unary<RemoveRuntimeResponse>(
      conn,
      (cb) => r.removeRuntime({ name }, new Metadata(), deadline(), cb),
    );
    return c.json({ removed: res.name });
  });

  return app;
}
