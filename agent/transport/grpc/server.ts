/**
 * The gRPC server: mutual TLS with client certificates required, every service registered, the standard health
 * service beside them, and every denied call (PermissionDenied / Unauthenticated) written to the agent's log with
 * who asked for what.
 */
import {
  Server,
  type Server as GrpcServer,
  ServerCredentials,
  type ServiceDefinition,
  status as grpcStatus,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobService } from "../../core/job_service.ts";
import type { Log } from "./calls.ts";
import { jobServiceHandlers } from "./job_service.ts";
import { type AgentInfo, systemServiceHandlers } from "./system_service.ts";
import { monitorServiceHandlers } from "./monitor_service.ts";
import type { HostMonitor } from "../../domain/host.ts";
import type { Logger } from "../../logging/logger.ts";
import { healthHandlers, HealthService, HealthState } from "./health.ts";
import type { VolumeService } from "../../core/volume_service.ts";
import { volumeServiceHandlers } from "./volume_service.ts";
import type { NetworkService } from "../../core/network_service.ts";
import { networkServiceHandlers } from "./network_service.ts";
import type { RuntimeService } from "../../core/runtime_service.ts";
import { runtimeServiceHandlers } from "./runtime_service.ts";

export interface TlsMaterial {
  caCert: string;
  serverCert: string;
  serverKey: string;
}

export interface GrpcServerDeps {
  jobs: JobService;
  host: HostMonitor;
  info: AgentInfo;
  log: Log;
  /** Where denied calls are logged (warn, with who and what); without it they go to `log`. */
  logger?: Logger;
  /** The health service's state; made here (all SERVING) when not given. */
  health?: HealthState;
  /** Volumes (VolumeService is served only when given). */
  volumes?: VolumeService;
  /** Networks (NetworkService is served only when given). */
  networks?: NetworkService;
  /** Runtimes (RuntimeService is served only when given). */
  runtimes?: RuntimeService;
}

/** The fully qualified names of the API services, as the health service reports them. */
export const API_SERVICES = ["joblet.v1.JobService", "joblet.v1.SystemService", "joblet.v1.MonitorService"];
API_SERVICES.push("joblet.v1.VolumeService");
API_SERVICES.push("joblet.v1.NetworkService");
API_SERVICES.push("joblet.v1.RuntimeService");

/** Starts serving on `listen` (HOST:PORT); resolves with the bound port. */
export async function startGrpcServer(
  listen: string,
  tls: TlsMaterial,
  deps: GrpcServerDeps,
): Promise<{ server: Server; port: number }> {
  const server = new Server({
    "grpc.max_receive_message_length": 16 * 1024 * 1024,
    "grpc.keepalive_permit_without_calls": 1,
  });
  const denied = deniedLogger(deps);
  const add = (def: ServiceDefinition, impl: object) =>
    server.addService(def, auditDenied(def, impl as UntypedServiceImplementation, denied));
  add(pb.JobServiceService, jobServiceHandlers(deps.jobs, deps.log));
  add(pb.SystemServiceService, systemServiceHandlers(deps.info, deps.log));
  add(pb.MonitorServiceService, monitorServiceHandlers(deps.host, deps.jobs, deps.info, deps.log));
  if (deps.volumes) add(pb.VolumeServiceService, volumeServiceHandlers(deps.volumes, deps.log));
  if (deps.networks) add(pb.NetworkServiceService, networkServiceHandlers(deps.networks, deps.log));
  if (deps.runtimes) add(pb.RuntimeServiceService, runtimeServiceHandlers(deps.runtimes, deps.log));
  server.addService(HealthService, healthHandlers(deps.health ?? new HealthState(API_SERVICES)));
  const creds = ServerCredentials.createSsl(
    Buffer.from(tls.caCert),
    [{ cert_chain: Buffer.from(tls.serverCert), private_key: Buffer.from(tls.serverKey) }],
    true,
  );
  // TLS 1.3 only. grpc-js has no option for it, but passes its secure-context options to
  // http2.createSecureServer, so setting minVersion there is honoured.
  Object.assign(creds._getSecureContextOptions() ?? {}, { minVersion: "TLSv1.3" });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(listen, creds, (err, port) => err ? reject(err) : resolve(port))
  );
  return { server, port };
}

export function stopGrpcServer(server: GrpcServer, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------- denied calls

type DeniedLog = (
  fields: { who: string; role: string; method: string; peer: string; reason: string },
) => void;

function deniedLogger(deps: GrpcServerDeps): DeniedLog {
  if (deps.logger) return (f) => deps.logger!.warn("call denied", f);
  return (f) => deps.log(`call denied: ${f.who} (${f.role}) ${f.method} from ${f.peer}: ${f.reason}`);
}

const DENIED = new Set<number>([grpcStatus.PERMISSION_DENIED, grpcStatus.UNAUTHENTICATED]);

interface AnyCall {
  getPeer(): string;
  getAuthContext(): { sslPeerCertificate?: { subject?: Record<string, string | string[]> } } | undefined;
  destroy?(err?: Error): void;
}

/**
 * Wraps each handler so that a call ending in PermissionDenied or Unauthenticated is logged with the caller's
 * certificate name and role, the method and the peer. Unary and client-streaming calls end through their
 * callback; streaming responses through `call.destroy(err)`.
 */
export function auditDenied(
  def: ServiceDefinition,
  impl: UntypedServiceImplementation,
  log: DeniedLog,
): UntypedServiceImplementation {
  const out: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(def)) {
    const handler = impl[name] as ((call: AnyCall, cb?: (...a: unknown[]) => void) => void) | undefined;
    if (!handler) continue;
    const report = (call: AnyCall, err: unknown) => {
      const e = err as { code?: number; details?: string; message?: string } | null;
      if (!e || e.code === undefined || !DENIED.has(e.code)) return;
      log({
        ...subjectOf(call),
        method: method.path,
        peer: safe(() => call.getPeer()),
        reason: e.details ?? "",
      });
    };
    if (method.responseStream) {
      out[name] = ((call: AnyCall) => {
        const destroy = call.destroy?.bind(call);
        if (destroy) {
          call.destroy = (err?: Error) => {
            report(call, err);
            destroy(err);
          };
        }
        handler(call);
      }) as never;
    } else {
      out[name] = ((call: AnyCall, callback: (...a: unknown[]) => void) => {
        handler(call, (err: unknown, ...rest: unknown[]) => {
          report(call, err);
          callback(err, ...rest);
        });
      }) as never;
    }
  }
  return out;
}

function subjectOf(call: AnyCall): { who: string; role: string } {
  const subject = safe(() => call.getAuthContext()?.sslPeerCertificate?.subject) as
    | Record<string, string | string[]>
    | undefined;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(",") : v) ?? "";
  return { who: first(subject?.CN) || "(no certificate)", role: first(subject?.OU) || "(none)" };
}

function safe<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch {
    return "";
  }
}
