/** Small formatters for human output: times, durations, byte counts, shell-quoted command lines. */

/** Unix ms → RFC 3339 in UTC (`2024-05-01T12:03:04.120Z`); 0 (= not yet) → null. */
export function rfc3339(ms: number): string | null {
  return ms > 0 ? new Date(ms).toISOString() : null;
}

/** Unix ms → local `YYYY-MM-DD HH:MM:SS`; 0 → "-". */
export function localTime(ms: number): string {
  if (ms <= 0) return "-";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}`;
}

/** How long a job ran: until it ended, or until `now` while it runs; null before it started. */
export function durationMs(startMs: number, endMs: number, now: number): number | null {
  if (startMs <= 0) return null;
  return Math.max(0, (endMs > 0 ? endMs : now) - startMs);
}

/** 850ms, 12.3s, 4m05s, 2h03m, 3d04h. */
export function humanDuration(ms: number | null): string {
  if (ms === null) return "-";
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const total = Math.floor(s);
  const p = (n: number) => String(n).padStart(2, "0");
  if (total < 3600) return `${Math.floor(total / 60)}m${p(total % 60)}s`;
  if (total < 86400) return `${Math.floor(total / 3600)}h${p(Math.floor(total / 60) % 60)}m`;
  return `${Math.floor(total / 86400)}d${p(Math.floor(total / 3600) % 24)}h`;
}

/** 512 B, 1.5 KiB, 2.0 GiB. */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word the way a POSIX shell would need it. */
export function shellQuote(word: string): string {
  if (word === "") return "''";
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A command line as one could paste it into a shell. */
export function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map(shellQuote).join(" ");
}

/** Cuts `text` to `max` characters, ending with "…" when cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return max <= 1 ? chars.slice(0, max).join("") : chars.slice(0, max - 1).join("") + "…";
}
