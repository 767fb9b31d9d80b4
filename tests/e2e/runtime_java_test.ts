/**
 * The built-in `openjdk-17` runtime end to end: installed with the seeds' colon spelling (`openjdk:17`), it has
 * `javac` and `java` on PATH (the update-alternatives links made inside the runtime), JAVA_HOME, and a `cacerts`
 * keystore that the runtime's own java made at install; the host's Java, alternatives, certificates and dpkg
 * database are untouched. Downloads ~70 MB once (cold: ~40 s here; with the .deb cache ~25 s; 338 MiB on disk).
 *
 * Needs root, cgroups, apt-get and the distribution's mirror (skipped with the reason otherwise).
 */
import { join } from "node:path";
import { assertEquals, assertMatch, assertStringIncludes } from "../assert.ts";
import { dirListing, dpkgList, fileStamp, skipRuntime, useTestDebCache } from "./_runtime.ts";
import { TestAgent } from "./_agent.ts";

const ignore = skipRuntime();
useTestDebCache();

/** What a Java install must not change on the host: dpkg's view, alternatives, certificates, keystore. */
async function hostJavaState(): Promise<string> {
  return [
    await dpkgList(),
    dirListing("/etc/alternatives"),
    dirListing("/usr/bin"),
    dirListing("/etc/ssl/certs"),
    fileStamp("/etc/ssl/certs/java/cacerts"),
    fileStamp("/etc/ssl/certs/ca-certificates.crt"),
    fileStamp("/etc/ld.so.cache"),
    dirListing("/var/lib/dpkg"),
  ].join("\n---\n");
}

Deno.test({
  name:
    "e2e: rnx runtime install openjdk:17, then a --runtime job compiles and runs Hello.java with the runtime's JDK",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const agent = await TestAgent.start();
    const src = Deno.makeTempDirSync({ prefix: "joblet-java-" });
    try {
      const before = await hostJavaState();
      const t0 = performance.now();
      const inst = await agent.rnx(["runtime", "install", "openjdk:17"]);
      const seconds = (performance.now() - t0) / 1000;
      assertEquals(inst.code, 0, inst.stderr);
      assertMatch(inst.stdout, /^configure: \d+ links \(update-alternatives\): /m);
      assertMatch(inst.stdout, /^configure: Java cacerts keystore/m);
      assertEquals(
        await hostJavaState(),
        before,
        "the host's dpkg database, alternatives or certificates changed",
      );
      assertEquals([...Deno.readDirSync(`${agent.stateDir}/runtimes`)].map((e) => e.name), ["openjdk-17"]);

      const [rt] = await agent.rnxJson<Array<Record<string, unknown>>>(["runtime", "list"]);
      assertEquals([rt.name, rt.version, rt.language, rt.installed], ["openjdk-17", "17", "java", true]);
      console.log(
        `openjdk-17: installed in ${seconds.toFixed(1)} s, ${
          ((rt.size_bytes as number) / 1024 ** 2).toFixed(1)
        } MiB, ${(rt.packages as unknown[]).length} packages`,
      );
      const info = await agent.rnx(["runtime", "info", "openjdk@17"]);
      assertMatch(info.stdout, /^ {2}openjdk-17-jdk-headless 17\.\d/m);

      Deno.writeTextFileSync(
        join(src, "Hello.java"),
        'public class Hello { public static void main(String[] a) { System.out.println("Hello from Java " + ' +
          'Runtime.version().feature() + " at " + System.getProperty("java.home")); } }\n',
      );
      const hello = await agent.runToEnd([
        "--runtime=openjdk-17",
        "--upload",
        join(src, "Hello.java"),
        "sh",
        "-c",
        'javac Hello.java && java -cp . Hello && echo "JAVA_HOME=$JAVA_HOME"',
      ]);
      assertEquals(hello.job.status, "COMPLETED", hello.stderr);
      assertEquals(
        hello.stdout,
        "Hello from Java 17 at /usr/lib/jvm/java-17-openjdk-amd64\nJAVA_HOME=/usr/lib/jvm/java-17-openjdk\n"
          .replace("amd64", Deno.build.arch === "x86_64" ? "amd64" : "arm64"),
      );

      // The keystore the runtime's java made at install, read with the runtime's keytool in a job.
      const keys = await agent.runToEnd([
        "--runtime=openjdk:17",
        "keytool",
        "-list",
        "-cacerts",
        "-storepass",
        "changeit",
      ]);
      assertEquals(keys.job.status, "COMPLETED", keys.stderr);
      const entries = keys.stdout.match(/trustedCertEntry/g)?.length ?? 0;
      assertEquals(entries > 100, true, keys.stdout.slice(0, 500));

      const rofs = await agent.runToEnd([
        "--runtime=openjdk-17",
        "sh",
        "-c",
        "echo x > /usr/lib/jvm/java-17-openjdk/release",
      ]);
      assertEquals(rofs.job.status, "FAILED");
      assertStringIncludes(rofs.stderr, "Read-only file system");

      const smoke = await agent.rnx(["runtime", "test", "openjdk-17"]);
      assertEquals(smoke.code, 0, smoke.stderr);
      assertMatch(smoke.stdout, /^java 17\.\S+, \d{3} CA certificates$/m);
      assertStringIncludes(smoke.stderr, "smoke test passed");
    } finally {
      Deno.removeSync(src, { recursive: true });
      await agent.stop();
    }
  },
});
