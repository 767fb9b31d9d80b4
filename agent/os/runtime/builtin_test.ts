import { assertEquals } from "../../../tests/assert.ts";
import { builtinSpecs } from "./builtin.ts";
import { BUILTIN_SPECS } from "./specs/mod.ts";

Deno.test("builtinSpecs() parses every shipped spec and names python-3.11", () => {
  const specs = builtinSpecs();
  assertEquals(specs.map((s) => s.name).includes("python-3.11"), true);
  for (const s of specs) assertEquals(s.test.length > 0, true, s.name);
});

Deno.test("the embedded built-in specs are their .yaml files verbatim, and every .yaml file is embedded", () => {
  const dir = new URL("./specs/", import.meta.url);
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".yaml")).sort();
  assertEquals(Object.keys(BUILTIN_SPECS).sort(), files);
  for (const f of files) assertEquals(BUILTIN_SPECS[f], Deno.readTextFileSync(new URL(f, dir)), f);
});

Deno.test("the built-in specs are python-3.11, python-3.11-ml and openjdk-17, and none claims openjdk-21", () => {
  const byName = new Map(builtinSpecs().map((s) => [s.name, s]));
  assertEquals([...byName.keys()].sort(), ["openjdk-17", "python-3.11", "python-3.11-ml"]);
  assertEquals(byName.get("python-3.11-ml")!.env.MPLBACKEND, "Agg");
  assertEquals(byName.get("openjdk-17")!.env.JAVA_HOME, "/usr/lib/jvm/java-17-openjdk");
  assertEquals(byName.get("openjdk-17")!.test.includes("javac Hello.java"), true);
});
