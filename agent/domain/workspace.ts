/**
 * The size of a job's /work (`--max-disk`, workflow `max_disk:`, config `jobs.max_disk`): pure rules. Sizes are
 * 1024-based as everywhere else (1GB = 1 GiB). See docs/adr/0009-workspace-quota.md.
 */
import { invalidArgument } from "./errors.ts";
import { parseSize } from "./units.ts";

/** Below this ext4 has hardly room for its own metadata. */
export const MIN_DISK_BYTES = 8 * 1024 ** 2;
/** The largest image we make (as for volumes). */
export const MAX_DISK_BYTES = 16 * 1024 ** 4;
/** jobs.max_disk when the config does not say. */
export const DEFAULT_MAX_DISK_BYTES = 1024 ** 3;

const RULE = "use MB, GB or TB, 1024-based, from 8MB to 16TB, e.g. 512MB, 2GB";

/** "512MB", "2GB", "1.5GB", "1TB" (any case) → bytes. `flag` names the setting in messages. */
export function parseMaxDisk(text: string, flag = "--max-disk"): number {
  const t = text.trim();
  if (t.startsWith("-")) throw invalidArgument(`${flag} "${text}" is negative (${RULE})`);
  let bytes: number;
  try {
    bytes = parseSize(t);
  } catch {
    throw invalidArgument(`${flag} "${text}" is not a size (${RULE})`);
  }
  if (bytes === 0) {
    throw invalidArgument(`${flag} "${text}" is zero: every job's /work has a size (${RULE})`);
  }
  if (bytes < MIN_DISK_BYTES) throw invalidArgument(`${flag} "${text}" is too small (at least 8MB)`);
  if (bytes > MAX_DISK_BYTES) throw invalidArgument(`${flag} "${text}" is too large (at most 16TB)`);
  return bytes;
}
