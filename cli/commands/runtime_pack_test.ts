import { assertEquals } from "../../tests/assert.ts";
import { InstallRuntimeProgress } from "../../proto/gen/joblet.ts";
import { exportLine, installTarget } from "./runtime_pack.ts";
import { progressLine } from "./runtime.ts";

Deno.test("installTarget() tells a URL, a packed runtime, a spec file and a built-in name apart", () => {
  assertEquals(
    ["https://h/x.tar.zst", "ftp://h/x", "./python-3.11.tar.zst", "x.tzst", "my.yaml", "python@3.11"].map(
      installTarget,
    ),
    ["url", "url", "packed", "packed", "spec", "name"],
  );
});

Deno.test("exportLine() shows how much of the runtime is packed and how much was written", () => {
  assertEquals(
    exportLine({ packedBytes: 34 * 1024 ** 2, totalBytes: 68 * 1024 ** 2 }, 10 * 1024 ** 2),
    "Exporting [############............] 34.0 MiB of 68.0 MiB packed, 10.0 MiB written",
  );
});

Deno.test("progressLine() draws a byte bar for a packed runtime's download, which has no package counts", () => {
  const p = InstallRuntimeProgress.fromPartial({
    phase: "download",
    message: "http://h/x.tar.zst",
    bytes: 1024 ** 2,
    totalBytes: 4 * 1024 ** 2,
  });
  assertEquals(progressLine(p, 8), "download [##......] (1.0 MiB / 4.0 MiB): http://h/x.tar.zst");
  const unknown = InstallRuntimeProgress.fromPartial({ phase: "receive", message: "x", bytes: 2048 });
  assertEquals(progressLine(unknown, 8), "receive (2.0 KiB): x");
});
