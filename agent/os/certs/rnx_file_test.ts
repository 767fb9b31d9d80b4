import { assert, assertEquals, assertThrows } from "../../../tests/assert.ts";
import { parse } from "yaml";
import { RnxConfigSchema } from "../../domain/rnx_config.ts";
import { currentUid, type HostFacts } from "./host.ts";
import { createCA, issueClientCert } from "./pki.ts";
import {
  defaultRnxConfigPath,
  renderRnxConfig,
  resolveRnxConfigPath,
  rnxConfigFor,
  rnxConfigOwner,
  writeRnxConfig,
} from "./rnx_file.ts";

const ca = await createCA("t");
const alice = await issueClientCert(ca, { name: "alice", role: "user" });
const entry = (nodeName: string, address = "localhost:50051") => ({
  nodeName,
  address,
  ca: ca.cert,
  cert: alice.cert,
  key: alice.key,
});

const PASSWD = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n";
const plain: HostFacts = { uid: 1000, env: { HOME: "/home/alice" }, passwd: PASSWD };
const sudo: HostFacts = {
  uid: 0,
  env: { HOME: "/root", SUDO_USER: "alice", SUDO_UID: "1000", SUDO_GID: "1001" },
  passwd: PASSWD,
};

function withDir(fn: (dir: string) => void | Promise<void>) {
  return async () => {
    const dir = Deno.makeTempDirSync({ prefix: "joblet-rnx-" });
    try {
      await fn(dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

const readConfig = (p: string) => RnxConfigSchema.parse(parse(Deno.readTextFileSync(p)));

Deno.test(
  "writeRnxConfig() creates a valid 0600 file in a new 0700 directory",
  withDir((dir) => {
    const path = `${dir}/.rnx/rnx-config.yml`;
    writeRnxConfig(path, { ...entry("local", "127.0.0.1:50051"), serverName: "localhost" }, plain);
    const c = readConfig(path);
    assertEquals(c.default, "local");
    assertEquals(c.nodes.local, {
      address: "127.0.0.1:50051",
      server_name: "localhost",
      ca: ca.cert,
      cert: alice.cert,
      key: alice.key,
    });
    assertEquals(Deno.statSync(path).mode! & 0o777, 0o600);
    assertEquals(Deno.statSync(`${dir}/.rnx`).mode! & 0o777, 0o700);
    assert(Deno.readTextFileSync(path).includes("ca: |"), "PEMs are literal blocks");
  }),
);

Deno.test(
  "writeRnxConfig() merges: keeps other nodes, the default and comments, replaces the same node",
  withDir((dir) => {
    const path = `${dir}/rnx.yml`;
    writeRnxConfig(path, entry("prod", "prod.example:50051"), plain);
    Deno.writeTextFileSync(path, "# my nodes\n" + Deno.readTextFileSync(path));
    writeRnxConfig(path, entry("local", "localhost:1"), plain);
    writeRnxConfig(path, entry("local", "localhost:2"), plain);
    const c = readConfig(path);
    assertEquals(Object.keys(c.nodes).sort(), ["local", "prod"]);
    assertEquals(c.default, "prod");
    assertEquals(c.nodes.local.address, "localhost:2");
    assertEquals(c.nodes.prod.address, "prod.example:50051");
    assert(Deno.readTextFileSync(path).startsWith("# my nodes\n"));
  }),
);

Deno.test(
  "writeRnxConfig() refuses to overwrite a file that is not an rnx config",
  withDir((dir) => {
    const path = `${dir}/rnx.yml`;
    Deno.writeTextFileSync(path, "hello: world\n");
    assertThrows(
      () => writeRnxConfig(path, entry("local"), plain),
      /Cannot update ".*rnx.yml": it is not a valid rnx config/,
    );
    assertEquals(Deno.readTextFileSync(path), "hello: world\n");
  }),
);

Deno.test(
  "writeRnxConfig() rejects an address the rnx config cannot hold, quoting it",
  withDir((dir) => {
    assertThrows(
      () => writeRnxConfig(`${dir}/r.yml`, entry("local", "[::1]:50051"), plain),
      /nodes.local.address "\[::1\]:50051": must be HOST:PORT/,
    );
  }),
);

Deno.test({
  name: "writeRnxConfig() under sudo chowns a file in the sudo user's home to SUDO_UID:SUDO_GID",
  ignore: currentUid() !== 0,
  fn: withDir((dir) => {
    const facts = { ...sudo, passwd: `alice:x:1000:1000::${dir}:/bin/sh\n` };
    writeRnxConfig(`${dir}/.rnx/rnx-config.yml`, entry("local"), facts);
    for (const p of [`${dir}/.rnx`, `${dir}/.rnx/rnx-config.yml`]) {
      const st = Deno.statSync(p);
      assertEquals([st.uid, st.gid], [1000, 1001], p);
    }
  }),
});

Deno.test("rnxConfigOwner() applies only to root under sudo, inside the sudo user's home", () => {
  assertEquals(rnxConfigOwner("/home/alice/.rnx/rnx-config.yml", sudo), { uid: 1000, gid: 1001 });
  assertEquals(rnxConfigOwner("/etc/joblet/rnx.yml", sudo), undefined);
  assertEquals(rnxConfigOwner("/home/alicex/rnx.yml", sudo), undefined);
  assertEquals(rnxConfigOwner("/home/alice/.rnx/rnx-config.yml", plain), undefined);
  assertEquals(
    rnxConfigOwner("/root/.rnx/x.yml", { uid: 0, env: { HOME: "/root" }, passwd: PASSWD }),
    undefined,
  );
  assertEquals(rnxConfigOwner("/home/alice/x", { ...sudo, env: { ...sudo.env, SUDO_UID: "x" } }), undefined);
});

Deno.test("defaultRnxConfigPath() is in HOME, or in the sudo user's home under sudo", () => {
  assertEquals(defaultRnxConfigPath(plain), "/home/alice/.rnx/rnx-config.yml");
  assertEquals(defaultRnxConfigPath(sudo), "/home/alice/.rnx/rnx-config.yml");
  assertEquals(
    defaultRnxConfigPath({ uid: 0, env: { HOME: "/root" }, passwd: PASSWD }),
    "/root/.rnx/rnx-config.yml",
  );
  assertEquals(
    defaultRnxConfigPath({ uid: 1000, env: {}, passwd: PASSWD }),
    "/home/alice/.rnx/rnx-config.yml",
  );
  assertThrows(() => defaultRnxConfigPath({ uid: 5, env: {}, passwd: "" }), /Cannot find a home directory/);
});

Deno.test('resolveRnxConfigPath() maps "" to the default and "none" to null', () => {
  assertEquals(resolveRnxConfigPath("", plain), "/home/alice/.rnx/rnx-config.yml");
  assertEquals(resolveRnxConfigPath("none", plain), null);
  assertEquals(resolveRnxConfigPath("/etc/r.yml", plain), "/etc/r.yml");
});

Deno.test("renderRnxConfig() output parses back to the same config", () => {
  const c = rnxConfigFor({ ...entry("n1"), serverName: "box" });
  assertEquals(RnxConfigSchema.parse(parse(renderRnxConfig(c))), c);
});
