import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { BLOCK, padding, parseHeader, parsePax, tarHeader } from "./archive_tar.ts";

Deno.test("tarHeader() writes a ustar header that parseHeader() reads back", () => {
  const h = parseHeader(
    tarHeader({ name: "root/usr/bin/python3", size: 1234, mode: 0o755, mtimeSeconds: 1, type: "file" }),
  );
  assertEquals([h.name, h.size, h.mode, h.type, h.flag], ["root/usr/bin/python3", 1234, 0o755, "file", "0"]);
  const l = parseHeader(
    tarHeader({
      name: "root/bin",
      size: 0,
      mode: 0o777,
      mtimeSeconds: 1,
      type: "symlink",
      linkname: "usr/bin",
    }),
  );
  assertEquals([l.type, l.linkname], ["symlink", "usr/bin"]);
});

Deno.test("parseHeader() refuses a block whose checksum does not match (garbage, corruption)", () => {
  const b = tarHeader({ name: "root/a", size: 1, mode: 0o644, mtimeSeconds: 1, type: "file" });
  b[10] ^= 0xff;
  assertThrows(() => parseHeader(b), /checksum does not match/);
  assertThrows(() => parseHeader(new Uint8Array(BLOCK).fill(0x41)), /not a tar archive/);
});

Deno.test("parseHeader() reads GNU base-256 sizes and names device types by their flag", () => {
  const b = tarHeader({ name: "root/big", size: 0, mode: 0o644, mtimeSeconds: 1, type: "file" });
  b.fill(0, 124, 136);
  b[124] = 0x80;
  b[131] = 0x02; // 2 << 32 = 8 GiB
  b[156] = "3".charCodeAt(0);
  b.fill(0x20, 148, 156);
  const sum = b.reduce((n, x) => n + x, 0);
  b.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  const h = parseHeader(b);
  assertEquals([h.size, h.type, h.flag], [2 ** 33, "other", "3"]);
});

Deno.test("padding() rounds data up to whole 512-byte blocks", () => {
  assertEquals([padding(0), padding(1), padding(512), padding(513)], [0, 511, 0, 511]);
});

Deno.test("parsePax() reads path and linkpath records", () => {
  const rec = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 2;
    if (String(len).length + body.length !== len) len = String(len + 1).length + body.length;
    return `${len}${body}`;
  };
  const data = new TextEncoder().encode(rec("path", "root/a/very/long/name") + rec("linkpath", "/etc/x"));
  assertEquals(parsePax(data), { path: "root/a/very/long/name", linkpath: "/etc/x" });
  assertThrows(() => parsePax(new TextEncoder().encode("99 path=x\n")), /pax/);
});
