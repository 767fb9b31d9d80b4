import { assertEquals, assertRejects } from "../../../tests/assert.ts";
import { createCA, issueClientCert } from "../../../agent/os/certs/pki.ts";
import type { Connection } from "../../client.ts";
import type { RnxConfig } from "../../../agent/domain/rnx_config.ts";
import { NodePool, roleOfCert } from "./nodes.ts";

const ca = await createCA("test CA");
const reader = await issueClientCert(ca, { name: "rita", role: "readonly" });
const admin = await issueClientCert(ca, { name: "ada", role: "admin" });

function config(): RnxConfig {
  const node = (address: string, pem: { cert: string; key: string }) => ({
    address,
    ca: ca.cert,
    cert: pem.cert,
    key: pem.key,
  });
  return {
    version: 1,
    default: "b",
    nodes: { a: node("localhost:1", admin), b: node("localhost:2", reader) },
  };
}

function fakeConnect() {
  const opened: string[] = [];
  const closed: string[] = [];
  const connect = (name: string) => {
    opened.push(name);
    return { nodeName: name, close: () => closed.push(name) } as unknown as Connection;
  };
  return { opened, closed, connect };
}

Deno.test("roleOfCert() reads the role from the certificate's OU", () => {
  assertEquals(roleOfCert(reader.cert), "readonly");
  assertEquals(roleOfCert(admin.cert), "admin");
  assertEquals(roleOfCert("not a pem"), "unknown");
});

Deno.test("NodePool.info() lists names, addresses, roles and the default, and no key material", () => {
  const pool = new NodePool(config(), fakeConnect().connect);
  const info = pool.info();
  assertEquals(info, [
    { name: "a", address: "localhost:1", role: "admin", default: false },
    { name: "b", address: "localhost:2", role: "readonly", default: true },
  ]);
  assertEquals(JSON.stringify(info).includes("BEGIN"), false);
});

Deno.test("NodePool.get() opens one channel per node and reuses it; close() closes them", () => {
  const f = fakeConnect();
  const pool = new NodePool(config(), f.connect);
  pool.get("a");
  pool.get("a");
  pool.get("b");
  assertEquals(f.opened, ["a", "b"]);
  pool.close();
  assertEquals(f.closed, ["a", "b"]);
});

Deno.test("NodePool.get() names the known nodes for an unknown one", async () => {
  const pool = new NodePool(config(), fakeConnect().connect);
  await assertRejects(() => Promise.resolve().then(() => pool.get("zz")), /node "zz".*known nodes: a, b/);
  await assertRejects(() => Promise.resolve().then(() => pool.get("constructor")), /not in the rnx config/);
});
