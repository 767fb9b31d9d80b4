import { assertEquals, assertNotEquals, assertRejects } from "../../../tests/assert.ts";
import { treeDigest } from "./archive_digest.ts";

function tree(): string {
  const d = Deno.makeTempDirSync({ prefix: "joblet-digest-" });
  Deno.mkdirSync(`${d}/usr/bin`, { recursive: true });
  Deno.writeTextFileSync(`${d}/usr/bin/tool`, "#!/bin/sh\necho hi\n", { mode: 0o755 });
  Deno.chmodSync(`${d}/usr/bin/tool`, 0o755);
  Deno.writeFileSync(`${d}/usr/big`, new Uint8Array(600_000).fill(7));
  Deno.symlinkSync("usr/bin", `${d}/bin`);
  return d;
}

Deno.test("treeDigest() is the same for two identical trees and counts file bytes", async () => {
  const [a, b] = [tree(), tree()];
  try {
    const [da, db] = [await treeDigest(a), await treeDigest(b)];
    assertEquals(da, db);
    assertEquals(da.bytes, 600_000 + 18);
    assertEquals(/^sha256:[0-9a-f]{64}$/.test(da.checksum), true);
  } finally {
    for (const d of [a, b]) Deno.removeSync(d, { recursive: true });
  }
});

Deno.test("treeDigest() changes with a file's content, its mode, or a link's target", async () => {
  const d = tree();
  try {
    const first = (await treeDigest(d)).checksum;
    const big = Deno.readFileSync(`${d}/usr/big`);
    big[599_999] = 8;
    Deno.writeFileSync(`${d}/usr/big`, big);
    const second = (await treeDigest(d)).checksum;
    assertNotEquals(second, first);
    Deno.chmodSync(`${d}/usr/bin/tool`, 0o700);
    const third = (await treeDigest(d)).checksum;
    assertNotEquals(third, second);
    Deno.removeSync(`${d}/bin`);
    Deno.symlinkSync("/usr/bin", `${d}/bin`);
    assertNotEquals((await treeDigest(d)).checksum, third);
  } finally {
    Deno.removeSync(d, { recursive: true });
  }
});

Deno.test("treeDigest() of a missing root fails with NotFound", async () => {
  await assertRejects(() => treeDigest("/nonexistent/joblet-root"), /No such file|not found/i);
});
