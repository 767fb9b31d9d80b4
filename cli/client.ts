/**
 * One mTLS gRPC channel to one node, shared by the JobService and SystemService clients, plus `unary()`, which
 * turns a callback call into a promise and a failed call into the error rnx prints.
 *
 * Deno pitfalls handled here (shared/research/feasibility.md §1): credentials must be `Buffer`s, and a TLS
 * target given as an IP address fails unless `grpc.ssl_target_name_override` names the certificate's SAN.
 */
import { Buffer } from "node:buffer";
import { type ChannelOptions, type Client, credentials, type ServiceError } from "@grpc/grpc-js";
import { JobServiceClient, SystemServiceClient } from "../proto/gen/joblet.ts";
import type { RnxNode } from "../agent/domain/rnx_config.ts";
import { rpcError } from "./errors.ts";

export interface Connection {
  jobs: JobServiceClient;
  system: SystemServiceClient;
  /** HOST:PORT, for messages. */
  address: string;
  nodeName: string;
  /** Closes the channel so the process can exit. Safe to call twice. */
  close(): void;
}

/** Unary calls that take longer than this fail with "did not answer in time". */
export const DEFAULT_DEADLINE_MS = 60_000;

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The TLS name to verify: `server_name` when given, else "localhost" for an IP address, else none needed. */
export function tlsNameOverride(node: RnxNode): string | undefined {
  if (node.server_name) return node.server_name;
  const host = node.address.slice(0, node.address.lastIndexOf(":"));
  return IPV4.test(host) || host.includes(":") ? "localhost" : undefined;
}

export function channelOptions(node: RnxNode): ChannelOptions {
  const options: ChannelOptions = {
    // Job lists and log records can be large; uploads are chunked well below this.
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    // HTTP/2's default 64 KiB receive window makes the agent wait for a WINDOW_UPDATE every 64 KiB of a log
    // stream; a larger window keeps it sending (measured in `deno task bench`, section 3).
    "grpc-node.flow_control_window": 8 * 1024 * 1024,
  };
  const name = tlsNameOverride(node);
  if (name) {
    options["grpc.ssl_target_name_override"] = name;
  }
  return options;
}

export function connect(nodeName: string, node: RnxNode): Connection {
  const creds = credentials.createSsl(
    Buffer.from(node.ca),
    Buffer.from(node.key),
    Buffer.from(node.cert),
  );
  const jobs = new JobServiceClient(node.address, creds, channelOptions(node));
  const system = new SystemServiceClient(node.address, creds, {
    ...channelOptions(node),
    channelOverride: jobs.getChannel(),
  });
  let closed = false;
  return {
    jobs,
    system,
    address: node.address,
    nodeName,
    close() {
      if (closed) return;
      closed = true;
      jobs.close();
    },
  };
}

/**
 * Runs one unary call: `unary(conn, (cb) => conn.jobs.getJob({ id }, meta, opts, cb))`.
 * Rejects with a JobletError whose message is ready to print.
 */
export function unary<T>(
  conn: Pick<Connection, "address">,
  start: (callback: (err: ServiceError | null, value: T) => void) => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => err ? reject(rpcError(err, conn.address)) : resolve(value));
  });
}

/** Call options with a deadline `ms` from now. */
export function deadline(ms = DEFAULT_DEADLINE_MS): { deadline: Date } {
  return { deadline: new Date(Date.now() + ms) };
}

/**
 * Another service's client on the connection's one mTLS channel (the jobs client's): the channel carries the
 * credentials, so the placeholder credentials given here are never used.
 */
export function serviceClient<C extends Client>(
  conn: Connection,
  ctor: new (
    address: string,
    creds: ReturnType<typeof credentials.createInsecure>,
    options: ChannelOptions,
  ) => C,
): C {
  return new ctor(conn.address, credentials.createInsecure(), { channelOverride: conn.jobs.getChannel() });
}
