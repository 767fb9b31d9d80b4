/**
 * `deno task dist` (bin/dist.sh) builds runnable bundles offline: built into a temporary directory, both run with
 * an EMPTY Deno cache (so nothing is fetched or taken from the developer's cache), the agent serves, rnx talks to
 * it over mTLS, and SIGTERM stops it cleanly within 10 s.
 */
import { assert, assertEquals, assertMatch } from "../assert.ts";
import { join } from "node:path";
import { skip } from "../_requires.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test({
  name:
    "the dist bundles run with an empty Deno cache: rnx version, joblet serve, rnx → agent, clean SIGTERM",
  ignore: skip("root"),
  fn: async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "joblet-dist-" });
    const out = join(tmp, "dist");
    const env = {
      DENO_DIR: join(tmp, "empty-deno-dir"),
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
      QUIET: "1",
    };
    const run = async (cmd: string, args: string[]) => {
      const o = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped", cwd: tmp })
        .output();
      const d = new TextDecoder();
      return { code: o.code, stdout: d.decode(o.stdout), stderr: d.decode(o.stderr) };
    };
    let agent: Deno.ChildProcess | undefined;
    try {
      const t0 = performance.now();
      const build = await new Deno.Command("sh", {
        args: [join(ROOT, "bin/dist.sh"), out],
        env: { QUIET: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(build.code, 0, new TextDecoder().decode(build.stderr));
      console.log(`dist build: ${Math.round(performance.now() - t0)} ms`);

      const version = await run(join(out, "bin/rnx"), ["version"]);
      assertMatch(version.stdout, /^Client: rnx \d+\.\d+\.\d+/);
      assertMatch(
        (await run(join(out, "bin/joblet"), ["version"])).stdout,
        /^joblet \d+\.\d+\.\d+ \(API joblet\.v1/,
      );

      const state = join(tmp, "state");
      const rnxConfig = join(tmp, "rnx.yml");
      agent = new Deno.Command(join(out, "bin/joblet"), {
        args: ["serve", "--state-dir", state, "--listen", "127.0.0.1:0", "--rnx-config", rnxConfig],
        env,
        stdout: "piped",
        stderr: "piped",
        cwd: tmp,
      }).spawn();
      let log = "";
      const reader = (async () => {
        for await (const chunk of agent!.stderr.pipeThrough(new TextDecoderStream())) log += chunk;
      })();
      void agent.stdout.cancel();
      const deadline = Date.now() + 60_000;
      while (!/listening on \S+/.test(log) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assertMatch(log, /listening on 127\.0\.0\.1:\d+/);

      const server = await run(join(out, "bin/rnx"), ["--config", rnxConfig, "version"]);
      assertEquals(server.code, 0, server.stderr);
      assertMatch(server.stdout, /Server: joblet \d+\.\d+\.\d+/);

      const stopAt = performance.now();
      agent.kill("SIGTERM");
      const status = await agent.status;
      const ms = Math.round(performance.now() - stopAt);
      await reader;
      agent = undefined;
      console.log(`SIGTERM → exit: ${ms} ms`);
      assertEquals(status.code, 0, log);
      assert(ms < 10_000, `shutdown took ${ms} ms`);
      assertMatch(log, /INFO stopped signal=SIGTERM/);
    } finally {
      agent?.kill("SIGKILL");
      await agent?.status;
      Deno.removeSync(tmp, { recursive: true });
    }
  },
});
