/**
 * `--schedule=SPEC`: when a job runs.
 *
 *   relative   "30s", "5min", "2h", "1d", "1h30m", "2 hours", "1 day 6 hours"  (s, m, min, h, d and long forms)
 *   absolute   RFC 3339 with an offset: "2025-08-03T15:00:00Z", "2025-08-03T15:00:00-07:00",
 *              or with a space for the T, as `date --rfc-3339=seconds` prints it
 *   recurring  "cron:*\/5 * * * *" (see cron.ts)
 *
 * A one-off time must lie in the future and at most a year ahead.
 */
import { invalidArgument } from "./errors.ts";
import { type CronExpr, parseCron } from "./cron.ts";

export const MAX_AHEAD_MS = 365 * 86_400_000;

export type Schedule =
  | { kind: "at"; at: number }
  | { kind: "cron"; expr: string; cron: CronExpr };

const UNITS: Record<string, number> = {
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

const RULE = "use a delay such as 30s, 5min, 2h, 1d or 1h30m, a time such as 2025-08-03T15:00:00Z, or " +
  '"cron:*/5 * * * *"';

/** Parses a relative delay ("1h30m") into milliseconds, or returns undefined when `text` is not one. */
export function parseDelay(text: string): number | undefined {
  const s = text.trim().toLowerCase();
  const part = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    part.lastIndex = pos;
    const m = part.exec(s);
    if (!m || !(m[2] in UNITS)) return undefined;
    total += Number(m[1]) * UNITS[m[2]];
    pos = part.lastIndex;
  }
  return pos === 0 ? undefined : Math.round(total);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;

/** Parses an RFC 3339 time with an offset into Unix ms, or returns undefined when `text` is not one. */
export function parseAbsolute(text: string): number | undefined {
  const m = RFC3339.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number);
  const daysIn = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  let offsetMin = 0;
  const off = m[8];
  if (off !== "Z" && off !== "z") {
    const sign = off[0] === "-" ? -1 : 1;
    const digits = off.slice(1).replace(":", "");
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const frac = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, frac) - offsetMin * 60_000;
}

function cronOf(spec: string): CronExpr {
  try {
    return parseCron(spec.trim().slice(5).trim());
  } catch (e) {
    throw invalidArgument(`--schedule "${spec}": ${(e as Error).message}`, e);
  }
}

/** Checks the form of a schedule without a clock (for clients, before anything is sent). */
export function checkScheduleSyntax(spec: string): void {
  const s = spec.trim();
  if (s.toLowerCase().startsWith("cron:")) {
    cronOf(spec);
    return;
  }
  if (parseDelay(s) === undefined && parseAbsolute(s) === undefined) {
    throw invalidArgument(`--schedule "${spec}" is not a delay, a time or a cron schedule (${RULE})`);
  }
}

/** Resolves a schedule against `now`; throws InvalidArgument for a past, too distant or unparsable one. */
export function parseSchedule(spec: string, now: number): Schedule {
  const s = spec.trim();
  if (s.toLowerCase().startsWith("cron:")) {
    return { kind: "cron", expr: s.slice(5).trim(), cron: cronOf(spec) };
  }
  const delay = parseDelay(s);
  let at: number;
  if (delay !== undefined) {
    if (delay <= 0) throw invalidArgument(`--schedule "${spec}" is not in the future (${RULE})`);
    at = now + delay;
  } else {
    const abs = parseAbsolute(s);
    if (abs === undefined) {
      throw invalidArgument(`--schedule "${spec}" is not a delay, a time or a cron schedule (${RULE})`);
    }
    if (abs <= now) {
      throw invalidArgument(
        `--schedule "${spec}" is in the past (it is now ${new Date(now).toISOString()}); give a future time`,
      );
    }
    at = abs;
  }
  if (at - now > MAX_AHEAD_MS) {
    throw invalidArgument(`--schedule "${spec}" is more than a year ahead; schedule at most 365 days ahead`);
  }
  return { kind: "at", at };
}
