/**
 * The agent's PKI on disk, made on first start and reused after:
 *
 *   <state>/pki/            0700
 *     ca.crt   ca.key       the CA (10 years); never replaced automatically — a new CA breaks every client
 *     server.crt server.key the listener's certificate, reissued when a wanted name is not among its SANs,
 *                           when it was not issued by ca.crt, when its key does not match, or within 30 days of expiry
 *     admin.crt admin.key   `CN=admin, OU=admin`, for the local rnx config; reissued on the same rules
 *
 * Keys are 0600, certificates 0644. The server certificate always names localhost, 127.0.0.1, ::1 and the host
 * name, plus the configured server names.
 */
import { X509Certificate } from "node:crypto";
import { join } from "node:path";
import { failedPrecondition } from "../../domain/errors.ts";
import { localHostname } from "./host.ts";
import {
  canonicalName,
  createCA,
  issueClientCert,
  issueServerCert,
  keyMatchesCert,
  notAfter,
  type Pem,
  subjectAltNames,
} from "./pki.ts";
import { ensureDirs, readIfExists, writePrivateFile } from "./private_file.ts";

export { defaultRnxConfigPath, resolveRnxConfigPath, writeRnxConfig } from "./rnx_file.ts";
export type { RnxEntry } from "./rnx_file.ts";

export interface PkiFiles {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  /** True when this call made a new CA (first start). */
  created: boolean;
  /** The files this call (re)wrote, e.g. ["server.crt", "server.key"]; empty when everything was reused. */
  written: string[];
  /** The names the server certificate covers. */
  serverNames: string[];
}

const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;
export const ADMIN_NAME = "admin";

export async function ensurePki(
  stateDir: string,
  opts: { serverNames: string[]; hostname?: string },
): Promise<PkiFiles> {
  const dir = join(stateDir, "pki");
  ensureDirs(dir);
  Deno.chmodSync(dir, 0o700);
  const path = (f: string) => join(dir, f);
  const read = (f: string) => readIfExists(path(f));
  const written: string[] = [];
  const save = (name: string, pem: Pem) => {
    writePrivateFile(path(`${name}.key`), pem.key, { mode: 0o600 });
    writePrivateFile(path(`${name}.crt`), pem.cert, { mode: 0o644 });
    written.push(`${name}.crt`, `${name}.key`);
  };

  const hostname = opts.hostname ?? localHostname();
  let ca: Pem;
  let created = false;
  const [caCert, caKey] = [read("ca.crt"), read("ca.key")];
  if (caCert === undefined && caKey === undefined) {
    ca = await createCA(`joblet CA ${hostname}`);
    save("ca", ca);
    created = true;
  } else if (caCert === undefined || caKey === undefined) {
    const [has, lacks] = caCert === undefined ? ["ca.key", "ca.crt"] : ["ca.crt", "ca.key"];
    throw failedPrecondition(
      `${dir} has ${has} but no ${lacks}: restore ${lacks}, or remove ca.crt and ca.key to make a new CA ` +
        "(every client certificate issued so far then stops working)",
    );
  } else {
    ca = { cert: caCert, key: caKey };
  }

  const names = wantedNames(hostname, opts.serverNames);
  let server = pair(read("server.crt"), read("server.key"));
  if (!server || !(await usable(server, ca)) || !covers(server.cert, names)) {
    server = await issueServerCert(ca, { names });
    save("server", server);
  }
  let admin = pair(read("admin.crt"), read("admin.key"));
  if (!admin || !(await usable(admin, ca))) {
    admin = await issueClientCert(ca, { name: ADMIN_NAME, role: "admin" });
    save("admin", admin);
  }
  return {
    caCert: ca.cert,
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    created,
    written,
    serverNames: subjectAltNames(server.cert),
  };
}

/** localhost, 127.0.0.1, ::1, the host name, then the configured names; canonical and without repeats. */
export function wantedNames(hostname: string, extra: string[]): string[] {
  return [
    ...new Set(["localhost", "127.0.0.1", "::1", hostname, ...extra].map(canonicalName).filter(Boolean)),
  ];
}

/** True when every wanted name is among the certificate's SANs. */
export function covers(certPem: string, names: string[]): boolean {
  const have = new Set(subjectAltNames(certPem));
  return names.every((n) => have.has(canonicalName(n)));
}

function pair(cert: string | undefined, key: string | undefined): Pem | undefined {
  return cert !== undefined && key !== undefined ? { cert, key } : undefined;
}

/** Issued by this CA, key matching, and not within 30 days of expiry. */
async function usable(pem: Pem, ca: Pem): Promise<boolean> {
  try {
    const cert = new X509Certificate(pem.cert);
    const root = new X509Certificate(ca.cert);
    if (!cert.checkIssued(root) || !cert.verify(root.publicKey)) return false;
    if (notAfter(pem.cert).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
  } catch {
    return false;
  }
  return await keyMatchesCert(pem);
}
