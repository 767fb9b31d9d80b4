import { assertEquals, assertMatch, assertRejects, assertThrows } from "../../tests/assert.ts";
import type { RuntimeRecord, RuntimeSpec } from "../domain/runtime.ts";
import type { InstallProgress, RuntimeDriver } from "./runtime_ports.ts";
import { RuntimeService } from "./runtime_service.ts";

const PY: RuntimeSpec = {
  name: "python-3.11",
  version: "3.11",
  language: "python",
  description: "",
  packages: ["python3"],
  etc: ["/etc/python3.11"],
  env: { PATH: "/usr/bin:/bin" },
  test: "python3 -V",
};

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
