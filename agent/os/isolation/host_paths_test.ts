import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { resolveHostPaths } from "./host_paths.ts";

Deno.test("resolveHostPaths() expands a trailing *, keeps symlinks as links and drops missing paths", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/usr/lib`, { recursive: true });
    Deno.symlinkSync("usr/lib", `${dir}/lib`);
    Deno.mkdirSync(`${dir}/lib64`);
    Deno.writeTextFileSync(`${dir}/libfile`, "x");
    assertEquals(resolveHostPaths([`${dir}/usr`, `${dir}/lib*`, `${dir}/missing`, `${dir}/usr`]), [
      { path: `${dir}/usr`, kind: "dir" },
      { path: `${dir}/lib`, kind: "symlink", linkTarget: "usr/lib" },
      { path: `${dir}/lib64`, kind: "dir" },
      { path: `${dir}/libfile`, kind: "file" },
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("resolveHostPaths() rejects relative paths and a * that is not at the end", () => {
  assertThrows(() => resolveHostPaths(["usr"]), /"usr" must be an absolute path/);
  assertThrows(() => resolveHostPaths(["/l*b"]), /"\/l\*b" may only have "\*" at its very end/);
  assertThrows(() => resolveHostPaths(["/usr/../etc"]), /without "\.\."/);
});
