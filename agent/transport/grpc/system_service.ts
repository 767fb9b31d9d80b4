/** SystemService RPCs. */
import type * as pb from "../../../proto/gen/joblet.ts";
import { type Log, unary } from "./calls.ts";

export interface AgentInfo {
  version: string;
  apiVersion: string;
  cgroupVersion: string;
}

export function systemServiceHandlers(info: AgentInfo, log: Log): pb.SystemServiceServer {
  return {
    getVersion: unary<pb.GetVersionRequest, pb.VersionInfo>("GetVersion", "read", log, (_req, ctx) => ({
      version: info.version,
      apiVersion: info.apiVersion,
      runtime: `deno ${Deno.version.deno}`,
      hostname: Deno.hostname(),
      os: `${Deno.build.os}/${Deno.build.arch}`,
      cgroupVersion: info.cgroupVersion,
      callerName: ctx.caller.name,
      callerRole: ctx.caller.role,
    })),
  };
}
