/** Following logs live, and uploading files into /work. */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { RNX_MAIN, TestAgent } from "./_agent.ts";
import { join } from "node:path";

Deno.test({
  name: "e2e: logs and uploads",
  ignore: skip("root", "cgroup"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    try {
      await t.step("a follower attaching mid-way sees every one of 10,000 lines once, in order", async () => {
        const { id } = await agent.runJob([
          "sh",
          "-c",
          "i=1; while [ $i -le 10000 ]; do echo line-$i; if [ $((i % 500)) -eq 0 ]; then sleep 0.05; fi; i=$((i+1)); done",
        ]);
        await new Promise((r) => setTimeout(r, 300));
        const r = await agent.rnx(["job", "log", id]);
        assertEquals(r.code, 0, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assertEquals(lines.length, 10000);
        lines.forEach((l, i) => {
          if (l !== `line-${i + 1}`) throw new Error(`line ${i + 1} is ${JSON.stringify(l)}`);
        });
        assertEquals((await agent.rnxJson(["job", "status", id])).status, "COMPLETED");
      });

      await t.step("rnx job log exits when its client is killed, and the agent keeps serving", async () => {
        const { id } = await agent.runJob(["sleep", "20"]);
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", RNX_MAIN, "job", "log", id],
          env: { RNX_CONFIG: agent.rnxConfig },
          stdout: "null",
          stderr: "null",
        }).spawn();
        await new Promise((r) => setTimeout(r, 1500));
        child.kill("SIGKILL");
        await child.status;
        assertEquals((await agent.rnx(["job", "stop", id, "--grace", "1"])).code, 0);
      });

      await t.step("uploads: files, directories with their modes, empty files, --upload-dir", async () => {
        const src = Deno.makeTempDirSync();
        Deno.writeTextFileSync(join(src, "script.sh"), "#!/bin/sh\necho from-script\n", { mode: 0o755 });
        Deno.mkdirSync(join(src, "data/empty-dir"), { recursive: true });
        Deno.writeTextFileSync(join(src, "data/a.txt"), "A");
        Deno.writeTextFileSync(join(src, "data/empty.txt"), "");
        const { stdout, job } = await agent.runToEnd([
          "--upload",
          join(src, "script.sh"),
          "--upload",
          join(src, "data"),
          "sh",
          "-c",
          "./script.sh; cat data/a.txt; echo; test -d data/empty-dir && echo dir; test -f data/empty.txt && echo empty; stat -c %a script.sh",
        ]);
        assertEquals(job.status, "COMPLETED", JSON.stringify(job));
        assertEquals(stdout, "from-script\nA\ndir\nempty\n755\n");

        const dirJob = await agent.runToEnd([
          "--upload-dir",
          join(src, "data"),
          "sh",
          "-c",
          "ls /work | sort",
        ]);
        assertEquals(dirJob.stdout, "a.txt\nempty-dir\nempty.txt\n");
        Deno.removeSync(src, { recursive: true });
      });

      await t.step("an upload of a missing path fails before anything is created", async () => {
        const before = (await agent.rnxJson<unknown[]>(["job", "list"])).length;
        const r = await agent.rnx(["job", "run", "--upload", "/no/such/file", "true"]);
        assert(r.code !== 0);
        assertStringIncludes(r.stderr, "/no/such/file");
        assertEquals((await agent.rnxJson<unknown[]>(["job", "list"])).length, before);
      });
    } finally {
      await agent.stop();
    }
  },
});
