import { assertEquals, assertMatch, assertRejects, assertThrows } from "../../tests/assert.ts";
import { checkRuntimeSpec, type RuntimeRecord, type RuntimeSpec } from "../domain/runtime.ts";
import type { InstallProgress, PackChunk, PackedSource, RuntimeDriver } from "./runtime_ports.ts";
import { RuntimeService } from "./runtime_service.ts";

const PY: RuntimeSpec = checkRuntimeSpec({
  name: "python-3.11",
  version: "3.11",
  language: "python",
  description: "",
  packages: ["python3"],
  etc: ["/etc/python3.11"],
  env: { PATH: "/usr/bin:/bin" },
  test: "python3 -V",
});

class FakeDriver implements RuntimeDriver {
  installed: RuntimeRecord[] = [];
  fail = false;
  recover(): RuntimeRecord[] {
    return this.installed;
  }
  async *install(spec: RuntimeSpec): AsyncGenerator<InstallProgress, RuntimeRecord> {
    yield { phase: "download", message: "x", done: 1, total: 1, bytes: 5, totalBytes: 5 };
    if (this.fail) throw new Error("mirror down");
    const r = { spec, packages: [{ name: "python3", version: "3.11.2-1" }], sizeBytes: 10, installedAt: 1 };
    this.installed.push(r);
    return r;
  }
  /** The packed runtime's spec, as if read from its manifest. */
  packedSpec: RuntimeSpec = PY;
  async *installPacked(
    _from: PackedSource,
    opts: { sha256?: string; admit: (spec: RuntimeSpec) => void },
  ): AsyncGenerator<InstallProgress, RuntimeRecord> {
    yield { phase: "receive", message: "x.tar.zst", done: 0, total: 0, bytes: 5, totalBytes: 5 };
    opts.admit(this.packedSpec);
    if (this.fail) throw new Error("corrupt archive");
    const r = { spec: this.packedSpec, packages: [], sizeBytes: 10, installedAt: 1 };
    this.installed = [...this.installed.filter((x) => x.spec.name !== r.spec.name), r];
    return r;
  }
  async *pack(record: RuntimeRecord): AsyncGenerator<PackChunk> {
    yield { data: new Uint8Array(3), packedBytes: 3, totalBytes: record.sizeBytes };
    yield { data: new Uint8Array(3), packedBytes: 6, totalBytes: record.sizeBytes };
  }
  remove(name: string): Promise<void> {
    this.installed = this.installed.filter((r) => r.spec.name !== name);
    return Promise.resolve();
  }
  rootOf(name: string): string {
    return `/state/runtimes/${name}/root`;
  }
}

async function drain<T>(
  it: AsyncGenerator<InstallProgress, T>,
): Promise<{ events: InstallProgress[]; value: T }> {
  const events: InstallProgress[] = [];
  for (;;) {
    const r = await it.next();
    if (r.done) return { events, value: r.value };
    events.push(r.value);
  }
}

Deno.test("RuntimeService installs a built-in runtime, ending with a done event", async () => {
  const svc = new RuntimeService(new FakeDriver(), [PY]);
  svc.start();
  const { events, value } = await drain(svc.install("python@3.11", { force: false }));
  assertEquals(events.map((e) => e.phase), ["download", "done"]);
  assertEquals(value.installed?.packages.length, 1);
  assertEquals(svc.check("python:3.11"), "python-3.11");
});

Deno.test("RuntimeService refuses a second install without --force", async () => {
  const svc = new RuntimeService(new FakeDriver(), [PY]);
  await drain(svc.install("python-3.11", { force: false }));
  await assertRejects(() => drain(svc.install("python-3.11", { force: false })), /already installed/);
  await drain(svc.install("python-3.11", { force: true }));
});

