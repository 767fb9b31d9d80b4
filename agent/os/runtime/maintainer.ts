/**
 * The maintainer-script steps that matter, done inside a freshly unpacked runtime root (ADR 0010) — never on the
 * host, and with the runtime's own programs where a program is needed (in_root.ts):
 *
 * 1. Alternatives: the packages' literal `update-alternatives --install` calls (alternatives.ts:
 *    `libblas.so.3` → OpenBLAS), then the spec's `links` (links.ts: `/usr/bin/java`, …).
 * 2. `ldconfig -r ROOT`: the root's `/etc/ld.so.cache` (libc-bin's trigger), after the links it may index.
 * 3. CA certificates (ca-certificates' postinst): conf, `/etc/ssl/certs/*.pem`, the bundle, then the hash links
 *    with the runtime's `openssl rehash`.
 * 4. Java's `cacerts` (ca-certificates-java's postinst): the runtime's `java` runs Debian's
 *    `ca-certificates-java.jar`, which writes `/etc/ssl/certs/java/cacerts` from the `.pem` links.
 */
import { join } from "node:path";
import { internal } from "../../domain/errors.ts";
import type { RuntimeSpec } from "../../domain/runtime.ts";
import type { InstallProgress } from "../../core/runtime_ports.ts";
import { installCaCertificates } from "./ca_certs.ts";
import { makeLinks } from "./links.ts";
import { applyAlternatives, parseAlternatives } from "./alternatives.ts";
import { runInRoot } from "./in_root.ts";

const JAVA_CERTS_JAR = "/usr/share/ca-certificates-java/ca-certificates-java.jar";
export const JAVA_CACERTS = "/etc/ssl/certs/java/cacerts";

export async function* configureRoot(
  root: string,
  spec: RuntimeSpec,
  alternativeScripts: string[],
  signal?: AbortSignal,
): AsyncGenerator<InstallProgress> {
  const step = (message: string): InstallProgress => ({
    phase: "configure",
    message,
    done: 0,
    total: 0,
    bytes: 0,
    totalBytes: 0,
  });

  const alts = applyAlternatives(root, alternativeScripts.flatMap(parseAlternatives));
  if (alts.length > 0) yield step(`${alts.length} alternatives: ${alts.slice(0, 3).join(", ")}`);
  const links = makeLinks(root, spec.links);
  if (links.length > 0) {
    yield step(`${links.length} links (update-alternatives): ${links.slice(0, 3).join(", ")}`);
  }

  yield step("ldconfig in the runtime root");
  await ldconfig(root, signal);

  const pems = installCaCertificates(root);
  if (pems.length > 0) {
    yield step(`CA certificates: ${pems.length} in /etc/ssl/certs/ca-certificates.crt`);
    if (isFile(join(root, "usr/bin/openssl"))) {
      await runInRoot(root, ["openssl", "rehash", "/etc/ssl/certs"], { signal });
    }
  }

  if (pems.length > 0 && isFile(join(root, JAVA_CERTS_JAR)) && isFile(join(root, "usr/bin/java"))) {
    yield step("Java cacerts keystore (the runtime's java runs ca-certificates-java)");
    Deno.mkdirSync(join(root, "etc/ssl/certs/java"), { recursive: true });
    await runInRoot(root, ["java", "-Xmx64m", "-jar", JAVA_CERTS_JAR, "-storepass", "changeit"], {
      stdin: pems.map((p) => `+${p}\n`).join(""),
      signal,
    });
    if (!isFile(join(root, JAVA_CACERTS))) {
      throw internal(`ca-certificates-java ran but made no ${JAVA_CACERTS} in the runtime`);
    }
  }
}

async function ldconfig(root: string, signal?: AbortSignal): Promise<void> {
  const out = await new Deno.Command("ldconfig", {
    args: ["-r", root],
    stdout: "null",
    stderr: "piped",
    signal,
  }).output();
  if (!out.success) {
    throw internal(`ldconfig -r ${root} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** A regular file, following links inside the root (relative ones, as runtimes have). */
function isFile(p: string): boolean {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return false;
  }
}
