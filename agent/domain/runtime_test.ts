import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { JobletError } from "./errors.ts";

function thrown(fn: () => unknown): JobletError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JobletError) return e;
    throw e;
  }
  throw new Error("did not throw");
}
import { etcOf, packagesOf, parseRuntimeSpec, runtimeName } from "./runtime.ts";

const GOOD = `
name: python-3.11
version: "3.11"
language: python
description: Python 3.11
packages: [python3]
env:
  PATH: /usr/bin:/bin
test: python3 -c 'print(1)'
`;

Deno.test("parseRuntimeSpec() reads a valid spec and fills defaults", () => {
  const s = parseRuntimeSpec(GOOD, "python.yaml");
  assertEquals(s.name, "python-3.11");
  assertEquals(s.version, "3.11");
  assertEquals(s.packages, ["python3"]);
  assertEquals(s.env, { PATH: "/usr/bin:/bin" });
  assertEquals(s.etc, []);
});

Deno.test("parseRuntimeSpec() names file, line and key of a bad package name", () => {
  const e = thrown(() => parseRuntimeSpec(GOOD.replace("[python3]", "[python3, Bad_Pkg]"), "p.yaml"));
  assertEquals(e.code, "InvalidArgument");
  assertEquals(e.message.includes("p.yaml:6:"), true, e.message);
  assertEquals(e.message.includes("packages.1"), true, e.message);
});

Deno.test("parseRuntimeSpec() rejects unknown keys and a missing test", () => {
  const e = thrown(() => parseRuntimeSpec(GOOD.replace(/test:.*\n/, "tset: x\n"), "p.yaml"));
  assertEquals(e.message.includes("2 problems"), true, e.message);
});

Deno.test("parseRuntimeSpec() reports YAML syntax errors with their position", () => {
  const e = thrown(() => parseRuntimeSpec("name: [x\n", "p.yaml"));
  assertEquals(/p\.yaml:\d+:\d+/.test(e.message), true, e.message);
});

Deno.test("parseRuntimeSpec() refuses a document that is not a mapping", () => {
  assertThrows(() => parseRuntimeSpec("- a\n- b\n", "p.yaml"), /must be a YAML mapping/);
});

Deno.test("runtimeName() accepts NAME, NAME@VERSION and NAME:VERSION", () => {
  assertEquals(runtimeName("python-3.11"), "python-3.11");
  assertEquals(runtimeName("python@3.11"), "python-3.11");
  assertEquals(runtimeName("openjdk:17"), "openjdk-17");
  assertEquals(runtimeName("python-3.11-ml"), "python-3.11-ml");
});

Deno.test("runtimeName() rejects paths, upper case and two separators", () => {
  for (const bad of ["../x", "Python", "a@b@c", "a:b@c", "", "-x", "a b"]) {
    assertThrows(() => runtimeName(bad), /is not a runtime name/);
  }
});

Deno.test("packagesOf() puts the base packages first, each once", () => {
  const s = parseRuntimeSpec(GOOD.replace("[python3]", "[python3, tini]"), "p.yaml");
  assertEquals(packagesOf(s), ["dash", "mount", "util-linux", "tini", "ca-certificates", "python3"]);
  assertEquals(etcOf(s).includes("/etc/ld.so.cache"), true);
});

Deno.test("parseRuntimeSpec() reads links and refuses '..' or a '*' in the link itself", () => {
  const links =
    "links:\n  /usr/bin/: /usr/lib/jvm/java-17-openjdk-*/bin/*\n  /usr/lib/jvm/j17: /usr/lib/jvm/j*\n";
  const s = parseRuntimeSpec(GOOD + links, "j.yaml");
  assertEquals(s.links, {
    "/usr/bin/": "/usr/lib/jvm/java-17-openjdk-*/bin/*",
    "/usr/lib/jvm/j17": "/usr/lib/jvm/j*",
  });
  assertEquals(parseRuntimeSpec(GOOD, "p.yaml").links, {});
  const dots = thrown(() => parseRuntimeSpec(GOOD + "links:\n  /usr/bin/x: /usr/../etc/shadow\n", "j.yaml"));
  assertEquals(dots.message.includes("j.yaml:11:"), true, dots.message);
  assertEquals(dots.message.includes("without '..'"), true, dots.message);
  assertThrows(() => parseRuntimeSpec(GOOD + "links:\n  /usr/bin/*: /usr/bin/x\n", "j.yaml"), /links/);
  assertThrows(() => parseRuntimeSpec(GOOD + "links:\n  usr/bin/x: /usr/bin/y\n", "j.yaml"), /links/);
});

Deno.test("runtimeName() maps openjdk@17 and openjdk:17 to the built-in openjdk-17", () => {
  assertEquals(runtimeName("openjdk@17"), "openjdk-17");
  assertEquals(runtimeName("openjdk:17"), "openjdk-17");
  assertEquals(runtimeName("python@3.11-ml"), "python-3.11-ml");
});