Deno.test("RuntimeService names the installed runtimes when a job asks for an unknown one", async () => {
  const svc = new RuntimeService(new FakeDriver(), [PY]);
  assertThrows(() => svc.check("python-3.11"), /not installed \(none is installed; .*python-3\.11/);
  await drain(svc.install("python-3.11", { force: false }));
  assertThrows(() => svc.check("ruby-3"), /"ruby-3" is not installed \(installed: python-3\.11\)/);
});

Deno.test("RuntimeService refuses remove and reinstall while a job uses the runtime", async () => {
  const svc = new RuntimeService(new FakeDriver(), [PY]);
  await drain(svc.install("python-3.11", { force: false }));
  const rt = svc.acquire("job-1", "python-3.11");
  assertEquals(rt.root, "/state/runtimes/python-3.11/root");
  assertEquals(rt.etc.includes("/etc/python3.11"), true);
  await assertRejects(() => svc.remove("python-3.11"), /in use by job job-1/);
  await assertRejects(() => drain(svc.install("python-3.11", { force: true })), /in use by job job-1/);
  svc.release("job-1");
  assertEquals(await svc.remove("python-3.11"), "python-3.11");
  assertEquals(svc.list()[0].installed, undefined);
});

Deno.test("RuntimeService keeps nothing of a failed install", async () => {
  const driver = new FakeDriver();
  driver.fail = true;
  const svc = new RuntimeService(driver, [PY]);
  await assertRejects(() => drain(svc.install("python-3.11", { force: false })), /mirror down/);
  assertThrows(() => svc.check("python-3.11"), /not installed/);
  assertMatch(svc.list().map((v) => v.spec.name).join(), /python-3\.11/);
});

async function* nothing(): AsyncGenerator<Uint8Array> {}
const FILE: PackedSource = { kind: "stream", chunks: nothing(), label: "./python-3.11.tar.zst" };
const SHA = "ab".repeat(32);

Deno.test("RuntimeService installs a packed runtime under its manifest's name", async () => {
  const svc = new RuntimeService(new FakeDriver(), []);
  const { events, value } = await drain(svc.installPacked(FILE, { force: false }));
  assertEquals(events.map((e) => e.phase), ["receive", "done"]);
  assertEquals([value.spec.name, value.builtin, svc.check("python@3.11")], [
    "python-3.11",
    false,
    "python-3.11",
  ]);
});

Deno.test("RuntimeService refuses a packed runtime that is installed (unless --force) or in use", async () => {
  const svc = new RuntimeService(new FakeDriver(), [PY]);
  await drain(svc.install("python-3.11", { force: false }));
  await assertRejects(
    () => drain(svc.installPacked(FILE, { force: false })),
    /already installed \(reinstall it with: rnx runtime install \.\/python-3\.11\.tar\.zst --force\)/,
  );
  svc.acquire("job-7", "python-3.11");
  await assertRejects(() => drain(svc.installPacked(FILE, { force: true })), /in use by job job-7/);
  svc.release("job-7");
  await drain(svc.installPacked(FILE, { force: true }));
});

Deno.test("RuntimeService needs an http(s) URL and a well-formed --sha256 to fetch a packed runtime", async () => {
  const svc = new RuntimeService(new FakeDriver(), []);
  const url = (u: string): PackedSource => ({ kind: "url", url: u });
  await assertRejects(
    () => drain(svc.installPacked(url("https://h/x.tar.zst"), { force: false })),
    /needs --sha256/,
  );
  await assertRejects(
    () => drain(svc.installPacked(url("ftp://h/x.tar.zst"), { force: false, sha256: SHA })),
    /"ftp:\/\/h\/x\.tar\.zst" is not an http:\/\/ or https:\/\/ URL/,
  );
  await assertRejects(
    () => drain(svc.installPacked(FILE, { force: false, sha256: "xyz" })),
    /--sha256 "xyz" is not a sha256/,
  );
  await drain(
    svc.installPacked(url("http://127.0.0.1:8/x.tar.zst"), { force: false, sha256: SHA.toUpperCase() }),
  );
});

Deno.test("RuntimeService frees the name after a failed packed install", async () => {
  const driver = new FakeDriver();
  driver.fail = true;
  const svc = new RuntimeService(driver, []);
  await assertRejects(() => drain(svc.installPacked(FILE, { force: false })), /corrupt archive/);
  driver.fail = false;
  await drain(svc.installPacked(FILE, { force: false }));
});

Deno.test("RuntimeService refuses remove while a runtime is being exported, and exports only installed ones", async () => {
  const svc = new RuntimeService(new FakeDriver(), [PY]);
  await assertRejects(async () => {
    for await (const _ of svc.exportRuntime("python-3.11")) { /* nothing */ }
  }, /"python-3.11" is not installed/);
  await drain(svc.install("python-3.11", { force: false }));
  const it = svc.exportRuntime("python:3.11");
  assertEquals((await it.next()).value?.packedBytes, 3);
  await assertRejects(() => svc.remove("python-3.11"), /cannot be removed: it is being exported/);
  await it.return(undefined);
  assertEquals(await svc.remove("python-3.11"), "python-3.11");
});
