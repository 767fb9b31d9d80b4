import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { manifestOf, parseManifest } from "./archive_manifest.ts";
import { manifestFor } from "./archive_testing.ts";

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

Deno.test("parseManifest() reads back what manifestOf() writes", () => {
  const m = manifestFor();
  const record = { spec: m.spec, packages: m.packages, sizeBytes: 5, installedAt: 9 };
  const out = manifestOf(record, `sha256:${"a".repeat(64)}`, 7);
  assertEquals(parseManifest(bytes(out)), out);
});

Deno.test("parseManifest() names the field and the rule of a bad manifest", () => {
  const cases: [unknown, RegExp][] = [
    [{ ...manifestFor(), format: "joblet-runtime/9" }, /format: must be "joblet-runtime\/1"/],
    [{ ...manifestFor(), checksum: "md5:abc" }, /checksum: must be "sha256:" and 64 hex digits/],
    [{ ...manifestFor(), sizeBytes: -1 }, /sizeBytes:/],
    [{ ...manifestFor(), extra: 1 }, /not valid: \(top\)/],
    [{ ...manifestFor(), packages: [{ name: "", version: "1" }] }, /packages\.0\.name/],
    [
      { ...manifestFor(), spec: { ...manifestFor().spec, name: "../evil" } },
      /manifest\.json: spec: runtime spec is not valid/,
    ],
    [[1, 2], /not valid/],
  ];
  for (const [v, re] of cases) assertThrows(() => parseManifest(bytes(v)), re);
  assertThrows(() => parseManifest(new TextEncoder().encode("{nope")), /manifest\.json is not JSON/);
  assertThrows(() => parseManifest(new Uint8Array([0xff, 0xfe])), /not JSON/);
});
