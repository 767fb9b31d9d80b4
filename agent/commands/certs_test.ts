import { assert, assertEquals, assertMatch } from "../../tests/assert.ts";
import { X509Certificate } from "node:crypto";
import { parse } from "yaml";
import { RnxConfigSchema } from "../domain/rnx_config.ts";
import { ensurePki } from "../os/certs/bootstrap.ts";
import { localHostname } from "../os/certs/host.ts";
import { certsIssue } from "./certs.ts";

const state = Deno.makeTempDirSync({ prefix: "joblet-certs-" });
const pki = await ensurePki(state, { serverNames: [], hostname: "testhost" });
const configFile = `${state}/joblet.yml`;
Deno.writeTextFileSync(configFile, `state_dir: ${state}\nlisten: 0.0.0.0:6001\nnode_name: lab\n`);
globalThis.addEventListener("unload", () => Deno.removeSync(state, { recursive: true }));

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await certsIssue(argv, { stdout: (t) => stdout += t, stderr: (t) => stderr += t });
  return { code, stdout, stderr };
}

Deno.test("certs issue prints a complete rnx config with a client cert for the role", async () => {
  const r = await run("--name", "alice", "--role", "readonly", "--config", configFile);
  assertEquals(r.code, 0, r.stderr);
  const c = RnxConfigSchema.parse(parse(r.stdout));
  assertEquals(c.default, "lab");
  const node = c.nodes.lab;
  assertMatch(node.address, /^[A-Za-z0-9.-]+:6001$/); // 0.0.0.0 → this machine's host name
  assertEquals(node.ca, pki.caCert);
  const cert = new X509Certificate(node.cert);
  assertEquals(cert.subject, "CN=alice\nOU=readonly\nO=joblet");
  assert(cert.checkIssued(new X509Certificate(pki.caCert)));
  assertMatch(r.stderr, /issued CN=alice, OU=readonly \(valid until \d{4}-\d\d-\d\d\) for node "lab"/);
});

Deno.test("certs issue --out writes a 0600 file and refuses to overwrite it without --force", async () => {
  const out = `${state}/out/alice.yml`;
  const args = ["--name", "alice", "--role", "user", "--config", configFile, "--out", out, "--node", "n2"];
  const first = await run(...args, "--address", "10.0.0.9:7000", "--days", "30");
  assertEquals(first.code, 0, first.stderr);
  assertEquals(first.stdout, "");
  assertEquals(Deno.statSync(out).mode! & 0o777, 0o600);
  const c = RnxConfigSchema.parse(parse(Deno.readTextFileSync(out)));
  assertEquals([c.nodes.n2.address, c.nodes.n2.server_name], [
    "10.0.0.9:7000",
    localHostname(),
  ]);
  const cert = new X509Certificate(c.nodes.n2.cert);
  assert(Math.abs((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000 - 30) < 1);

  const again = await run(...args);
  assertEquals(again.code, 1);
  assertMatch(
    again.stderr,
    /--out ".*alice.yml" already exists \(remove it, pick another path, or add --force\)/,
  );
  assertEquals((await run(...args, "--force")).code, 0);
});

Deno.test("certs issue exits 2 with the usage line for unknown flags and bad name, role or days", async () => {
  const cases: [string[], RegExp][] = [
    [["--name", "a", "--role", "user", "--bogus"], /Unknown option '--bogus'/],
    [["--role", "user"], /--name is required/],
    [["--name", "a b", "--role", "user"], /--name "a b" must be 1–64 characters/],
    [["--name", "a", "--role", "root"], /--role "root" must be one of admin, user, readonly/],
    [["--name", "a", "--role", "user", "--days", "0"], /--days "0" must be a whole number from 1 to 3650/],
    [["--name", "a", "--role", "user", "extra"], /positional/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(...argv);
    assertEquals(r.code, 2, argv.join(" "));
    assertMatch(r.stderr, re);
    assertMatch(r.stderr, /usage: joblet certs issue --name NAME --role admin\|user\|readonly/);
  }
});

Deno.test("certs issue exits 1 naming the path when there is no CA", async () => {
  const empty = Deno.makeTempDirSync();
  try {
    const r = await run("--name", "a", "--role", "user", "--config", configFile, "--state-dir", empty);
    assertEquals(r.code, 1);
    assertMatch(r.stderr, /no CA at ".*\/pki\/ca.crt": start joblet once to create it/);
  } finally {
    Deno.removeSync(empty, { recursive: true });
  }
});

Deno.test("certs issue exits 1 on a bad --address, naming it", async () => {
  const r = await run("--name", "a", "--role", "user", "--config", configFile, "--address", "nohost");
  assertEquals(r.code, 1);
  assertMatch(r.stderr, /--address: "nohost" is not an address/);
});
