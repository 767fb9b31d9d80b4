/**
 * HostVolumeDriver on the real kernel: ext4 images on loop devices and tmpfs volumes — sizes enforced, data kept
 * across re-attach, nothing left behind by remove or by a failed create. Needs root and loop devices.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { skip } from "../_requires.ts";
import { HostVolumeDriver } from "../../agent/os/volume/host_driver.ts";
import { isMounted } from "../../agent/os/volume/storage.ts";
import type { VolumeRecord } from "../../agent/domain/volume.ts";

const ignore = skip("root") || !exists("/dev/loop-control");
const MB = 1024 ** 2;

function record(name: string, type: VolumeRecord["type"], sizeBytes: number): VolumeRecord {
  return { name, type, sizeBytes, createdAt: Date.now() };
}

/** Loop devices backed by a file under `dir`. */
function loopsUnder(dir: string): string[] {
  const out = new TextDecoder().decode(new Deno.Command("losetup", { args: ["-a"] }).outputSync().stdout);
  return out.split("\n").filter((l) => l.includes(dir));
}

function mountsUnder(dir: string): string[] {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").filter((l) => l.includes(dir));
}

async function sh(script: string): Promise<{ code: number; err: string }> {
  const out = await new Deno.Command("sh", { args: ["-c", script], stdout: "null", stderr: "piped" })
    .output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr) };
}

