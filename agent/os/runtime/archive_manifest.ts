/**
 * `manifest.json`, the first member of a packed runtime (`NAME.tar.zst`): the runtime's record (its spec: name,
 * version, language, description, packages asked for, etc paths, env, smoke test; every package inside; size)
 * plus the format and a checksum of the root's content (`archive_digest.ts`). Checked with zod before a single
 * file of the archive is extracted.
 *
 *   { "format": "joblet-runtime/1", "spec": { "name": "python-3.11", … }, "packages": [{ "name": "python3",
 *     "version": "3.11.2-1+b1" }, …], "sizeBytes": 71303168, "checksum": "sha256:…", "exportedAt": 1767225600000 }
 */
import { z } from "zod";
import { invalidArgument, JobletError } from "../../domain/errors.ts";
import {
  checkRuntimeSpec,
  type RuntimePackage,
  type RuntimeRecord,
  type RuntimeSpec,
} from "../../domain/runtime.ts";

export const PACK_FORMAT = "joblet-runtime/1";

const manifestSchema = z.strictObject({
  format: z.literal(PACK_FORMAT, { error: `must be "${PACK_FORMAT}" (made by a newer joblet?)` }),
  spec: z.record(z.string(), z.unknown()),
  packages: z.array(z.strictObject({ name: z.string().min(1).max(200), version: z.string().max(200) })).max(
    20_000,
  ),
  sizeBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  checksum: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and 64 hex digits'),
  exportedAt: z.number().int().nonnegative(),
});

export interface PackManifest {
  format: typeof PACK_FORMAT;
  spec: RuntimeSpec;
  packages: RuntimePackage[];
  /** Bytes of the root's regular files (`treeBytes`). */
  sizeBytes: number;
  /** `sha256:HEX` of the root's content (`treeDigest`). */
  checksum: string;
  exportedAt: number;
}

export function manifestOf(record: RuntimeRecord, checksum: string, now: number): PackManifest {
  return {
    format: PACK_FORMAT,
    spec: record.spec,
    packages: record.packages,
    sizeBytes: record.sizeBytes,
    checksum,
    exportedAt: now,
  };
}

/** Parses a manifest's bytes; InvalidArgument names the field and the rule. */
export function parseManifest(bytes: Uint8Array): PackManifest {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (e) {
    throw invalidArgument(`the archive's manifest.json is not JSON (${(e as Error).message})`);
  }
  const r = manifestSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problems)` : "";
    throw invalidArgument(
      `the archive's manifest.json is not valid: ${i.path.join(".") || "(top)"}: ${i.message}${more}`,
    );
  }
  let spec: RuntimeSpec;
  try {
    spec = checkRuntimeSpec(r.data.spec);
  } catch (e) {
    if (e instanceof JobletError) throw invalidArgument(`the archive's manifest.json: spec: ${e.message}`);
    throw e;
  }
  return { ...r.data, format: PACK_FORMAT, spec };
}
