import { assert, assertEquals, assertMatch, assertNotEquals, assertRejects } from "../../../tests/assert.ts";
import { X509Certificate } from "node:crypto";
import { covers, ensurePki, wantedNames } from "./bootstrap.ts";
import { createCA, issueServerCert, subjectAltNames } from "./pki.ts";

const FILES = ["admin.crt", "admin.key", "ca.crt", "ca.key", "server.crt", "server.key"];

async function withState(fn: (dir: string) => Promise<void>) {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-pki-" });
  try {
    await fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

const mode = (p: string) => Deno.statSync(p).mode! & 0o777;

Deno.test("ensurePki() creates the CA, server and admin files with private modes on first start", () =>
  withState(async (state) => {
    const pki = await ensurePki(`${state}/nested`, {
      serverNames: ["node-1.example.com"],
      hostname: "testhost",
    });
    assert(pki.created);
    const dir = `${state}/nested/pki`;
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), FILES);
    assertEquals(mode(dir), 0o700);
    for (const k of ["ca.key", "server.key", "admin.key"]) assertEquals(mode(`${dir}/${k}`), 0o600, k);
    assertEquals(pki.caCert, Deno.readTextFileSync(`${dir}/ca.crt`));
    assertEquals(pki.serverKey, Deno.readTextFileSync(`${dir}/server.key`));

    const ca = new X509Certificate(pki.caCert);
    assert(new X509Certificate(pki.serverCert).checkIssued(ca));
    assert(new X509Certificate(pki.adminCert).verify(ca.publicKey));
    assertEquals(new X509Certificate(pki.adminCert).subject, "CN=admin\nOU=admin\nO=joblet");
    assertEquals(subjectAltNames(pki.serverCert), [
      "localhost",
      "127.0.0.1",
      "::1",
      "testhost",
      "node-1.example.com",
    ]);
    assertEquals(pki.serverNames, subjectAltNames(pki.serverCert));
  }));

Deno.test("ensurePki() reuses every file on a later start", () =>
  withState(async (state) => {
    const first = await ensurePki(state, { serverNames: [], hostname: "h" });
    const again = await ensurePki(state, { serverNames: [], hostname: "h" });
    assert(!again.created);
    assertEquals(again.written, []);
    assertEquals({ ...again, created: true, written: first.written }, first);
  }));

Deno.test("ensurePki() reissues only the server certificate when a configured name is not covered", () =>
  withState(async (state) => {
    const first = await ensurePki(state, { serverNames: ["a.example"], hostname: "h" });
    const second = await ensurePki(state, { serverNames: ["a.example", "10.1.2.3"], hostname: "h" });
    assertEquals(second.written, ["server.crt", "server.key"]);
    assertEquals(second.caCert, first.caCert);
    assertEquals(second.adminCert, first.adminCert);
    assertNotEquals(second.serverKey, first.serverKey);
    assert(subjectAltNames(second.serverCert).includes("10.1.2.3"));
    assert(new X509Certificate(second.serverCert).checkIssued(new X509Certificate(first.caCert)));
    // a name the certificate already has (written another way) does not cause a reissue
    const third = await ensurePki(state, { serverNames: ["A.example", "10.1.2.3"], hostname: "h" });
    assertEquals(third.written, []);
  }));

Deno.test("ensurePki() reissues a server certificate not issued by the CA, and a missing admin key", () =>
  withState(async (state) => {
    const first = await ensurePki(state, { serverNames: [], hostname: "h" });
    const foreign = await issueServerCert(await createCA("other"), { names: ["localhost"] });
    Deno.writeTextFileSync(`${state}/pki/server.crt`, foreign.cert);
    Deno.writeTextFileSync(`${state}/pki/server.key`, foreign.key);
    Deno.removeSync(`${state}/pki/admin.key`);
    const again = await ensurePki(state, { serverNames: [], hostname: "h" });
    assertEquals(again.written.sort(), ["admin.crt", "admin.key", "server.crt", "server.key"]);
    assert(new X509Certificate(again.serverCert).checkIssued(new X509Certificate(first.caCert)));
  }));

Deno.test("ensurePki() refuses to invent a new CA when only half of it is there", () =>
  withState(async (state) => {
    await ensurePki(state, { serverNames: [], hostname: "h" });
    Deno.removeSync(`${state}/pki/ca.key`);
    await assertRejects(
      () => ensurePki(state, { serverNames: [], hostname: "h" }),
      /has ca\.crt but no ca\.key: restore ca\.key, or remove ca\.crt and ca\.key/,
    );
  }));

Deno.test("wantedNames() always includes the loopback names and the host name, once each", () => {
  assertEquals(wantedNames("Box", ["box", "0:0:0:0:0:0:0:1", "x"]), [
    "localhost",
    "127.0.0.1",
    "::1",
    "box",
    "x",
  ]);
});

Deno.test("covers() compares names canonically", async () => {
  const s = await issueServerCert(await createCA("c"), { names: ["Node", "::1"] });
  assert(covers(s.cert, ["node", "0::1"]));
  assert(!covers(s.cert, ["node", "127.0.0.1"]));
  assertMatch(s.cert, /^-----BEGIN CERTIFICATE-----/);
});