async function noLoopsLeft(dir: string): Promise<string[]> {
  // Autoclear detaches the loop device from a kernel work queue just after the unmount.
  for (let i = 0; i < 50 && loopsUnder(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return loopsUnder(dir);
}

Deno.test({
  name: "volume driver: a 100MB filesystem volume refuses 150MB with ENOSPC and stays usable",
  ignore,
  async fn() {
    const root = Deno.makeTempDirSync({ prefix: "joblet-vol-" });
    const d = new HostVolumeDriver({ root });
    try {
      const t0 = performance.now();
      await d.create(record("small", "filesystem", 100 * MB));
      console.log(`create 100MB filesystem volume: ${(performance.now() - t0).toFixed(0)} ms`);
      const mnt = d.mountPoint("small");
      assert(isMounted(mnt));
      const big = await sh(`dd if=/dev/zero of=${mnt}/big bs=1M count=150 2>&1 >/dev/null; sync`);
      const r = await sh(`dd if=/dev/zero of=${mnt}/big2 bs=1M count=150`);
      assert(r.code !== 0, "writing 150MB into 100MB succeeded");
      assert(/No space left on device/.test(r.err), r.err);
      void big;
      await sh(`rm -f ${mnt}/big ${mnt}/big2`);
      Deno.writeTextFileSync(`${mnt}/after`, "still usable\n");
      assertEquals(Deno.readTextFileSync(`${mnt}/after`), "still usable\n");
      const usage = d.usage("small")!;
      assert(usage.totalBytes > 80 * MB && usage.totalBytes <= 100 * MB, `total ${usage.totalBytes}`);
      const image = Deno.statSync(`${root}/small/image.ext4`);
      assertEquals(image.size, 100 * MB);
      await d.remove("small");
      assertEquals(mountsUnder(root), []);
      assertEquals(await noLoopsLeft(root), []);
      assertEquals([...Deno.readDirSync(root)].length, 0);
    } finally {
      await sh(`umount -l ${root}/*/mnt 2>/dev/null`);
      Deno.removeSync(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "volume driver: data survives an unmount (as after a reboot) and is mounted again by recover()",
  ignore,
  async fn() {
    const root = Deno.makeTempDirSync({ prefix: "joblet-vol-" });
    try {
      const d = new HostVolumeDriver({ root });
      await d.create(record("keep", "filesystem", 16 * MB));
      await d.create(record("mem", "memory", 16 * MB));
      Deno.writeTextFileSync(`${d.mountPoint("keep")}/report.txt`, "hello\n");
      Deno.writeTextFileSync(`${d.mountPoint("mem")}/x`, "gone after reboot\n");
      // Agent restart without a reboot: still mounted, nothing to do.
      const again = await new HostVolumeDriver({ root }).recover();
      assertEquals(again.map((v) => [v.record.name, v.error]), [["keep", undefined], ["mem", undefined]]);
      assertEquals(Deno.readTextFileSync(`${d.mountPoint("mem")}/x`), "gone after reboot\n");
      // "Reboot": the mounts are gone.
      await sh(`umount ${d.mountPoint("keep")} && umount ${d.mountPoint("mem")}`);
      await noLoopsLeft(root);
      const d2 = new HostVolumeDriver({ root });
      const rec = await d2.recover();
      assertEquals(rec.map((v) => [v.record.name, v.record.type, v.error]), [
        ["keep", "filesystem", undefined],
        ["mem", "memory", undefined],
      ]);
      assertEquals(Deno.readTextFileSync(`${d2.mountPoint("keep")}/report.txt`), "hello\n");
      assertEquals([...Deno.readDirSync(d2.mountPoint("mem"))].length, 0);
      // The memory volume's size is enforced too.
      const r = await sh(`dd if=/dev/zero of=${d2.mountPoint("mem")}/big bs=1M count=32`);
      assert(/No space left on device/.test(r.err), r.err);
      await d2.remove("keep");
      await d2.remove("mem");
      assertEquals(mountsUnder(root), []);
      assertEquals(await noLoopsLeft(root), []);
    } finally {
      await sh(`umount -l ${root}/*/mnt 2>/dev/null`);
      Deno.removeSync(root, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "volume driver: a create that fails (disk full under the image) leaves no image, loop device or record",
  ignore,
  async fn() {
    const base = Deno.makeTempDirSync({ prefix: "joblet-vol-" });
    const root = `${base}/volumes`;
    Deno.mkdirSync(root);
    try {
      // The volumes live on a 4 MiB tmpfs: mkfs of a 1 TiB image needs more than that.
      assertEquals((await sh(`mount -t tmpfs -o size=4m tmpfs ${root}`)).code, 0);
      const d = new HostVolumeDriver({ root });
      await assertRejects(() => d.create(record("full", "filesystem", 1024 ** 4)), /No space left on device/);
      assertEquals([...Deno.readDirSync(root)].map((e) => e.name), []);
      assertEquals(await noLoopsLeft(root), []);
      assertEquals(mountsUnder(`${root}/`), []);
      // A leftover directory without a record (a crash mid-create) is cleared at start-up.
      Deno.mkdirSync(`${root}/half/mnt`, { recursive: true });
      assertEquals(await d.recover(), []);
      assertEquals([...Deno.readDirSync(root)].map((e) => e.name), []);
    } finally {
      await sh(`umount -l ${root}/*/mnt 2>/dev/null; umount ${root}`);
      Deno.removeSync(base, { recursive: true });
    }
  },
});

Deno.test({
  name: "volume driver: creating and removing 100 volumes leaves no loop device and no mount",
  ignore,
  async fn() {
    const root = Deno.makeTempDirSync({ prefix: "joblet-vol-" });
    try {
      const d = new HostVolumeDriver({ root });
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) {
        const type = i % 4 === 3 ? "memory" : "filesystem";
        await d.create(record(`v${i}`, type, 16 * MB));
        await d.remove(`v${i}`);
      }
      console.log(`100 create+remove: ${((performance.now() - t0) / 100).toFixed(1)} ms per volume`);
      assertEquals(mountsUnder(root), []);
      assertEquals(await noLoopsLeft(root), []);
      assertEquals([...Deno.readDirSync(root)].length, 0);
    } finally {
      await sh(`umount -l ${root}/*/mnt 2>/dev/null`);
      Deno.removeSync(root, { recursive: true });
    }
  },
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
