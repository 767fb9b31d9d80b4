/**
 * Standard five-field cron expressions (minute hour day-of-month month day-of-week) and the pure function that
 * finds the next tick. Fields take `*`, numbers, ranges `1-5`, lists `1,3,5`, steps `*\/15` and `10-40/10`,
 * month and weekday names (JAN, MON) and 7 for Sunday; `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`
 * are accepted too. As in Vixie cron, when both day-of-month and day-of-week are restricted a day matching
 * either one matches.
 *
 * Times are evaluated in UTC unless a time zone (IANA name, e.g. Europe/Berlin) is given.
 */
import { invalidArgument } from "./errors.ts";

export interface CronExpr {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  daysOfMonth: ReadonlySet<number>;
  months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: ReadonlySet<number>;
  domRestricted: boolean;
  dowRestricted: boolean;
}

const MACROS: Record<string, string> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}

const FIELDS: FieldRule[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { name: "day of week", min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

const RULE =
  'use 5 fields "minute hour day-of-month month day-of-week", e.g. "*/5 * * * *" or "0 3 * * MON-FRI"';

/** Parses a cron expression or throws InvalidArgument naming the field and the rule. */
export function parseCron(text: string): CronExpr {
  const src = MACROS[text.trim().toLowerCase()] ?? text.trim();
  const parts = src.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 5) {
    throw invalidArgument(`cron expression "${text}" has ${parts.length} fields (${RULE})`);
  }
  const sets = parts.map((p, i) => parseField(text, p, FIELDS[i]));
  const dow = new Set([...sets[4]].map((d) => d % 7));
  return {
    minutes: sets[0],
    hours: sets[1],
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek: dow,
    domRestricted: parts[2] !== "*" && parts[2] !== "?",
    dowRestricted: parts[4] !== "*" && parts[4] !== "?",
  };
}

function parseField(text: string, field: string, rule: FieldRule): Set<number> {
  const out = new Set<number>();
  const bad = (why: string) =>
    invalidArgument(`cron expression "${text}": ${rule.name} "${field}" ${why} (${RULE})`);
  for (const item of field.split(",")) {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
    if (!m) throw bad("is not valid");
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw bad("has a step of 0");
    let lo: number;
    let hi: number;
    if (m[1] === "*" || m[1] === "?") {
      lo = rule.min;
      hi = rule.name === "day of week" ? 6 : rule.max;
    } else {
      const range = m[1].split("-");
      if (range.length > 2) throw bad("is not valid");
      lo = value(range[0], rule, bad);
      hi = range.length === 2 ? value(range[1], rule, bad) : (m[2] === undefined ? lo : rule.max);
      if (hi < lo) throw bad(`is a reversed range`);
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function value(token: string, rule: FieldRule, bad: (why: string) => Error): number {
  let v: number;
  const named = rule.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) v = named + (rule.nameBase ?? 0);
  else if (/^\d+$/.test(token)) v = Number(token);
  else throw bad("is not a number" + (rule.names ? " or a name" : ""));
  if (v < rule.min || v > rule.max) throw bad(`is out of range ${rule.min}-${rule.max}`);
  return v;
}

/** Wall-clock fields of an instant in a zone. */
interface Local {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Checks an IANA time zone name ("" = UTC); throws InvalidArgument for an unknown one. */
export function checkTimeZone(tz: string): void {
  if (tz === "" || tz === "UTC") return;
  try {
    formatterFor(tz);
  } catch {
    throw invalidArgument(`time zone "${tz}" is not known (use an IANA name such as UTC or Europe/Berlin)`);
  }
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      weekday: "short",
    });
    formatters.set(tz, f);
  }
  return f;
}

function localFields(ms: number, tz: string): Local {
  const d = new Date(ms);
  if (tz === "" || tz === "UTC") {
    return {
      minute: d.getUTCMinutes(),
      hour: d.getUTCHours(),
      day: d.getUTCDate(),
      month: d.getUTCMonth() + 1,
      weekday: d.getUTCDay(),
    };
  }
  const parts: Record<string, string> = {};
  for (const p of formatterFor(tz).formatToParts(d)) parts[p.type] = p.value;
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: DAY_NAMES.indexOf(parts.weekday.toUpperCase().slice(0, 3)),
  };
}

function dayMatches(e: CronExpr, l: Local): boolean {
  if (!e.months.has(l.month)) return false;
  const dom = e.daysOfMonth.has(l.day);
  const dow = e.daysOfWeek.has(l.weekday);
  if (e.domRestricted && e.dowRestricted) return dom || dow;
  if (e.domRestricted) return dom;
  if (e.dowRestricted) return dow;
  return true;
}

const MINUTE = 60_000;
/** Searching further than this finds nothing that will ever match (e.g. "0 0 30 2 *"). */
const HORIZON_MS = 5 * 366 * 86_400_000;

/**
 * The first whole minute strictly after `afterMs` that matches `e` in zone `tz` ("" = UTC), as Unix ms; or
 * undefined when no such minute exists within five years (an expression such as February 30th).
 */
export function nextTick(e: CronExpr, afterMs: number, tz = ""): number | undefined {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const end = afterMs + HORIZON_MS;
  while (t <= end) {
    const l = localFields(t, tz);
    if (!dayMatches(e, l)) {
      // To the next local midnight (a DST jump only makes this land an hour off; the loop corrects it).
      t += ((23 - l.hour) * 60 + (60 - l.minute)) * MINUTE;
      continue;
    }
    if (!e.hours.has(l.hour)) {
      t += (60 - l.minute) * MINUTE;
      continue;
    }
    if (!e.minutes.has(l.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}

/** How many ticks fall in (fromMs, toMs], counting at most `max`. */
export function ticksBetween(e: CronExpr, fromMs: number, toMs: number, tz = "", max = 1000): number {
  let n = 0;
  for (let t = nextTick(e, fromMs, tz); t !== undefined && t <= toMs && n < max; t = nextTick(e, t, tz)) n++;
  return n;
}
