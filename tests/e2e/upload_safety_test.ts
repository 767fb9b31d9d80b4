/** The agent itself refuses unsafe uploads (a client other than rnx may send anything) and keeps nothing. */
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { parse } from "yaml";
import { assertEquals, assertMatch } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";
import * as pb from "../../proto/gen/joblet.ts";
import type { RnxConfig } from "../../agent/domain/rnx_config.ts";

Deno.test({
  name:
    "e2e: uploads with absolute paths, '..', interleaved or unfinished files are refused; nothing is created",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    const node = Object.values((parse(Deno.readTextFileSync(agent.rnxConfig)) as RnxConfig).nodes)[0];
    const client = new pb.JobServiceClient(
      `localhost:${agent.port}`,
      grpc.credentials.createSsl(Buffer.from(node.ca), Buffer.from(node.key), Buffer.from(node.cert)),
    );
    const file = (path: string, last = true) =>
      pb.UploadChunk.fromPartial({
        path,
        mode: 0o644,
        kind: pb.UploadKind.UPLOAD_KIND_FILE,
        data: new Uint8Array(3),
        last,
      });
    const run = (chunks: pb.UploadChunk[]) =>
      new Promise<grpc.ServiceError | undefined>((resolve) => {
        const c = client.runJob((err) => resolve(err ?? undefined));
        c.write({ spec: pb.JobSpec.fromPartial({ command: "true" }) });
        for (const upload of chunks) c.write({ upload });
        c.end();
      });
    try {
      const cases: [pb.UploadChunk[], RegExp][] = [
        [[file("/etc/passwd")], /absolute/],
        [[file("a/../../escape")], /'\.\.'/],
        [[file("x".repeat(2000))], /longer than 1024/],
        [[file("a", false), file("b")], /not finished before "b"/],
        [[file("a", false)], /ended before its last chunk/],
      ];
      for (const [chunks, message] of cases) {
        const err = await run(chunks);
        assertEquals(
          err?.code,
          grpc.status.INVALID_ARGUMENT,
          `${chunks[0].path.slice(0, 20)}: ${err?.details}`,
        );
        assertMatch(err!.details, message);
      }
      assertEquals((await agent.rnxJson<unknown[]>(["job", "list"])).length, 0);
      assertEquals([...Deno.readDirSync(`${agent.stateDir}/staging`)].length, 0);
    } finally {
      client.close();
      await agent.stop();
    }
  },
});
