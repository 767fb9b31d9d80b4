/**
 * The agent's own small PKI: one CA, a server certificate for the gRPC listener and client certificates whose
 * subject carries the caller's role (`CN=<name>, OU=<role>, O=joblet`). Built with @peculiar/x509 on WebCrypto
 * because node:crypto can parse and verify certificates but cannot build them (feasibility.md §1).
 *
 * New keys are ECDSA P-256; an existing CA with an RSA or another ECDSA curve key is accepted for signing.
 * Keys travel as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), which grpc-js and rustls both read.
 */
import * as x509 from "@peculiar/x509";
import { isIP } from "node:net";
import { invalidArgument } from "../../domain/errors.ts";

x509.cryptoProvider.set(crypto);

/** A certificate and its private key, both PEM. `key` is PKCS#8. */
export interface Pem {
  cert: string;
  key: string;
}

export type ClientRole = "admin" | "user" | "readonly";
export const CLIENT_ROLES: readonly ClientRole[] = ["admin", "user", "readonly"];

const DAY_MS = 24 * 60 * 60 * 1000;
export const CA_DAYS = 3650;
export const SERVER_DAYS = 730;
export const CLIENT_DAYS = 365;
/** notBefore is set this far in the past so that a client whose clock lags a little still accepts the cert. */
const BACKDATE_MS = 5 * 60 * 1000;

const EC_P256: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };

/** Creates a self-signed CA (`CN=<commonName>, O=joblet`, valid 10 years) with a fresh P-256 key. */
export async function createCA(commonName: string): Promise<Pem> {
  if (commonName.trim() === "") throw invalidArgument("Cannot create a CA: the common name is empty");
  const keys = await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [commonName] }, { O: ["joblet"] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: `${cert.toString("pem")}\n`, key: await exportPkcs8(keys.privateKey) };
}

/**
 * Issues the server certificate for the gRPC listener: EKU serverAuth, a SAN for every name (IP addresses as
 * IP SANs, everything else as DNS SANs), CN = the first name, valid 2 years.
 */
export async function issueServerCert(ca: Pem, opts: { names: string[] }): Promise<Pem> {
  const names = [...new Set(opts.names.map((n) => n.trim()).filter((n) => n !== ""))];
  if (names.length === 0) {
    throw invalidArgument("Cannot issue a server certificate: no names given (give at least one host name)");
  }
  const san = names.map((n): x509.JsonGeneralName =>
    isIP(n) ? { type: "ip", value: n } : { type: "dns", value: n }
  );
  return await issue(ca, {
    subject: [{ CN: [names[0]] }, { O: ["joblet"] }],
    days: SERVER_DAYS,
    usage: x509.ExtendedKeyUsage.serverAuth,
    extra: [new x509.SubjectAlternativeNameExtension(san)],
  });
}

/**
 * Issues a client certificate `CN=<name>, OU=<role>, O=joblet` with EKU clientAuth. The agent reads the role
 * from OU. `days` defaults to 365 and may not outlive the CA.
 */
export async function issueClientCert(
  ca: Pem,
  opts: { name: string; role: ClientRole; days?: number },
): Promise<Pem> {
  validateClientName(opts.name);
  if (!CLIENT_ROLES.includes(opts.role)) {
    throw invalidArgument(
      `Cannot issue a client certificate: role "${opts.role}" is not one of ${CLIENT_ROLES.join(", ")}`,
    );
  }
  const days = opts.days ?? CLIENT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > CA_DAYS) {
    throw invalidArgument(
      `Cannot issue a client certificate: days ${days} must be a whole number from 1 to ${CA_DAYS}`,
    );
  }
  return await issue(ca, {
    subject: [{ CN: [opts.name] }, { OU: [opts.role] }, { O: ["joblet"] }],
    days,
    usage: x509.ExtendedKeyUsage.clientAuth,
    extra: [],
  });
}

/** Client names: 1–64 letters, digits, '.', '_', '-', '@'. */
export const CLIENT_NAME = /^[A-Za-z0-9._@-]{1,64}$/;

export function validateClientName(name: string): void {
  if (!CLIENT_NAME.test(name)) {
    throw invalidArgument(
      `Cannot issue a client certificate: name "${name}" must be 1–64 characters of letters, digits, '.', '_', '-', '@'`,
    );
  }
}

/** The DNS and IP SANs of a certificate, IPs in canonical form (see canonicalName). */
export function subjectAltNames(certPem: string): string[] {
  const cert = new x509.X509Certificate(certPem);
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return [];
  return ext.names.items.filter((n) => n.type === "dns" || n.type === "ip").map((n) =>
    canonicalName(n.value)
  );
}

/** Lower-cases DNS names and writes IP addresses one way (`0:0:0:0:0:0:0:1` → `::1`), so names compare equal. */
export function canonicalName(name: string): string {
  const n = name.trim().toLowerCase();
  if (isIP(n) === 6) return new URL(`http://[${n}]/`).hostname.slice(1, -1);
  return n;
}

