/** ANSI colours for human output; callers decide whether colour is on (see io.ts `colorEnabled`). */

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function paint(text: string, color: Color, enabled: boolean): string {
  return enabled ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

/** The colour of a job status name. */
export function statusColor(status: string): Color | undefined {
  switch (status) {
    case "COMPLETED":
      return "green";
    case "FAILED":
      return "red";
    case "RUNNING":
      return "blue";
    case "STOPPED":
    case "TIMEOUT":
      return "yellow";
    case "INITIALIZING":
      return "gray";
    default:
      return undefined;
  }
}
