import assert from "node:assert/strict";
import { UploadKind } from "../proto/gen/joblet.ts";
import type { UploadChunk } from "../proto/gen/joblet.ts";
import { baseName, checkUploadPath, planUploads, uploadChunks } from "./uploads.ts";
import { UsageError } from "./errors.ts";
import { assertIncludes, rejected, thrown } from "./_testing.ts";

async function tree(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "rnx-uploads-" });
  await Deno.mkdir(`${root}/src/sub`, { recursive: true });
  await Deno.mkdir(`${root}/src/empty`);
  await Deno.writeTextFile(`${root}/src/main.sh`, "echo hi\n");
  await Deno.chmod(`${root}/src/main.sh`, 0o755);
  await Deno.writeTextFile(`${root}/src/sub/data.txt`, "0123456789");
  await Deno.chmod(`${root}/src/sub/data.txt`, 0o600);
  await Deno.writeTextFile(`${root}/one.txt`, "");
  await Deno.chmod(`${root}/one.txt`, 0o644);
  for (const d of ["src", "src/sub", "src/empty"]) await Deno.chmod(`${root}/${d}`, 0o755);
  return root;
}

async function collect(gen: AsyncGenerator<UploadChunk>): Promise<UploadChunk[]> {
  const out: UploadChunk[] = [];
  for await (const c of gen) out.push(c);
  return out;
}

Deno.test("planUploads() puts a file at its basename and a directory under its name, recursively", async () => {
  const root = await tree();
  try {
    const plan = await planUploads([`${root}/one.txt`, `${root}/src/`], []);
    assert.deepEqual(plan.entries.map((e) => [e.kind, e.path, e.mode.toString(8)]), [
      ["file", "one.txt", "644"],
      ["directory", "src", "755"],
      ["directory", "src/empty", "755"],
      ["file", "src/main.sh", "755"],
      ["directory", "src/sub", "755"],
      ["file", "src/sub/data.txt", "600"],
    ]);
    assert.equal(plan.totalBytes, 8 + 10);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("planUploads() puts an --upload-dir's contents at the top of /work", async () => {
  const root = await tree();
  try {
    const plan = await planUploads([], [`${root}/src`]);
    assert.deepEqual(plan.entries.map((e) => e.path), ["empty", "main.sh", "sub", "sub/data.txt"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("planUploads() rejects a missing path before anything is read", async () => {
  const err = await rejected(() => planUploads(["/no/such/file.txt"], []), UsageError);
  assertIncludes(err.message, `--upload "/no/such/file.txt" does not exist`);
});

Deno.test("planUploads() rejects two uploads landing on the same path", async () => {
  const root = await tree();
  try {
    await Deno.writeTextFile(`${root}/src/one.txt`, "x");
    const err = await rejected(() => planUploads([`${root}/one.txt`], [`${root}/src`]), UsageError);
    assertIncludes(err.message, "/work/one.txt");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("planUploads() skips a symlinked directory but follows a symlinked file", async () => {
  const root = await tree();
  try {
    await Deno.symlink(`${root}/src`, `${root}/src/sub/loop`);
    await Deno.symlink(`${root}/one.txt`, `${root}/src/link.txt`);
    const plan = await planUploads([`${root}/src`], []);
    const paths = plan.entries.map((e) => e.path);
    assert.ok(paths.includes("src/link.txt"));
    assert.ok(!paths.some((p) => p.includes("loop")));
    assertIncludes(plan.skipped.join("\n"), "symbolic link to a directory");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("uploadChunks() splits files into chunks and marks the last one", async () => {
  const root = await tree();
  try {
    const plan = await planUploads([`${root}/src`, `${root}/one.txt`], []);
    const chunks = await collect(uploadChunks(plan.entries, 4));
    const view = chunks.map((c) => [c.path, c.kind, new TextDecoder().decode(c.data), c.last]);
    assert.deepEqual(view, [
      ["src", UploadKind.UPLOAD_KIND_DIRECTORY, "", true],
      ["src/empty", UploadKind.UPLOAD_KIND_DIRECTORY, "", true],
      ["src/main.sh", UploadKind.UPLOAD_KIND_FILE, "echo", false],
      ["src/main.sh", UploadKind.UPLOAD_KIND_FILE, " hi\n", true],
      ["src/sub", UploadKind.UPLOAD_KIND_DIRECTORY, "", true],
      ["src/sub/data.txt", UploadKind.UPLOAD_KIND_FILE, "0123", false],
      ["src/sub/data.txt", UploadKind.UPLOAD_KIND_FILE, "4567", false],
      ["src/sub/data.txt", UploadKind.UPLOAD_KIND_FILE, "89", true],
      ["one.txt", UploadKind.UPLOAD_KIND_FILE, "", true],
    ]);
    assert.equal(chunks[3].mode, 0o755);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("checkUploadPath() refuses absolute paths and '..' parts", () => {
  for (const bad of ["/etc/passwd", "../x", "a/../../x", "a//b", "", "a/./b", "a\0b"]) {
    thrown(() => checkUploadPath(bad), UsageError);
  }
  checkUploadPath("a/b.c/..d");
});

Deno.test("baseName() ignores trailing slashes and resolves '.'", () => {
  assert.equal(baseName("dir/sub/"), "sub");
  assert.equal(baseName("file.txt"), "file.txt");
  assert.equal(baseName("."), Deno.cwd().split("/").pop());
  assert.equal(baseName("/"), "");
});
