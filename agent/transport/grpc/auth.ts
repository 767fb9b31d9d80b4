/**
 * Who is calling, and may they? The client certificate (verified against our CA by TLS) carries the role in its
 * OU and the name in its CN. Every RPC declares the permission it needs in one table (see server.ts).
 */
import type { ServerSurfaceCall } from "@grpc/grpc-js/build/src/server-call.js";
import { JobletError } from "../../domain/errors.ts";

export const ROLES = ["admin", "user", "readonly"] as const;
export type Role = typeof ROLES[number];

/** read: inspect anything; write: run/stop/delete jobs; admin: manage the agent itself. */
export type Permission = "read" | "write" | "admin";

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(["read", "write", "admin"]),
  user: new Set(["read", "write"]),
  readonly: new Set(["read"]),
};

export interface Caller {
  name: string;
  role: Role;
}

interface PeerSubject {
  CN?: string | string[];
  OU?: string | string[];
}

/** Reads the caller from the call's verified peer certificate. */
export function callerOf(call: Pick<ServerSurfaceCall, "getAuthContext">): Caller {
  const ctx = call.getAuthContext();
  const cert = ctx?.sslPeerCertificate as { subject?: PeerSubject } | undefined;
  if (!ctx || ctx.transportSecurityType !== "ssl" || !cert?.subject) {
    throw new JobletError("Unauthenticated", "a client certificate signed by this agent's CA is required");
  }
  return callerFromSubject(cert.subject);
}

export function callerFromSubject(subject: PeerSubject): Caller {
  const first = (v: string | string[] | undefined) => Array.isArray(v) ? v[0] : v;
  const name = first(subject.CN) ?? "";
  const ous = Array.isArray(subject.OU) ? subject.OU : subject.OU ? [subject.OU] : [];
  const role = ous.find((ou): ou is Role => (ROLES as readonly string[]).includes(ou));
  if (!name) throw new JobletError("Unauthenticated", "the client certificate has no common name (CN)");
  if (!role) {
    throw new JobletError(
      "PermissionDenied",
      `the certificate of "${name}" carries no known role (OU ${JSON.stringify(ous)}; roles: ${
        ROLES.join(", ")
      })`,
    );
  }
  return { name, role };
}

export function authorize(caller: Caller, need: Permission, method: string): void {
  if (!GRANTS[caller.role].has(need)) {
    throw new JobletError(
      "PermissionDenied",
      `${caller.name} (role ${caller.role}) may not call ${method}: it needs ${need} permission`,
    );
  }
}
