/**
 * Runtimes end to end: `rnx runtime install python-3.11` builds a root from Debian's packages with a private apt
 * state (downloads ~20 MB from the distribution's mirror; ~8 s here), leaving the host's dpkg database and apt
 * dirs as they were; `--runtime=` jobs see the runtime's /usr instead of the host's (a marker under the host's
 * /usr/local vanishes), cannot write into it (EROFS), get its env under theirs; remove is refused while a job
 * uses it; bad names and packages fail with clear errors and leave nothing behind.
 *
 * Needs root, cgroups, apt-get and the distribution's mirror (skipped with the reason otherwise).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../assert.ts";
import { dirListing, dpkgList, fileStamp, skipRuntime, useTestDebCache } from "./_runtime.ts";
import { TestAgent } from "./_agent.ts";

const ignore = skipRuntime();
useTestDebCache();

/** What must not change on the host when a runtime is installed. */
async function hostPackageState(): Promise<string> {
  return [
    await dpkgList(),
    Deno.readTextFileSync("/var/lib/dpkg/status"),
    dirListing("/var/lib/apt/lists"),
    dirListing("/var/cache/apt/archives"),
    dirListing("/var/lib/dpkg"),
    // The CA step runs inside the runtime root: the host's certificates and ld.so.cache stay as they were.
    dirListing("/etc/ssl/certs"),
    dirListing("/etc/alternatives"),
    fileStamp("/etc/ssl/certs/ca-certificates.crt"),
    fileStamp("/etc/ca-certificates.conf"),
    fileStamp("/etc/ld.so.cache"),
  ].join("\n---\n");
}

Deno.test({
  name:
    "e2e: rnx runtime install python-3.11, then a --runtime job runs the runtime's python3 and not the host's /usr",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    const marker = `/usr/local/joblet-runtime-marker-${crypto.randomUUID().slice(0, 8)}`;
    try {
      const unknown = await agent.rnx(["job", "run", "--runtime=python-3.11", "true"]);
      assertEquals(unknown.code, 1);
      assertStringIncludes(unknown.stderr, `runtime "python-3.11" is not installed (none is installed`);

      const before = await hostPackageState();
      const t0 = performance.now();
      const inst = await agent.rnx(["runtime", "install", "python-3.11"]);
      const seconds = (performance.now() - t0) / 1000;
      assertEquals(inst.code, 0, inst.stderr);
      assertMatch(inst.stdout, /^download \[[#.]+\] \d+\/\d+ \(/m);
      assertMatch(inst.stdout, /^unpack \[[#.]+\] \d+\/\d+: python3 /m);
      assertMatch(inst.stdout, /^done \d+\/\d+: python-3\.11 installed in/m);
      assertEquals(await hostPackageState(), before, "the host's dpkg database or apt dirs changed");
      assertEquals([...Deno.readDirSync(`${agent.stateDir}/runtimes`)].map((e) => e.name), ["python-3.11"]);

      const rt = (await agent.rnxJson<Array<Record<string, unknown>>>(["runtime", "list"]))
        .find((r) => r.name === "python-3.11")!;
      assertEquals([rt.name, rt.version, rt.installed], ["python-3.11", "3.11", true]);
      console.log(
        `python-3.11: installed in ${seconds.toFixed(1)} s, ${
          ((rt.size_bytes as number) / 1024 ** 2).toFixed(1)
        } MiB, ` +
          `${(rt.packages as unknown[]).length} packages`,
      );
      const info = await agent.rnx(["runtime", "info", "python@3.11"]);
      assertMatch(info.stdout, /^ {2}python3\.11 3\.11\.\d/m);

      const two = await agent.runToEnd(["--runtime=python-3.11", "python3", "-c", "print(1+1)"]);
      assertEquals([two.job.status, two.stdout], ["COMPLETED", "2\n"], two.stderr);
      assertEquals((await agent.rnxJson(["job", "status", two.job.id as string])).runtime, "python-3.11");

      Deno.writeTextFileSync(marker, "host\n");
      const look = ["sh", "-c", `test -e ${marker} && echo visible || echo invisible`];
      const withRt = await agent.runToEnd(["--runtime=python:3.11", ...look]);
      const without = await agent.runToEnd(look);
      assertEquals([withRt.stdout, without.stdout], ["invisible\n", "visible\n"]);

      const rofs = await agent.runToEnd(["--runtime=python-3.11", "sh", "-c", "echo x > /usr/bin/evil"]);
      assertEquals(rofs.job.status, "FAILED");
      assertStringIncludes(rofs.stderr, "Read-only file system");

      // CA certificates come with every runtime, bundled inside it: Python's default context loads them.
      const ca = await agent.runToEnd([
        "--runtime=python-3.11",
        "python3",
        "-c",
        "import ssl; print(len(ssl.create_default_context().get_ca_certs()) > 100, ssl.get_default_verify_paths().cafile)",
      ]);
      assertEquals(ca.stdout, "True /usr/lib/ssl/cert.pem\n", ca.stderr);

      const env = await agent.runToEnd([
        "--runtime=python-3.11",
        "--env=PYTHONUNBUFFERED=yes",
        "sh",
        "-c",
        'echo "$PATH $PYTHONUNBUFFERED $PYTHONDONTWRITEBYTECODE"',
      ]);
      assertEquals(env.stdout, "/usr/local/bin:/usr/bin:/bin yes 1\n");

      const smoke = await agent.rnx(["runtime", "test", "python-3.11"]);
      assertEquals(smoke.code, 0, smoke.stderr);
      assertStringIncludes(smoke.stdout, "python 3.11.");
      assertStringIncludes(smoke.stderr, "smoke test passed");

      const sleeper = await agent.runJob([
        "--runtime=python-3.11",
        "python3",
        "-c",
        "import time; time.sleep(60)",
      ]);
      const busy = await agent.rnx(["runtime", "remove", "python-3.11"]);
      assertEquals(busy.code, 1);
      assertStringIncludes(busy.stderr, `in use by job ${sleeper.id}`);
      assertEquals((await agent.rnx(["job", "stop", sleeper.id])).code, 0);

      const other = await agent.rnx(["job", "run", "--runtime=ruby@3.1", "true"]);
      assertEquals(other.code, 1);
      assertStringIncludes(
        other.stderr,
        `runtime "ruby-3.1" is not installed (installed: python-3.11; ` +
          `rnx runtime install NAME adds one of: openjdk-17, python-3.11-ml)`,
      );

      const bad = `${agent.stateDir}/bad.yaml`;
      Deno.writeTextFileSync(
        bad,
        "name: broken-1\nversion: '1'\nlanguage: none\npackages: [python3, joblet-no-such-package]\ntest: 'true'\n",
      );
      const broken = await agent.rnx(["runtime", "install", bad]);
      assertEquals(broken.code, 1);
      assertStringIncludes(
        broken.stderr,
        `cannot install runtime broken-1: package "joblet-no-such-package" not found`,
      );
      assertEquals([...Deno.readDirSync(`${agent.stateDir}/runtimes`)].map((e) => e.name), ["python-3.11"]);

      const removed = await agent.rnx(["runtime", "remove", "python-3.11"]);
      assertEquals(removed.code, 0, removed.stderr);
      assertEquals([...Deno.readDirSync(`${agent.stateDir}/runtimes`)].length, 0);
      assert(
        (await agent.rnxJson<Array<{ installed: boolean }>>(["runtime", "list"])).every((r) => !r.installed),
      );
    } finally {
      await Deno.remove(marker).catch(() => {});
      await agent.stop();
    }
  },
});
