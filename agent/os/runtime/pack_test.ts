/**
 * Packs and unpacks small runtimes with the real tar and zstd (so these need --allow-run: skipped by
 * `deno task test:unit`, run by `deno test -A`). The staging-dir rules around them are tested end to end in
 * tests/e2e/runtime_pack_test.ts.
 */
import { assertEquals, assertMatch, assertRejects } from "../../../tests/assert.ts";
import type { InstallProgress } from "../../core/runtime_ports.ts";
import type { RuntimeRecord, RuntimeSpec } from "../../domain/runtime.ts";
import { manifestFor, manifestMember, type Member, tarBytes } from "./archive_testing.ts";
import { treeDigest } from "./archive_digest.ts";
import { packRuntime, type UnpackOptions, unpackRuntime } from "./pack.ts";

const canRun = Deno.permissions.querySync({ name: "run" }).state === "granted" && has("tar") && has("zstd");
const ignore = !canRun;

function has(cmd: string): boolean {
  try {
    return new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** `<dir>/root` with a file, an executable, a dir symlink, an absolute symlink and a hard link. */
function runtimeDir(): string {
  const d = Deno.makeTempDirSync({ prefix: "joblet-pack-" });
  const r = `${d}/root`;
  Deno.mkdirSync(`${r}/usr/bin`, { recursive: true });
  Deno.mkdirSync(`${r}/etc/alternatives`, { recursive: true });
  Deno.writeTextFileSync(`${r}/usr/bin/hello`, "#!/bin/sh\necho hello\n");
  Deno.chmodSync(`${r}/usr/bin/hello`, 0o755);
  Deno.writeFileSync(`${r}/usr/data`, crypto.getRandomValues(new Uint8Array(60_000)));
  Deno.linkSync(`${r}/usr/bin/hello`, `${r}/usr/bin/hello2`);
  Deno.symlinkSync("usr/bin", `${r}/bin`);
  Deno.symlinkSync("/usr/lib/jvm/java/bin/java", `${r}/etc/alternatives/java`);
  return d;
}

async function packed(dir: string, spec: RuntimeSpec): Promise<Uint8Array> {
  const record: RuntimeRecord = {
    spec,
    packages: [{ name: "dash", version: "1" }],
    sizeBytes: 0,
    installedAt: 1,
  };
  const parts: Uint8Array[] = [];
  for await (const c of packRuntime(dir, record)) parts.push(c.data);
  return concat(parts);
}

async function unpackInto(
  archive: Uint8Array,
  over: Partial<UnpackOptions> = {},
): Promise<
  { dir: string; admitted: string[]; events: InstallProgress[]; record?: RuntimeRecord; error?: Error }
> {
  const dir = Deno.makeTempDirSync({ prefix: "joblet-unpack-" });
  const admitted: string[] = [];
  const events: InstallProgress[] = [];
  async function* chunks() {
    for (let i = 0; i < archive.length; i += 4096) yield archive.subarray(i, i + 4096);
  }
  const it = unpackRuntime({
    chunks: chunks(),
    size: archive.length,
    phase: "receive",
    label: "x.tar.zst",
    dir,
    admit: (s) => void admitted.push(s.name),
    ...over,
  });
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) return { dir, admitted, events, record: r.value };
      events.push(r.value);
    }
  } catch (e) {
    return { dir, admitted, events, error: e as Error };
  }
}

async function zstd(data: Uint8Array): Promise<Uint8Array> {
  const p = new Deno.Command("zstd", { args: ["-q", "-c"], stdin: "piped", stdout: "piped" }).spawn();
  const w = p.stdin.getWriter();
  await w.write(data);
  await w.close();
  return (await p.output()).stdout;
}

