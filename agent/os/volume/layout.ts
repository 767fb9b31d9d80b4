/**
 * Where volumes live under the state dir, and their records:
 *
 *   <state>/volumes/<name>/volume.json   the record (written last on create, deleted first on remove)
 *   <state>/volumes/<name>/image.ext4    a filesystem volume's sparse ext4 image
 *   <state>/volumes/<name>/mnt           the mount point; jobs get a bind of this and nothing else
 *
 * A directory without a record is the leftover of a create or remove that never finished.
 */
import { VOLUME_NAME, VOLUME_TYPES, type VolumeRecord } from "../../domain/volume.ts";

export class VolumeLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = root.replace(/\/+$/, "");
  }

  dir(name: string): string {
    return `${this.root}/${name}`;
  }
  record(name: string): string {
    return `${this.dir(name)}/volume.json`;
  }
  image(name: string): string {
    return `${this.dir(name)}/image.ext4`;
  }
  mountPoint(name: string): string {
    return `${this.dir(name)}/mnt`;
  }

  /** Names of every volume directory (with or without a record). */
  names(): string[] {
    const out: string[] = [];
    try {
      for (const e of Deno.readDirSync(this.root)) if (e.isDirectory) out.push(e.name);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return out.sort();
  }

  /** The record, or undefined when it is missing or not readable as one. */
  readRecord(name: string): VolumeRecord | undefined {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.record(name));
    } catch {
      return undefined;
    }
    try {
      return parseRecord(JSON.parse(text), name);
    } catch {
      return undefined;
    }
  }

  /** Writes the record atomically (temp file, fsync, rename). */
  writeRecord(r: VolumeRecord): void {
    const tmp = `${this.record(r.name)}.tmp`;
    const f = Deno.openSync(tmp, { write: true, create: true, truncate: true, mode: 0o600 });
    try {
      f.writeSync(new TextEncoder().encode(JSON.stringify(r) + "\n"));
      f.syncSync();
    } finally {
      f.close();
    }
    Deno.renameSync(tmp, this.record(r.name));
  }
}

export function parseRecord(v: unknown, name: string): VolumeRecord {
  const r = v as Partial<VolumeRecord>;
  if (
    typeof r !== "object" || r === null || r.name !== name || !VOLUME_NAME.test(name) ||
    !(VOLUME_TYPES as readonly string[]).includes(r.type as string) ||
    !Number.isSafeInteger(r.sizeBytes) || (r.sizeBytes as number) <= 0 || !Number.isSafeInteger(r.createdAt)
  ) {
    throw new Error(`not a volume record for "${name}"`);
  }
  return { name, type: r.type!, sizeBytes: r.sizeBytes!, createdAt: r.createdAt! };
}
