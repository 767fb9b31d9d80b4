/**
 * Volumes: named storage that outlives jobs, mounted into a job at /volumes/NAME. Pure rules: names, sizes,
 * the `NAME[:ro]` form of `--volume`, and the record the agent keeps.
 *
 *   filesystem  a sparse image file formatted ext4, attached to a loop device: its size is the image's size
 *   memory      a tmpfs of that size; its content is gone when the host reboots
 */
import { invalidArgument } from "./errors.ts";
import { parseSize } from "./units.ts";

export const VOLUME_TYPES = ["filesystem", "memory"] as const;
export type VolumeType = typeof VOLUME_TYPES[number];

/** Where volumes appear inside a job. */
export const VOLUMES_DIR = "/volumes";

/** 1-63 letters, digits, '-' and '_', starting and ending with a letter or digit. */
export const VOLUME_NAME = /^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;
const NAME_RULE = "1-63 letters, digits, '-' or '_', starting and ending with a letter or digit";

/** The smallest volume: ext4 needs room for its journal and tables, and a smaller tmpfs is of no use. */
export const MIN_VOLUME_BYTES = 8 * 1024 ** 2;
/** The largest volume (a sparse image costs nothing until written; this bounds typos). */
export const MAX_VOLUME_BYTES = 16 * 1024 ** 4;

/** The persisted record of one volume. */
export interface VolumeRecord {
  name: string;
  type: VolumeType;
  sizeBytes: number;
  /** Unix milliseconds. */
  createdAt: number;
}

/** A job's request to see a volume. */
export interface VolumeMount {
  name: string;
  readOnly: boolean;
}

export function checkVolumeName(name: string): string {
  if (!VOLUME_NAME.test(name)) {
    throw invalidArgument(`volume name "${name}" is not valid (${NAME_RULE})`);
  }
  return name;
}

/** "100MB", "10GB", "1.5GB", "1TB" (1024-based, any case) → bytes, between 8 MiB and 16 TiB. */
export function parseVolumeSize(text: string): number {
  const t = text.trim();
  if (t.startsWith("-")) throw invalidArgument(`--size "${text}" is negative (use e.g. 100MB, 10GB, 1.5GB)`);
  let bytes: number;
  try {
    bytes = parseSize(t);
  } catch {
    throw invalidArgument(`--size "${text}" is not a size (use MB, GB or TB, 1024-based, e.g. 100MB, 1.5GB)`);
  }
  if (bytes === 0) throw invalidArgument(`--size "${text}" is zero (use e.g. 100MB, 10GB, 1.5GB)`);
  if (bytes < MIN_VOLUME_BYTES) {
    throw invalidArgument(`--size "${text}" is too small (at least 8MB)`);
  }
  if (bytes > MAX_VOLUME_BYTES) throw invalidArgument(`--size "${text}" is too large (at most 16TB)`);
  return bytes;
}

export function parseVolumeType(text: string): VolumeType {
  const t = text.trim().toLowerCase() || "filesystem";
  if (!(VOLUME_TYPES as readonly string[]).includes(t)) {
    throw invalidArgument(`--type "${text}" is not a volume type (use filesystem or memory)`);
  }
  return t as VolumeType;
}

/** `--volume NAME` or `--volume NAME:ro`. */
export function parseVolumeMount(text: string): VolumeMount {
  const m = /^(.*?)(?::(ro|rw))?$/.exec(text)!;
  try {
    return { name: checkVolumeName(m[1]), readOnly: m[2] === "ro" };
  } catch {
    throw invalidArgument(`volume "${text}" must be NAME or NAME:ro, where NAME has ${NAME_RULE}`);
  }
}

/** Checks a job's volume list: valid names, each at most once. */
export function checkVolumeMounts(mounts: readonly VolumeMount[]): VolumeMount[] {
  const seen = new Set<string>();
  for (const m of mounts) {
    checkVolumeName(m.name);
    if (seen.has(m.name)) throw invalidArgument(`volume "${m.name}" is given twice; mount each volume once`);
    seen.add(m.name);
  }
  return mounts.map((m) => ({ name: m.name, readOnly: m.readOnly }));
}

export function formatVolumeMount(m: VolumeMount): string {
  return m.readOnly ? `${m.name}:ro` : m.name;
}
