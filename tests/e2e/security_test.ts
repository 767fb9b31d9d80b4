/** mTLS and roles: who may call what, and what happens to callers without the right certificate. */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import * as tls from "node:tls";
import { parse, stringify } from "yaml";
import type { RnxConfig } from "../../agent/domain/rnx_config.ts";
import { join } from "node:path";
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { skip } from "../_requires.ts";
import { AGENT_MAIN, TestAgent } from "./_agent.ts";
import * as pb from "../../proto/gen/joblet.ts";

async function issue(agent: TestAgent, name: string, role: string): Promise<string> {
  const out = join(agent.stateDir, `${name}.yml`);
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      AGENT_MAIN,
      "certs",
      "issue",
      "--name",
      name,
      "--role",
      role,
      "--state-dir",
      agent.stateDir,
      "--address",
      `localhost:${agent.port}`,
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(r.code, 0, new TextDecoder().decode(r.stderr));
  return out;
}

function unaryVersion(client: pb.SystemServiceClient): Promise<pb.VersionInfo> {
  return new Promise((resolve, reject) =>
    client.getVersion({}, (err, res) => err ? reject(err) : resolve(res!))
  );
}

Deno.test({
  name: "e2e: mTLS and roles",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    const other = await TestAgent.start();
    try {
      const ca = Buffer.from(Deno.readTextFileSync(join(agent.stateDir, "pki/ca.crt")));

      await t.step("a readonly certificate may read but not run jobs", async () => {
        const cfg = await issue(agent, "rita", "readonly");
        const env = { RNX_CONFIG: cfg };
        const run = await agent.rnx(["job", "run", "true"], { env });
        assertEquals(run.code, 1);
        assertMatch(run.stderr, /rita.*readonly.*may not/i);
        assertEquals((await agent.rnx(["job", "list"], { env })).code, 0);
        const v = await agent.rnx(["version", "--json"], { env });
        assertEquals(v.code, 0, v.stderr);
      });

      await t.step("a user certificate may run jobs", async () => {
        const cfg = await issue(agent, "ursula", "user");
        const run = await agent.rnx(["job", "run", "--json", "true"], { env: { RNX_CONFIG: cfg } });
        assertEquals(run.code, 0, run.stderr);
        assertEquals(JSON.parse(run.stdout).submitted_by, "ursula");
      });

      await t.step("a client without a certificate is refused", async () => {
        const client = new pb.SystemServiceClient(`localhost:${agent.port}`, grpc.credentials.createSsl(ca));
        const err = await unaryVersion(client).then(() => undefined, (e) => e as grpc.ServiceError);
        client.close();
        assert(err, "a call without a client certificate succeeded");
        assertEquals(err.code, grpc.status.UNAVAILABLE);
      });

      await t.step("a client certificate from another CA is refused", async () => {
        // The other agent's config points at the other agent; aim it at ours instead.
        const text = Deno.readTextFileSync(other.rnxConfig).replace(`:${other.port}`, `:${agent.port}`);
        const cfg = join(agent.stateDir, "foreign.yml");
        Deno.writeTextFileSync(cfg, text, { mode: 0o600 });
        const foreign = await agent.rnx(["job", "list"], { env: { RNX_CONFIG: cfg } });
        assertEquals(foreign.code, 1);
        assertMatch(foreign.stderr, /TLS handshake with agent at .* failed/);
        // Trusting our server, but presenting a certificate our CA did not sign: the agent refuses it.
        const ours = parse(Deno.readTextFileSync(agent.rnxConfig)) as RnxConfig;
        const theirs = parse(Deno.readTextFileSync(other.rnxConfig)) as RnxConfig;
        const mine = Object.values(ours.nodes)[0];
        const stranger = Object.values(theirs.nodes)[0];
        const mixed = join(agent.stateDir, "stranger.yml");
        Deno.writeTextFileSync(
          mixed,
          stringify({ version: 1, nodes: { x: { ...mine, cert: stranger.cert, key: stranger.key } } }),
          { mode: 0o600 },
        );
        const refused = await agent.rnx(["job", "list"], { env: { RNX_CONFIG: mixed } });
        assertEquals(refused.code, 1);
        assertMatch(
          refused.stderr,
          // Which report grpc-js gives depends on timing (TLS 1.3 checks the client after the handshake).
          /refused this rnx config's certificate|TLS handshake with agent at .* failed/,
        );
      });

      await t.step("TLS 1.2 is refused; TLS 1.3 is spoken", async () => {
        const node = Object.values((parse(Deno.readTextFileSync(agent.rnxConfig)) as RnxConfig).nodes)[0];
        const handshake = (maxVersion: "TLSv1.2" | "TLSv1.3") =>
          new Promise<string>((resolve) => {
            const socket = tls.connect({
              host: "127.0.0.1",
              port: agent.port,
              servername: "localhost",
              ca: node.ca,
              cert: node.cert,
              key: node.key,
              maxVersion,
              ALPNProtocols: ["h2"],
            }, () => {
              resolve(socket.getProtocol() ?? "unknown");
              socket.destroy();
            });
            socket.on("error", (e) => resolve(`error: ${e.message}`));
          });
        assertMatch(await handshake("TLSv1.2"), /^error/);
        assertEquals(await handshake("TLSv1.3"), "TLSv1.3");
      });

      await t.step("garbage bytes on the gRPC port do not disturb the agent", async () => {
        for (let i = 0; i < 5; i++) {
          const conn = await Deno.connect({ hostname: "127.0.0.1", port: agent.port });
          await conn.write(crypto.getRandomValues(new Uint8Array(4096))).catch(() => 0);
          conn.close();
        }
        assertEquals((await agent.rnx(["job", "list"])).code, 0);
      });
    } finally {
      await agent.stop();
      await other.stop();
    }
  },
});
