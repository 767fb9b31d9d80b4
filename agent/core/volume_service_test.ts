import { assertEquals, assertRejects, assertThrows } from "../../tests/assert.ts";
import type { VolumeRecord } from "../domain/volume.ts";
import { VolumeService } from "./volume_service.ts";
import type { VolumeDriver } from "./volume_ports.ts";

/** Records in memory; `failCreate` makes the next create fail, as mkfs or mount would. */
class FakeDriver implements VolumeDriver {
  readonly records = new Map<string, VolumeRecord>();
  failCreate = "";
  recovered: Array<{ record: VolumeRecord; error?: string }> = [];

  recover() {
    for (const r of this.recovered) this.records.set(r.record.name, r.record);
    return Promise.resolve(this.recovered);
  }
  create(r: VolumeRecord) {
    if (this.failCreate) return Promise.reject(new Error(this.failCreate));
    this.records.set(r.name, r);
    return Promise.resolve();
  }
  remove(name: string) {
    this.records.delete(name);
    return Promise.resolve();
  }
  mountPoint(name: string) {
    return `/state/volumes/${name}/mnt`;
  }
  usage(_name: string) {
    return { totalBytes: 100, usedBytes: 7 };
  }
}

function service(driver = new FakeDriver()) {
  return { driver, volumes: new VolumeService({ driver, clock: { now: () => 1000 } }) };
}

Deno.test("VolumeService.create() stores the volume and refuses a duplicate name", async () => {
  const { driver, volumes } = service();
  const v = await volumes.create("results", 10 * 1024 ** 3, "filesystem");
  assertEquals(v, {
    record: { name: "results", type: "filesystem", sizeBytes: 10 * 1024 ** 3, createdAt: 1000 },
    usedBytes: 7,
    jobs: [],
    error: "",
  });
  assertEquals([...driver.records.keys()], ["results"]);
  await assertRejects(() => volumes.create("results", 1 << 30, "memory"), /volume "results" already exists/);
  await assertRejects(
    () => volumes.create("x/../y", 1 << 30, "memory"),
    /volume name "x\/..\/y" is not valid/,
  );
});

Deno.test("VolumeService.create() that fails in the driver leaves no volume behind", async () => {
  const { driver, volumes } = service();
  driver.failCreate = "mkfs.ext4 exited with 1";
  await assertRejects(() => volumes.create("v", 1 << 30, "filesystem"), /mkfs.ext4 exited with 1/);
  assertEquals(volumes.list(), []);
  driver.failCreate = "";
  await volumes.create("v", 1 << 30, "filesystem"); // the name is free again
});

Deno.test("a volume in use by running jobs cannot be removed; the jobs are named; after release it can", async () => {
  const { volumes } = service();
  await volumes.create("data", 1 << 30, "filesystem");
  const binds = volumes.acquire("job-1", [{ name: "data", readOnly: true }]);
  assertEquals(binds, [{ source: "/state/volumes/data/mnt", target: "/volumes/data", readOnly: true }]);
  volumes.acquire("job-2", [{ name: "data", readOnly: false }]);
  assertEquals(volumes.get("data").jobs, ["job-1", "job-2"]);
  await assertRejects(
    () => volumes.remove("data"),
    /volume "data" is in use by jobs job-1, job-2; stop them first/,
  );
  volumes.release("job-1");
  await assertRejects(() => volumes.remove("data"), /in use by job job-2; stop it first/);
  volumes.release("job-2");
  await volumes.remove("data");
  assertEquals(volumes.list(), []);
  await assertRejects(() => volumes.remove("data"), /volume "data" does not exist/);
});

Deno.test("acquire() and check() refuse an unknown volume, saying how to create it", async () => {
  const { volumes } = service();
  assertThrows(
    () => volumes.check([{ name: "nope", readOnly: false }]),
    /volume "nope" does not exist \(create it with: rnx volume create nope --size=SIZE\)/,
  );
  await volumes.create("a", 1 << 30, "memory");
  assertThrows(() => volumes.acquire("j", [{ name: "a", readOnly: false }, { name: "b", readOnly: false }]));
  assertEquals(volumes.get("a").jobs, [], "a failed acquire marked a volume in use");
  assertEquals(volumes.acquire("j", []), []);
});

Deno.test("start() brings back stored volumes; one that cannot be mounted is listed with its error and refused", async () => {
  const driver = new FakeDriver();
  const rec = (name: string): VolumeRecord => ({
    name,
    type: "filesystem",
    sizeBytes: 1 << 30,
    createdAt: 5,
  });
  driver.recovered = [{ record: rec("ok") }, { record: rec("broken"), error: "image.ext4 is missing" }];
  const { volumes } = service(driver);
  assertEquals(await volumes.start(), 2);
  assertEquals(volumes.list().map((v) => [v.record.name, v.error]), [
    ["broken", "image.ext4 is missing"],
    ["ok", ""],
  ]);
  assertThrows(
    () => volumes.check([{ name: "broken", readOnly: false }]),
    /volume "broken" is not usable: image.ext4 is missing/,
  );
  volumes.check([{ name: "ok", readOnly: false }]);
});
