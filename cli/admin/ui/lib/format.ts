/** Formatters for the admin UI: bytes, rates, durations, times, percentages. Pure, no DOM. */
import { commandLine, humanBytes, humanDuration } from "../../../output/format.ts";

export { commandLine, humanBytes, humanDuration };

/** 1.5 MiB/s; 0 → "0 B/s". */
export function humanRate(bytesPerSecond: number): string {
  return `${humanBytes(Math.round(bytesPerSecond))}/s`;
}

/** 37.5 → "37.5%", rounded to one decimal; NaN or negative → "0%". */
export function percent(n: number): string {
  if (!(n > 0)) return "0%";
  return `${Math.round(n * 10) / 10}%`;
}

/** An RFC 3339 time (or null) as local `YYYY-MM-DD HH:MM:SS`; null or unparsable → "-". */
export function localTime(iso: string | null | undefined): string {
  const ms = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms)) return "-";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${
    p(d.getMinutes())
  }:${p(d.getSeconds())}`;
}

/** The first 8 characters of a job id, as rnx's tables show it. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** A share of a total in percent, 0 when the total is 0. */
export function share(part: number, total: number): number {
  return total > 0 ? Math.min(100, (part / total) * 100) : 0;
}

/** 0 (= unlimited, as the agent reports limits) → "unlimited", else the formatted value. */
export function limit(value: number | string, fmt: (v: never) => string = String): string {
  if (value === 0 || value === "") return "unlimited";
  return fmt(value as never);
}