async function sha256(b: Uint8Array): Promise<string> {
  return [...new Uint8Array(await crypto.subtle.digest("SHA-256", b as BufferSource))]
    .map((x) => x.toString(16).padStart(2, "0")).join("");
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const rm = (...dirs: string[]) => dirs.forEach((d) => Deno.removeSync(d, { recursive: true }));

Deno.test({
  name: "packRuntime() then unpackRuntime() gives the same root, links included, and runtime.json",
  ignore,
  async fn() {
    const src = runtimeDir();
    const spec = manifestFor().spec;
    const archive = await packed(src, spec);
    assertEquals([...archive.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]); // zstd magic
    const out = await unpackInto(archive, { sha256: await sha256(archive) });
    try {
      assertEquals(out.error, undefined);
      assertEquals(out.admitted, ["tiny-1"]);
      assertEquals(await treeDigest(`${out.dir}/root`), await treeDigest(`${src}/root`));
      assertEquals(Deno.readLinkSync(`${out.dir}/root/etc/alternatives/java`), "/usr/lib/jvm/java/bin/java");
      assertEquals(Deno.statSync(`${out.dir}/root/usr/bin/hello2`).nlink, 2);
      const rec = JSON.parse(Deno.readTextFileSync(`${out.dir}/runtime.json`));
      assertEquals([rec.spec.name, rec.sizeBytes, rec.packages], ["tiny-1", out.record!.sizeBytes, [{
        name: "dash",
        version: "1",
      }]]);
      assertEquals([...new Set(out.events.map((e) => e.phase))].sort(), ["receive", "unpack", "verify"]);
    } finally {
      rm(src, out.dir);
    }
  },
});

Deno.test({
  name: "unpackRuntime() refuses a wrong sha256, a truncated archive and garbage with clear errors",
  ignore,
  async fn() {
    const src = runtimeDir();
    const archive = await packed(src, manifestFor().spec);
    const dirs = [src];
    try {
      const wrong = await unpackInto(archive, { sha256: "ab".repeat(32) });
      dirs.push(wrong.dir);
      assertMatch(wrong.error?.message ?? "", /the archive's sha256 is [0-9a-f]{64}, not abab/);
      const cut = await unpackInto(archive.subarray(0, Math.floor(archive.length / 2)));
      dirs.push(cut.dir);
      assertMatch(cut.error?.message ?? "", /not a complete zstd stream|truncated/);
      const garbage = await unpackInto(new Uint8Array(100_000).map((_, i) => (i * 31) & 0xff));
      dirs.push(garbage.dir);
      assertMatch(garbage.error?.message ?? "", /not a complete zstd stream \(zstd: .+\)/);
      assertEquals(garbage.admitted, []);
    } finally {
      rm(...dirs);
    }
  },
});

Deno.test({
  name: "unpackRuntime() stops an escaping member before tar sees it: nothing is written outside the dir",
  ignore,
  async fn() {
    const outside = `joblet-escape-${crypto.randomUUID().slice(0, 8)}`;
    const members: Member[] = [
      manifestMember(),
      { name: "root/", type: "directory" },
      { name: `root/../../${outside}`, type: "file", data: "pwned" },
    ];
    const out = await unpackInto(await zstd(tarBytes(members)));
    try {
      assertMatch(out.error?.message ?? "", /escapes the runtime root/);
      for (const p of [`${out.dir}/../${outside}`, `${out.dir}/../../${outside}`]) {
        await assertRejects(() => Deno.stat(p), /No such file|not found/i);
      }
    } finally {
      rm(out.dir);
    }
  },
});

Deno.test({
  name: "unpackRuntime() refuses an archive whose content does not match its manifest's checksum",
  ignore,
  async fn() {
    const members: Member[] = [
      manifestMember(manifestFor({ sizeBytes: 100 })),
      { name: "root/", type: "directory" },
      { name: "root/file", type: "file", data: "tampered" },
    ];
    const out = await unpackInto(await zstd(tarBytes(members)));
    try {
      assertMatch(out.error?.message ?? "", /does not match its manifest's checksum.*corrupt or was altered/);
    } finally {
      rm(out.dir);
    }
  },
});

Deno.test({
  name: "unpackRuntime() passes admit()'s refusal on before extracting anything",
  ignore,
  async fn() {
    const src = runtimeDir();
    const archive = await packed(src, manifestFor().spec);
    const out = await unpackInto(archive, {
      admit: () => {
        throw new Error("runtime tiny-1 is already installed");
      },
    });
    try {
      assertMatch(out.error?.message ?? "", /already installed/);
      assertEquals([...Deno.readDirSync(out.dir)].length, 0);
    } finally {
      rm(src, out.dir);
    }
  },
});
