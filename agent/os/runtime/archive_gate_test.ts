import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { checkMemberPath, TarGate } from "./archive_gate.ts";
import { BLOCK } from "./archive_tar.ts";
import { longName, manifestFor, manifestMember, type Member, tarBytes } from "./archive_testing.ts";

/** Runs bytes through a gate in pieces of `piece` bytes; returns what it passed on and the manifest it saw. */
function gate(bytes: Uint8Array, piece = 1000, maxFileBytes = 1024) {
  const seen: string[] = [];
  const g = new TarGate({
    onManifest: (b) => {
      seen.push(new TextDecoder().decode(b));
      return maxFileBytes;
    },
  });
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += piece) out.push(...g.push(bytes.subarray(i, i + piece)));
  g.finish();
  const passed = new Uint8Array(out.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of out) {
    passed.set(p, at);
    at += p.length;
  }
  return { passed, manifest: seen };
}

const ROOT: Member[] = [
  { name: "root/", type: "directory" },
  { name: "root/usr/", type: "directory" },
  { name: "root/usr/bin/", type: "directory" },
  { name: "root/usr/bin/sh", type: "file", data: "#!/bin/dash\n", mode: 0o755 },
  { name: "root/bin", type: "symlink", linkname: "usr/bin" },
  { name: "root/etc/alternatives/java", type: "symlink", linkname: "/usr/lib/jvm/java-17/bin/java" },
  { name: "root/usr/bin/sh2", type: "hardlink", linkname: "root/usr/bin/sh" },
];

Deno.test("TarGate passes on every member but the manifest, byte for byte, in any piece size", () => {
  const archive = tarBytes([manifestMember(), ...ROOT]);
  const expected = tarBytes(ROOT);
  for (const piece of [1, 7, 512, 100_000]) {
    const { passed, manifest } = gate(archive, piece);
    assertEquals(passed, expected, `piece ${piece}`);
    assertEquals(JSON.parse(manifest[0]).spec.name, "tiny-1");
  }
});

Deno.test("TarGate reads GNU long names and checks the long name, not the header's", () => {
  const long = `root/${"d".repeat(120)}/file`;
  const ok = tarBytes([manifestMember(), longName(long), {
    name: "root/placeholder",
    type: "file",
    data: "x",
  }]);
  assertEquals(gate(ok).passed.length, ok.length - 2 * BLOCK);
  const evil = tarBytes([manifestMember(), longName("../../etc/cron.d/x"), {
    name: "root/harmless",
    type: "file",
    data: "x",
  }]);
  assertThrows(() => gate(evil), /"\.\.\/\.\.\/etc\/cron\.d\/x" escapes the runtime root/);
});

Deno.test("TarGate refuses an archive that does not start with manifest.json", () => {
  assertThrows(() => gate(tarBytes(ROOT)), /must start with manifest\.json, not "root\/"/);
  assertThrows(() => gate(tarBytes([])), /empty/);
});

Deno.test("TarGate refuses members that would land outside the root", () => {
  const cases: [Member, RegExp][] = [
    [{ name: "root/../../etc/passwd", type: "file", data: "x" }, /escapes the runtime root/],
    [{ name: "/etc/passwd", type: "file", data: "x" }, /is an absolute path/],
    [{ name: "runtime.json", type: "file", data: "{}" }, /is outside root\//],
    [{ name: "root//usr", type: "directory" }, /not a plain relative path/],
    [{ name: "root/h", type: "hardlink", linkname: "../../etc/shadow" }, /"\.\.\/\.\.\/etc\/shadow" escapes/],
    [{ name: "root/h", type: "hardlink", linkname: "/etc/shadow" }, /absolute path/],
  ];
  for (const [m, re] of cases) assertThrows(() => gate(tarBytes([manifestMember(), m])), re);
});

Deno.test("TarGate lets symbolic links point anywhere but never extracts through or over one", () => {
  gate(tarBytes([manifestMember(), { name: "root/etc/x", type: "symlink", linkname: "/etc/shadow" }]));
  const through = tarBytes([
    manifestMember(),
    { name: "root/etc", type: "symlink", linkname: "/etc" },
    { name: "root/etc/cron.d/evil", type: "file", data: "x" },
  ]);
  assertThrows(() => gate(through), /extracted through the symbolic link "root\/etc"/);
  const over = tarBytes([
    manifestMember(),
    { name: "root/lib", type: "symlink", linkname: "/lib" },
    { name: "root/lib/", type: "directory" },
  ]);
  assertThrows(() => gate(over), /extracted over the symbolic link "root\/lib"/);
  const hard = tarBytes([
    manifestMember(),
    { name: "root/etc", type: "symlink", linkname: "/etc" },
    { name: "root/shadow", type: "hardlink", linkname: "root/etc/shadow" },
  ]);
  assertThrows(() => gate(hard), /hard link through a symbolic link/);
});

Deno.test("TarGate refuses devices, FIFOs and other member types", () => {
  const fifo = tarBytes([manifestMember(), { name: "root/fifo", type: "file", data: "" }]);
  const at = fifo.length - 3 * BLOCK; // the fifo's header
  fifo[at + 156] = "6".charCodeAt(0);
  fifo.fill(0x20, at + 148, at + 156);
  const sum = fifo.subarray(at, at + BLOCK).reduce((n, x) => n + x, 0);
  fifo.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), at + 148);
  assertThrows(() => gate(fifo), /"root\/fifo" is a FIFO; a packed runtime holds only files/);
});

Deno.test("TarGate refuses a truncated archive, garbage, and data after the end marker", () => {
  const whole = tarBytes([manifestMember(), ...ROOT]);
  assertThrows(
    () => gate(whole.subarray(0, whole.length - 2 * BLOCK)),
    /truncated: it ends before its end marker/,
  );
  const cut = tarBytes([manifestMember(), { name: "root/big", type: "file", data: "x".repeat(900) }]);
  assertThrows(() => gate(cut.subarray(0, 3 * BLOCK)), /truncated: it ends inside "root\/big"/);
  const garbage = new Uint8Array(4096).map((_, i) => (i * 7919) & 0xff);
  assertThrows(() => gate(garbage), /not a tar archive/);
  const trailing = new Uint8Array(whole.length + BLOCK);
  trailing.set(whole);
  trailing[trailing.length - 1] = 1;
  assertThrows(() => gate(trailing), /data after its end marker/);
});

Deno.test("TarGate refuses more file data than the manifest's size (no decompression bomb)", () => {
  const big = tarBytes([manifestMember(), { name: "root/big", type: "file", data: "x".repeat(2000) }]);
  assertThrows(() => gate(big, 1000, 1999), /more file data than its manifest says \(1999 bytes\)/);
  gate(big, 1000, 2000);
});

Deno.test("TarGate stops at the manifest when onManifest refuses it; nothing after it is passed on", () => {
  const g = new TarGate({
    onManifest: () => {
      throw new Error("already installed");
    },
  });
  const bytes = tarBytes([manifestMember(manifestFor()), ...ROOT]);
  assertThrows(() => g.push(bytes), /already installed/);
});

Deno.test("checkMemberPath() normalises ./ and trailing slashes and keeps paths inside root/", () => {
  assertEquals(checkMemberPath("./root/usr/"), "root/usr");
  assertEquals(checkMemberPath("root"), "root");
  assertThrows(() => checkMemberPath("root/./x"), /not a plain relative path/);
  assertThrows(() => checkMemberPath("rootfs/x"), /outside root\//);
  assertThrows(() => checkMemberPath("root/a/../../b"), /escapes/);
});
