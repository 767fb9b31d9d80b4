import { assert, assertEquals } from "../../../tests/assert.ts";
import { ImagePool } from "./image_pool.ts";

/** A stand-in for mkfs: marks the file so a test can tell a formatted image from a fresh one. */
function fakeFormat(calls: string[], fail = false) {
  return async (image: string) => {
    await Promise.resolve();
    calls.push(image);
    if (fail) throw new Error("mkfs.ext4 exited with 1: no");
    Deno.writeTextFileSync(image, "ext4", { append: false });
    Deno.truncateSync(image, 1 << 20);
  };
}

Deno.test("ImagePool keeps `size` formatted images ready and hands one over by rename", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const calls: string[] = [];
    const pool = new ImagePool({ dir: `${dir}/pool`, bytes: 1 << 20, size: 2, format: fakeFormat(calls) });
    await pool.filled();
    assertEquals(pool.ready, 2);
    assert(pool.take(1 << 20, `${dir}/a.img`));
    assertEquals(Deno.readTextFileSync(`${dir}/a.img`).slice(0, 4), "ext4");
    assertEquals(Deno.statSync(`${dir}/a.img`).size, 1 << 20);
    await pool.filled();
    assertEquals(pool.ready, 2, "the taken image is replaced");
    assertEquals(calls.length, 3);
    await pool.stop();
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["a.img"], "stop() deletes the ready ones");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ImagePool.take() refuses another size, so --max-disk jobs format their own", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const pool = new ImagePool({ dir: `${dir}/pool`, bytes: 1 << 20, size: 1, format: fakeFormat([]) });
    await pool.filled();
    assertEquals(pool.take(2 << 20, `${dir}/b.img`), false);
    assertEquals(pool.ready, 1);
    await pool.stop();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ImagePool empties what an earlier agent left in its directory", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/pool`);
    Deno.writeTextFileSync(`${dir}/pool/img-9.new`, "half made");
    const pool = new ImagePool({ dir: `${dir}/pool`, bytes: 1 << 20, size: 1, format: fakeFormat([]) });
    await pool.filled();
    assertEquals([...Deno.readDirSync(`${dir}/pool`)].map((e) => e.name), ["img-1.ext4"]);
    await pool.stop();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("ImagePool stops trying after a failed format, leaves nothing and tries again at the next take", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const calls: string[] = [];
    const logs: string[] = [];
    const pool = new ImagePool({
      dir: `${dir}/pool`,
      bytes: 1 << 20,
      size: 3,
      format: fakeFormat(calls, true),
      log: (m) => logs.push(m),
    });
    await pool.filled();
    assertEquals(calls.length, 1, "one failure, no retry loop");
    assertEquals(pool.ready, 0);
    assertEquals([...Deno.readDirSync(`${dir}/pool`)], [], "the half-made image is deleted");
    assert(logs[0].includes("mkfs.ext4 exited with 1"), logs[0]);
    assertEquals(pool.take(1 << 20, `${dir}/c.img`), false);
    await pool.filled();
    assertEquals(calls.length, 2);
    await pool.stop();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