/** When the certificate stops being valid. */
export function notAfter(certPem: string): Date {
  return new x509.X509Certificate(certPem).notAfter;
}

// ------------------------------------------------------------------------------------------- internals

interface IssueSpec {
  subject: x509.JsonName;
  days: number;
  usage: x509.ExtendedKeyUsage;
  extra: x509.Extension[];
}

async function issue(ca: Pem, spec: IssueSpec): Promise<Pem> {
  const issuer = await importCa(ca);
  const keys = await crypto.subtle.generateKey(EC_P256, true, ["sign", "verify"]);
  const now = Date.now();
  const notAfter = new Date(Math.min(now + spec.days * DAY_MS, issuer.cert.notAfter.getTime()));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: spec.subject,
    issuer: issuer.cert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: issuer.key,
    signingAlgorithm: issuer.signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([spec.usage]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
      ...spec.extra,
    ],
  });
  return { cert: `${cert.toString("pem")}\n`, key: await exportPkcs8(keys.privateKey) };
}

interface Issuer {
  cert: x509.X509Certificate;
  key: CryptoKey;
  signing: Algorithm | EcdsaParams;
}

/** Parses the CA and imports its key with the algorithm of the CA's public key; checks the two belong together. */
async function importCa(ca: Pem): Promise<Issuer> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(ca.cert);
  } catch (e) {
    throw invalidArgument(
      `Cannot use the CA: its certificate is not a PEM certificate (${(e as Error).message})`,
      e,
    );
  }
  const alg = cert.publicKey.algorithm as EcKeyAlgorithm | RsaHashedKeyAlgorithm;
  let importAlg: EcKeyImportParams | RsaHashedImportParams;
  let signing: Algorithm | EcdsaParams;
  if (alg.name === "ECDSA") {
    const curve = (alg as EcKeyAlgorithm).namedCurve;
    importAlg = { name: "ECDSA", namedCurve: curve };
    signing = {
      name: "ECDSA",
      hash: curve === "P-384" ? "SHA-384" : curve === "P-521" ? "SHA-512" : "SHA-256",
    };
  } else if (alg.name === "RSASSA-PKCS1-v1_5") {
    importAlg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    signing = { name: "RSASSA-PKCS1-v1_5" };
  } else {
    throw invalidArgument(
      `Cannot use the CA: its key type "${alg.name}" is not supported (use ECDSA or RSA)`,
    );
  }
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("pkcs8", pemBody(ca.key, "PRIVATE KEY"), importAlg, true, ["sign"]);
  } catch (e) {
    throw invalidArgument(
      `Cannot use the CA: its key is not a PKCS#8 "PRIVATE KEY" PEM of type ${alg.name} (${
        (e as Error).message
      })`,
      e,
    );
  }
  if (!(await samePublicKey(key, cert, importAlg))) {
    throw invalidArgument("Cannot use the CA: its private key does not belong to its certificate");
  }
  const usable = await crypto.subtle.importKey("pkcs8", pemBody(ca.key, "PRIVATE KEY"), importAlg, false, [
    "sign",
  ]);
  return { cert, key: usable, signing };
}

/** True when `pem.key` is the private key of `pem.cert` (false for anything unreadable). */
export async function keyMatchesCert(pem: Pem): Promise<boolean> {
  try {
    const cert = new x509.X509Certificate(pem.cert);
    const alg = cert.publicKey.algorithm as EcKeyAlgorithm | RsaHashedKeyAlgorithm;
    const params = alg.name === "ECDSA"
      ? { name: "ECDSA", namedCurve: (alg as EcKeyAlgorithm).namedCurve }
      : { name: alg.name, hash: "SHA-256" };
    const key = await crypto.subtle.importKey("pkcs8", pemBody(pem.key, "PRIVATE KEY"), params, true, [
      "sign",
    ]);
    return await samePublicKey(key, cert, params);
  } catch {
    return false;
  }
}

async function samePublicKey(
  privateKey: CryptoKey,
  cert: x509.X509Certificate,
  params: EcKeyImportParams | RsaHashedImportParams,
): Promise<boolean> {
  const priv = await crypto.subtle.exportKey("jwk", privateKey);
  const pub = await crypto.subtle.exportKey("jwk", await cert.publicKey.export(params, ["verify"]));
  return priv.x === pub.x && priv.y === pub.y && priv.n === pub.n && priv.crv === pub.crv;
}

function pemBody(pem: string, label: string): ArrayBuffer {
  const m = pem.match(new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`));
  if (!m) throw new Error(`no "-----BEGIN ${label}-----" block`);
  return x509.PemConverter.decodeFirst(m[0]);
}

async function exportPkcs8(key: CryptoKey): Promise<string> {
  return `${x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY")}\n`;
}

/** 16 random bytes as hex, top bit cleared so the DER integer is positive without padding. */
function randomSerial(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] & 0x7f) | 0x01;
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}
