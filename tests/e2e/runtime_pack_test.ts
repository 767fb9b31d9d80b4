/**
 * Packed runtimes end to end: `rnx runtime export python-3.11` → remove → `rnx runtime install ./x.tar.zst`
 * (streamed up) and `install http://…/x.tar.zst --sha256=…` (fetched by the agent from a loopback server this
 * test runs) give a runtime jobs can use; a wrong sha256, a truncated or garbage archive, a member escaping
 * the root and a full disk (the runtimes dir on a 16 MiB tmpfs) fail with clear errors and leave nothing
 * behind; the agent stays healthy; `--force` reinstalls. python-3.11 is built once for the file (it needs the
 * distribution's mirror, like runtime_test.ts).
 *
 * Needs root, cgroups, apt-get, dpkg-deb, tar and zstd.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../assert.ts";
import { skip } from "../_requires.ts";
import { TestAgent } from "./_agent.ts";
import { manifestMember, tarBytes } from "../../agent/os/runtime/archive_testing.ts";

const ignore = skip("root", "cgroup") || missingTools();

function missingTools(): boolean {
  for (const t of ["/usr/bin/apt-get", "/usr/bin/dpkg-deb", "/usr/bin/zstd", "/usr/bin/tar"]) {
    try {
      Deno.statSync(t);
    } catch {
      console.warn(`skipping: needs ${t} (Debian packages apt, dpkg, zstd, tar)`);
      return true;
    }
  }
  return false;
}

async function sha256Of(file: string): Promise<string> {
  const out = await new Deno.Command("sha256sum", { args: [file], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split(" ")[0];
}

/** What the agent keeps in its runtimes dir: installed names and any leftovers (.staging-*, .removing-*). */
function runtimesDir(agent: TestAgent): string[] {
  return [...Deno.readDirSync(`${agent.stateDir}/runtimes`)].map((e) => e.name).sort();
}

async function zstd(input: Uint8Array): Promise<Uint8Array> {
  const p = new Deno.Command("zstd", { args: ["-q", "-c"], stdin: "piped", stdout: "piped" }).spawn();
  const w = p.stdin.getWriter();
  await w.write(input);
  await w.close();
  return (await p.output()).stdout;
}

async function sh(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
}

