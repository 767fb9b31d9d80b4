/** The API serves any language: Debian's python3-grpcio runs a job, follows its log and reads its status. */
import { parse } from "yaml";
import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";
import type { RnxConfig } from "../../agent/domain/rnx_config.ts";

const PROTO_DIR = new URL("../../proto", import.meta.url).pathname;
const CLIENT = new URL("./python/client.py", import.meta.url).pathname;

Deno.test({
  name: "e2e: a Python grpcio client runs a job, streams its log and reads its status over mTLS",
  ignore: skip("root", "cgroup", "python-grpc"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    try {
      const dir = Deno.makeTempDirSync({ prefix: "joblet-py-" });
      const gen = await new Deno.Command("/usr/bin/python3", {
        args: [
          "-m",
          "grpc_tools.protoc",
          `-I${PROTO_DIR}`,
          `--python_out=${dir}`,
          `--grpc_python_out=${dir}`,
          "joblet.proto",
        ],
      }).output();
      assertEquals(gen.code, 0, new TextDecoder().decode(gen.stderr));
      const node = Object.values((parse(Deno.readTextFileSync(agent.rnxConfig)) as RnxConfig).nodes)[0];
      for (const k of ["ca", "cert", "key"] as const) Deno.writeTextFileSync(join(dir, `${k}.pem`), node[k]);
      const run = await new Deno.Command("/usr/bin/python3", {
        args: [
          CLIENT,
          dir,
          `localhost:${agent.port}`,
          ...["ca", "cert", "key"].map((k) => join(dir, `${k}.pem`)),
        ],
      }).output();
      const d = new TextDecoder();
      assertEquals(run.code, 0, d.decode(run.stderr));
      const r = JSON.parse(d.decode(run.stdout));
      assertEquals(
        [r.status, r.exit_code, r.stdout, r.stderr, r.caller_role],
        ["JOB_STATUS_FAILED", 4, "hello from python\n", "oops\n", "admin"],
      );
      Deno.removeSync(dir, { recursive: true });
    } finally {
      await agent.stop();
    }
  },
});
