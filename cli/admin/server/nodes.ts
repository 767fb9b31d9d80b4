/**
 * The configured nodes, each with one gRPC channel opened on first use and reused by every request (closed by
 * `close()` when the server stops). The role shown to the UI comes from the OU of the node's client
 * certificate, read the way the agent reads it (agent/transport/grpc/auth.ts); the agent still enforces it.
 * Key and certificate material stays here: `info()` returns names, addresses and roles only.
 */
import { X509Certificate } from "node:crypto";
import type { RnxConfig, RnxNode } from "../../../agent/domain/rnx_config.ts";
import { JobletError } from "../../../agent/domain/errors.ts";
import type { Connection } from "../../client.ts";

export type NodeRole = "admin" | "user" | "readonly" | "unknown";

export interface NodeInfo {
  name: string;
  address: string;
  role: NodeRole;
  default: boolean;
}

const ROLES = ["admin", "user", "readonly"] as const;

/** The role in a PEM certificate's subject OU; "unknown" when there is none or the PEM does not parse. */
export function roleOfCert(pem: string): NodeRole {
  try {
    const subject = new X509Certificate(pem).subject;
    const ous = subject.split("\n").filter((l) => l.startsWith("OU=")).map((l) => l.slice(3));
    return ous.find((ou): ou is NodeRole => (ROLES as readonly string[]).includes(ou)) ?? "unknown";
  } catch {
    return "unknown";
  }
}

export class NodePool {
  readonly #config: RnxConfig;
  readonly #connect: (name: string, node: RnxNode) => Connection;
  readonly #open = new Map<string, Connection>();
  readonly #info: NodeInfo[];

  constructor(config: RnxConfig, connect: (name: string, node: RnxNode) => Connection) {
    this.#config = config;
    this.#connect = connect;
    const names = Object.keys(config.nodes);
    const def = config.default ?? names[0];
    this.#info = names.map((name) => ({
      name,
      address: config.nodes[name].address,
      role: roleOfCert(config.nodes[name].cert),
      default: name === def,
    }));
  }

  info(): NodeInfo[] {
    return this.#info.map((n) => ({ ...n }));
  }

  names(): string[] {
    return this.#info.map((n) => n.name);
  }

  /** The node's connection, opened on first use; NotFound for a name not in the config. */
  get(name: string): Connection {
    const open = this.#open.get(name);
    if (open) return open;
    const node = Object.hasOwn(this.#config.nodes, name) ? this.#config.nodes[name] : undefined;
    if (!node) {
      throw new JobletError(
        "NotFound",
        `node "${name}" is not in the rnx config (known nodes: ${this.names().join(", ")})`,
      );
    }
    const conn = this.#connect(name, node);
    this.#open.set(name, conn);
    return conn;
  }

  close(): void {
    for (const c of this.#open.values()) c.close();
    this.#open.clear();
  }
}
