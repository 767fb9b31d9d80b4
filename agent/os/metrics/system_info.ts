/** Small one-line files: /proc/loadavg, /proc/uptime, /etc/os-release. */

export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
}

/** `0.80 1.25 1.13 4/112 7462` → the three load averages. */
export function parseLoadavg(text: string): LoadAverage {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every(Number.isFinite)) {
    throw new Error(`/proc/loadavg is not "L1 L5 L15 …": ${JSON.stringify(text.slice(0, 60))}`);
  }
  return { load1: a, load5: b, load15: c };
}

/** `1690.51 2184.23` → whole seconds since boot. */
export function parseUptime(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)/.exec(text);
  const up = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(up)) throw new Error(`/proc/uptime is not "SECONDS …": ${JSON.stringify(text)}`);
  return Math.floor(up);
}

/**
 * PRETTY_NAME from os-release(5), unquoted; NAME VERSION when it is missing; "Linux" when both are.
 * Values may be in double or single quotes with backslash escapes.
 */
export function parseOsRelease(text: string): string {
  const vars = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars.set(m[1], unquote(m[2]));
  }
  return vars.get("PRETTY_NAME") ||
    [vars.get("NAME"), vars.get("VERSION")].filter(Boolean).join(" ") || "Linux";
}

function unquote(v: string): string {
  const m = /^"(.*)"$/.exec(v) ?? /^'(.*)'$/.exec(v);
  return m ? m[1].replace(/\\(.)/g, "$1") : v;
}
