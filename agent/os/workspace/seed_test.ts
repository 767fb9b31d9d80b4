import { assertEquals } from "../../../tests/assert.ts";
import { copyTree } from "./seed.ts";

Deno.test("copyTree() copies files and directories with their modes, owned by nobody, and no links", () => {
  const from = Deno.makeTempDirSync();
  const to = Deno.makeTempDirSync();
  try {
    Deno.mkdirSync(`${from}/sub/deep`, { recursive: true });
    Deno.writeTextFileSync(`${from}/run.sh`, "echo hi\n");
    Deno.chmodSync(`${from}/run.sh`, 0o750);
    Deno.writeTextFileSync(`${from}/sub/deep/data.txt`, "data");
    Deno.symlinkSync("/etc/passwd", `${from}/sub/link`);
    copyTree(from, to);
    assertEquals(Deno.readTextFileSync(`${to}/run.sh`), "echo hi\n");
    assertEquals(Deno.statSync(`${to}/run.sh`).mode! & 0o777, 0o750);
    assertEquals(Deno.readTextFileSync(`${to}/sub/deep/data.txt`), "data");
    assertEquals([...Deno.readDirSync(`${to}/sub`)].map((e) => e.name), ["deep"]);
    assertEquals(Deno.statSync(`${to}/sub/deep/data.txt`).uid, 65534);
    copyTree(`${from}/missing`, to); // nothing to copy
  } finally {
    Deno.removeSync(from, { recursive: true });
    Deno.removeSync(to, { recursive: true });
  }
});
