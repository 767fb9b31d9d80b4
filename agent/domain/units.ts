/**
 * Durations and sizes as people write them in config files and on the command line. Pure; errors quote the value
 * and give the rule.
 *
 *   parseDuration("1h30m") → 5_400_000 (milliseconds)   units: ms, s, m, h, d; "0" alone is allowed
 *   parseSize("1.5GiB")    → 1_610_612_736 (bytes)      units: B, K/KB/KiB, M/MB/MiB, G/GB/GiB, T/TB/TiB,
 *                                                        all 1024-based; a bare number is bytes
 */
import { invalidArgument } from "./errors.ts";

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RULE = "use a number with ms, s, m, h or d, e.g. 10s, 5m, 1h30m";

/** Parses "10s", "5m", "2h", "1d", "1h30m", "250ms", "1.5h" or "0" into milliseconds (an integer ≥ 0). */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m) {
      const why = /^\d+(\.\d+)?$/.test(s) ? "has no unit" : "is not a duration";
      throw invalidArgument(`"${text}" ${why} (${DURATION_RULE})`);
    }
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    pos = part.lastIndex;
  }
  if (pos === 0) throw invalidArgument(`"${text}" is not a duration (${DURATION_RULE})`);
  const ms = Math.round(total);
  if (!Number.isSafeInteger(ms)) throw invalidArgument(`"${text}" is too long a duration (${DURATION_RULE})`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};
const SIZE_RULE =
  "use a number of bytes or a number with B, KB, MB, GB or TB (1024-based), e.g. 512MB, 1.5GiB";

/** Parses "512MB", "1.5GiB", "100" (bytes) into a whole number of bytes. Units are 1024-based, any case. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw invalidArgument(`"${text}" is not a size (${SIZE_RULE})`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw invalidArgument(`"${text}" is too large a size (${SIZE_RULE})`);
  return bytes;
}

/** Writes milliseconds the way parseDuration reads them: 5_400_000 → "1h30m", 0 → "0". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  let rest = ms;
  let out = "";
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}

/** Writes bytes with the largest 1024-based unit that divides them: 1073741824 → "1GiB", 1000 → "1000B". */
export function formatSize(bytes: number): string {
  for (
    const [unit, size] of [["TiB", 1024 ** 4], ["GiB", 1024 ** 3], ["MiB", 1024 ** 2], ["KiB", 1024]] as const
  ) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes}B`;
}
