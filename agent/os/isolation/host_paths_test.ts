import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { resolveHostPaths, withRuntime } from "./host_paths.ts";

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

Deno.test("withRuntime() takes /usr, /bin, /lib*, /sbin and its /etc paths from the runtime, keeps other binds", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${dir}/usr/bin`, { recursive: true });
    Deno.symlinkSync("usr/bin", `${dir}/bin`);
    Deno.symlinkSync("usr/lib", `${dir}/lib`);
    Deno.mkdirSync(`${dir}/etc/ssl`, { recursive: true });
    const host = [
      { path: "/usr", kind: "dir" as const },
      { path: "/lib32", kind: "dir" as const },
      { path: "/etc/ssl", kind: "dir" as const },
      { path: "/etc/ssl/private", kind: "dir" as const },
      { path: "/opt/tools", kind: "dir" as const },
    ];
    assertEquals(withRuntime(host, { root: `${dir}/`, etc: ["/etc/ssl", "/etc/missing"] }), [
      { path: "/opt/tools", kind: "dir" },
      { path: "/usr", kind: "dir", source: `${dir}/usr` },
      { path: "/bin", kind: "symlink", linkTarget: "usr/bin", source: `${dir}/bin` },
      { path: "/lib", kind: "symlink", linkTarget: "usr/lib", source: `${dir}/lib` },
      { path: "/etc/ssl", kind: "dir", source: `${dir}/etc/ssl` },
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
