import { assert, assertEquals, assertMatch, assertNotEquals, assertRejects } from "../../../tests/assert.ts";
import { X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import {
  canonicalName,
  type ClientRole,
  createCA,
  issueClientCert,
  issueServerCert,
  notAfter,
  subjectAltNames,
} from "./pki.ts";
import { JobletError } from "../../domain/errors.ts";

const ca = await createCA("joblet test CA");
const DAY = 24 * 60 * 60 * 1000;

/** Extended key usages. Deno's node:crypto `keyUsage` returns the KeyUsage bits, not the EKU OIDs as in Node. */
function eku(pem: string): string[] {
  return [...(new x509.X509Certificate(pem).getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? [])].map(
    String,
  );
}

function days(cert: X509Certificate): number {
  return (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY;
}

Deno.test("createCA() makes a self-signed CA valid for about 10 years with a PKCS#8 key", () => {
  const c = new X509Certificate(ca.cert);
  assert(c.ca);
  assert(c.checkIssued(c));
  assert(c.verify(c.publicKey));
  assertEquals(c.subject, "CN=joblet test CA\nO=joblet");
  assert(Math.abs(days(c) - 3650) < 1);
  assertMatch(ca.key, /^-----BEGIN PRIVATE KEY-----\n/);
});

Deno.test("issueServerCert() is signed by the CA and carries DNS and IP SANs and serverAuth", async () => {
  const s = await issueServerCert(ca, { names: ["localhost", "127.0.0.1", "::1", "node-1.example.com"] });
  const c = new X509Certificate(s.cert);
  const root = new X509Certificate(ca.cert);
  assert(!c.ca);
  assert(c.checkIssued(root));
  assert(c.verify(root.publicKey));
  assertEquals(
    c.subjectAltName,
    "DNS:localhost, IP Address:127.0.0.1, IP Address:::1, DNS:node-1.example.com",
  );
  assertEquals(eku(s.cert), ["1.3.6.1.5.5.7.3.1"]);
  assert(days(c) >= 365 && days(c) <= 731);
  assertEquals(subjectAltNames(s.cert), ["localhost", "127.0.0.1", "::1", "node-1.example.com"]);
  assertMatch(s.key, /^-----BEGIN PRIVATE KEY-----\n/);
});

Deno.test("issueClientCert() puts the role in OU and sets clientAuth", async () => {
  const u = await issueClientCert(ca, { name: "alice@lab", role: "readonly" });
  const c = new X509Certificate(u.cert);
  assert(c.checkIssued(new X509Certificate(ca.cert)));
  assert(c.verify(new X509Certificate(ca.cert).publicKey));
  assertEquals(c.subject, "CN=alice@lab\nOU=readonly\nO=joblet");
  assertEquals(eku(u.cert), ["1.3.6.1.5.5.7.3.2"]);
  assert(Math.abs(days(c) - 365) < 1);
});

Deno.test("issueClientCert() honours days", async () => {
  const u = await issueClientCert(ca, { name: "bob", role: "user", days: 30 });
  assert(Math.abs(days(new X509Certificate(u.cert)) - 30) < 1);
});

Deno.test("certificates get distinct random serial numbers", async () => {
  const a = await issueClientCert(ca, { name: "a", role: "user" });
  const b = await issueClientCert(ca, { name: "a", role: "user" });
  assertNotEquals(new X509Certificate(a.cert).serialNumber, new X509Certificate(b.cert).serialNumber);
  assert(new X509Certificate(a.cert).serialNumber.length >= 30);
});

Deno.test("a certificate from another CA does not verify against this CA", async () => {
  const other = await createCA("other");
  const u = await issueClientCert(other, { name: "mallory", role: "admin" });
  const root = new X509Certificate(ca.cert);
  assert(!new X509Certificate(u.cert).checkIssued(root));
  assert(!new X509Certificate(u.cert).verify(root.publicKey));
});

Deno.test("issueClientCert() rejects a bad name, role or days, quoting the value", async () => {
  const err = async (p: Promise<unknown>, re: RegExp) => {
    const e = await p.then(() => undefined, (e: unknown) => e);
    assert(e instanceof JobletError, `expected a JobletError, got ${e}`);
    assertMatch(e.message, re);
  };
  await err(issueClientCert(ca, { name: "al ice", role: "user" }), /name "al ice" must be 1–64 characters/);
  await err(issueClientCert(ca, { name: "", role: "user" }), /name "" must be/);
  await err(issueClientCert(ca, { name: "x".repeat(65), role: "user" }), /must be 1–64/);
  await err(
    issueClientCert(ca, { name: "a", role: "root" as ClientRole }),
    /role "root" is not one of admin, user, readonly/,
  );
  await err(issueClientCert(ca, { name: "a", role: "user", days: 0 }), /days 0 must be a whole number/);
});

Deno.test("issuing with a key that is not the CA's fails with a clear error", async () => {
  const other = await createCA("other");
  await assertRejects(
    () => issueClientCert({ cert: ca.cert, key: other.key }, { name: "a", role: "user" }),
    /private key does not belong to its certificate/,
  );
});

Deno.test("issueServerCert() rejects an empty name list", async () => {
  await assertRejects(() => issueServerCert(ca, { names: [" "] }), /no names given/);
});

Deno.test("canonicalName() writes IPv6 one way and lower-cases DNS names", () => {
  assertEquals(canonicalName("0:0:0:0:0:0:0:1"), "::1");
  assertEquals(canonicalName("FE80:0::1"), "fe80::1");
  assertEquals(canonicalName("Node-1.Example"), "node-1.example");
  assertEquals(canonicalName("10.0.0.1"), "10.0.0.1");
});

Deno.test("notAfter() reads the expiry", () => {
  assert(notAfter(ca.cert).getTime() > Date.now() + 3649 * DAY);
});
