/** Tar archives built in memory for the packed-runtime tests (archive_gate_test.ts, pack_test.ts). */
import { BLOCK, padding, tarHeader } from "./archive_tar.ts";
import { PACK_FORMAT, type PackManifest } from "./archive_manifest.ts";
import { checkRuntimeSpec } from "../../domain/runtime.ts";

export type Member =
  | { name: string; type: "file"; data?: string | Uint8Array; mode?: number }
  | { name: string; type: "directory"; mode?: number }
  | { name: string; type: "symlink" | "hardlink"; linkname: string }
  /** Bytes as they are: a hand-made header, a GNU long-name record, … */
  | { raw: Uint8Array };

export function manifestFor(over: Partial<PackManifest> = {}): PackManifest {
  return {
    format: PACK_FORMAT,
    spec: checkRuntimeSpec({
      name: "tiny-1",
      version: "1",
      language: "shell",
      description: "",
      packages: ["dash"],
      etc: [],
      env: { PATH: "/usr/bin:/bin" },
      test: "true",
    }),
    packages: [{ name: "dash", version: "0.5.12-2" }],
    sizeBytes: 1024,
    checksum: `sha256:${"0".repeat(64)}`,
    exportedAt: 1,
    ...over,
  };
}

/** A whole tar archive: the members, then two zero blocks. */
export function tarBytes(members: Member[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const m of members) {
    if ("raw" in m) {
      parts.push(m.raw);
      continue;
    }
    const data = m.type === "file"
      ? (typeof m.data === "string" ? new TextEncoder().encode(m.data) : m.data ?? new Uint8Array())
      : new Uint8Array();
    parts.push(
      tarHeader({
        name: m.name,
        size: data.length,
        mode: "mode" in m && m.mode !== undefined ? m.mode : m.type === "directory" ? 0o755 : 0o644,
        mtimeSeconds: 1,
        type: m.type,
        linkname: "linkname" in m ? m.linkname : undefined,
      }),
      data,
      new Uint8Array(padding(data.length)),
    );
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The manifest member, first in every packed runtime. */
export function manifestMember(m: unknown = manifestFor()): Member {
  return { name: "manifest.json", type: "file", data: JSON.stringify(m) };
}

/** A GNU long-name record ('L') naming the member after it. */
export function longName(name: string): Member {
  const data = new TextEncoder().encode(name + "\0");
  const h = tarHeader({ name: "././@LongLink", size: data.length, mode: 0, mtimeSeconds: 0, type: "file" });
  h[156] = "L".charCodeAt(0);
  h.fill(0x20, 148, 156);
  const sum = h.reduce((n, x) => n + x, 0);
  h.set(new TextEncoder().encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  const raw = new Uint8Array(BLOCK + data.length + padding(data.length));
  raw.set(h);
  raw.set(data, BLOCK);
  return { raw };
}