Deno.test({
  name: "e2e: packed runtimes: export, install from a file and a URL, and every bad archive leaves nothing",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const agent = await TestAgent.start();
    const work = Deno.makeTempDirSync({ prefix: "joblet-pack-e2e-" });
    const packed = `${work}/python-3.11.tar.zst`;
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (path !== "/python-3.11.tar.zst") return new Response("no such file\n", { status: 404 });
      const f = await Deno.open(packed);
      return new Response(f.readable, { headers: { "content-length": String(Deno.statSync(packed).size) } });
    });
    const url = `http://127.0.0.1:${server.addr.port}/python-3.11.tar.zst`;
    let sha = "";
    try {
      const built = await agent.rnx(["runtime", "install", "python-3.11"]);
      assertEquals(built.code, 0, built.stderr);
      const before = await python(agent);

      await t.step("export writes NAME.tar.zst and prints its sha256", async () => {
        const t0 = performance.now();
        const r = await agent.rnx(["runtime", "export", "python@3.11", "-o", packed]);
        const seconds = (performance.now() - t0) / 1000;
        assertEquals(r.code, 0, r.stderr);
        sha = await sha256Of(packed);
        assertStringIncludes(r.stdout, `Exported python-3.11 to ${packed} (`);
        assertStringIncludes(r.stdout, `sha256 ${sha})`);
        const size = Deno.statSync(packed).size;
        assert(size > 1024 * 1024 && size < before.size_bytes, `packed size ${size} of ${before.size_bytes}`);
        assertEquals([...Deno.readDirSync(work)].map((e) => e.name), ["python-3.11.tar.zst"]);
        console.log(
          `export: ${(before.size_bytes / 1024 ** 2).toFixed(1)} MiB → ${
            (size / 1024 ** 2).toFixed(1)
          } MiB ` +
            `in ${seconds.toFixed(1)} s`,
        );
      });

      await t.step("remove, then install from the file: a job runs python3 from it", async () => {
        assertEquals((await agent.rnx(["runtime", "remove", "python-3.11"])).code, 0);
        const t0 = performance.now();
        const r = await agent.rnx(["runtime", "install", packed]);
        const seconds = (performance.now() - t0) / 1000;
        assertEquals(r.code, 0, r.stderr);
        assertMatch(r.stdout, /^done \d+\/\d+: python-3\.11 installed in [\d.]+ s$/m);
        assertEquals(runtimesDir(agent), ["python-3.11"]);
        const after = await python(agent);
        assertEquals([after.size_bytes, after.packages.length], [before.size_bytes, before.packages.length]);
        const job = await agent.runToEnd([
          "--runtime=python-3.11",
          "python3",
          "-c",
          "import ssl; print(1+1)",
        ]);
        assertEquals([job.job.status, job.stdout], ["COMPLETED", "2\n"], job.stderr);
        console.log(`install from file: ${seconds.toFixed(1)} s`);
      });

      await t.step(
        "install again is refused without --force, and while a job uses it; --force replaces it",
        async () => {
          const again = await agent.rnx(["runtime", "install", packed]);
          assertEquals(again.code, 1);
          assertStringIncludes(
            again.stderr,
            `runtime python-3.11 is already installed (reinstall it with: rnx`,
          );
          const sleeper = await agent.runJob([
            "--runtime=python-3.11",
            "python3",
            "-c",
            "import time; time.sleep(60)",
          ]);
          const busy = await agent.rnx(["runtime", "install", packed, "--force"]);
          assertEquals(busy.code, 1);
          assertStringIncludes(busy.stderr, `in use by job ${sleeper.id}`);
          assertEquals((await agent.rnx(["job", "stop", sleeper.id])).code, 0);
          await agent.waitFinished(sleeper.id);
          const forced = await agent.rnx(["runtime", "install", packed, "--force"]);
          assertEquals(forced.code, 0, forced.stderr);
          assertEquals(runtimesDir(agent), ["python-3.11"]);
        },
      );

      await t.step(
        "install from a URL: the sha256 is required and checked; a wrong one installs nothing",
        async () => {
          assertEquals((await agent.rnx(["runtime", "remove", "python-3.11"])).code, 0);
          const none = await agent.rnx(["runtime", "install", url]);
          assertEquals(none.code, 2);
          assertStringIncludes(none.stderr, "needs --sha256=HEX");
          const wrong = await agent.rnx(["runtime", "install", url, `--sha256=${"0".repeat(64)}`]);
          assertEquals(wrong.code, 1);
          assertStringIncludes(wrong.stderr, `the archive's sha256 is ${sha}, not ${"0".repeat(64)}`);
          assertEquals(runtimesDir(agent), []);
          const missing = await agent.rnx([
            "runtime",
            "install",
            url.replace(".tar.zst", "-x.tar.zst"),
            `--sha256=${sha}`,
          ]);
          assertEquals(missing.code, 1);
          assertStringIncludes(missing.stderr, "the server answered 404");
          const right = await agent.rnx(["runtime", "install", url, `--sha256=${sha}`]);
          assertEquals(right.code, 0, right.stderr);
          assertMatch(right.stdout, /^download \[#+\] \(.+\): http:\/\/127\.0\.0\.1/m);
          assertEquals(runtimesDir(agent), ["python-3.11"]);
          const job = await agent.runToEnd(["--runtime=python-3.11", "python3", "-c", "print(3)"]);
          assertEquals(job.stdout, "3\n", job.stderr);
        },
      );

      await t.step(
        "a truncated, a garbage and an escaping archive fail clearly and leave nothing",
        async () => {
          assertEquals((await agent.rnx(["runtime", "remove", "python-3.11"])).code, 0);
          const whole = Deno.readFileSync(packed);
          const cut = `${work}/cut.tar.zst`;
          Deno.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
          const r1 = await agent.rnx(["runtime", "install", cut]);
          assertEquals(r1.code, 1);
          assertMatch(
            r1.stderr,
            /cannot install packed runtime .*cut\.tar\.zst: the archive is not a complete zstd/,
          );
          const garbage = `${work}/garbage.tar.zst`;
          Deno.writeFileSync(garbage, crypto.getRandomValues(new Uint8Array(65536)));
          const r2 = await agent.rnx(["runtime", "install", garbage]);
          assertEquals(r2.code, 1);
          assertStringIncludes(r2.stderr, "not a complete zstd stream");
          const escapee = `joblet-escape-${crypto.randomUUID().slice(0, 8)}`;
          const evil = `${work}/evil.tar.zst`;
          Deno.writeFileSync(
            evil,
            await zstd(tarBytes([
              manifestMember(),
              { name: "root/", type: "directory" },
              { name: `root/../../../${escapee}`, type: "file", data: "pwned" },
            ])),
          );
          const r3 = await agent.rnx(["runtime", "install", evil]);
          assertEquals(r3.code, 1);
          assertStringIncludes(r3.stderr, `escapes the runtime root`);
          for (const d of [agent.stateDir, `${agent.stateDir}/runtimes`, "/", "/tmp"]) {
            assert(!exists(`${d}/${escapee}`), `${d}/${escapee} was written`);
          }
          assertEquals(runtimesDir(agent), []);
          assertEquals((await agent.rnx(["runtime", "list"])).code, 0);
        },
      );
    } finally {
      await server.shutdown();
      await agent.stop();
    }

    await t.step(
      "disk full while unpacking: error, the partial runtime removed, the agent healthy",
      async () => {
        const state = Deno.makeTempDirSync({ prefix: "joblet-e2e-" });
        const dir = `${state}/runtimes`;
        Deno.mkdirSync(dir, { mode: 0o700 });
        await sh("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", dir]);
        let small: TestAgent | undefined;
        try {
          small = await TestAgent.start({ stateDir: state });
          const r = await small.rnx(["runtime", "install", packed]);
          assertEquals(r.code, 1);
          assertStringIncludes(r.stderr, "no space left on the agent's disk while unpacking");
          assertEquals(runtimesDir(small), []);
          const job = await small.runToEnd(["sh", "-c", "echo alive"]);
          assertEquals(job.stdout, "alive\n", job.stderr);
          assertEquals((await small.rnx(["runtime", "list"])).code, 0);
        } finally {
          await small?.stop({ keepState: true });
          await sh("umount", [dir]);
          Deno.removeSync(state, { recursive: true });
        }
      },
    );
    Deno.removeSync(work, { recursive: true });
  },
});

/** python-3.11 as `rnx runtime list --json` shows it. */
async function python(agent: TestAgent): Promise<{ size_bytes: number; packages: unknown[] }> {
  const list = await agent.rnxJson<Array<{ name: string; size_bytes: number; packages: unknown[] }>>([
    "runtime",
    "list",
  ]);
  return list.find((r) => r.name === "python-3.11")!;
}

function exists(p: string): boolean {
  try {
    Deno.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
