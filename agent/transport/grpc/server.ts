/** The gRPC server: mutual TLS with client certificates required, every service registered. */
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import * as pb from "../../../proto/gen/joblet.ts";
import type { JobService } from "../../core/job_service.ts";
import type { Log } from "./calls.ts";
import { jobServiceHandlers } from "./job_service.ts";
import { type AgentInfo, systemServiceHandlers } from "./system_service.ts";
import { monitorServiceHandlers } from "./monitor_service.ts";
import type { HostMonitor } from "../../domain/host.ts";

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
}

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
  server.addService(pb.JobServiceService, jobServiceHandlers(deps.jobs, deps.log));
  server.addService(pb.SystemServiceService, systemServiceHandlers(deps.info, deps.log));
  server.addService(
    pb.MonitorServiceService,
    monitorServiceHandlers(deps.host, deps.jobs, deps.info, deps.log),
  );
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

export function stopGrpcServer(server: Server, graceMs: number): Promise<void> {
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
